"""A SCALE struct whose Python value is a frozen dataclass, so readers use attributes, not string keys.

`DataclassStruct(cls, path, fields)` encodes exactly as `Struct(path, fields)` — the fields in
order, with no framing — and describes itself to the metadata type registry the same way, so
moving a storage item from a dict-valued `Struct` to a dataclass changes neither its bytes nor the
runtime's metadata. The dataclass's fields must be the struct's fields, by name and in order;
that is checked once, when the descriptor is built.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from phalanx.codec.errors import EncodeError
from phalanx.codec.types import Codec, FieldInfo, Struct, TypeInfo

D = TypeVar("D")


class DataclassStruct(Codec[D], Generic[D]):
    """A composite with named fields whose values are instances of the frozen dataclass `cls`."""

    def __init__(
        self,
        cls: type[D],
        path: tuple[str, ...],
        fields: Sequence[FieldInfo],
        params: tuple[tuple[str, Codec[Any] | None], ...] = (),
        docs: tuple[str, ...] = (),
    ) -> None:
        params_ = getattr(cls, "__dataclass_params__", None)
        if params_ is None or not params_.frozen:
            raise TypeError(f"{cls.__name__} must be a frozen dataclass")
        names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
        declared = tuple(f.name for f in fields)
        if names != declared:
            raise TypeError(f"{cls.__name__} has fields {names}, the struct {path} declares {declared}")
        self.cls = cls
        self._struct = Struct(path, fields, cls=cls, params=params, docs=docs)

    @property
    def path(self) -> tuple[str, ...]:
        return self._struct.path

    @property
    def fields(self) -> tuple[FieldInfo, ...]:
        return self._struct.fields

    def encode_into(self, buf: bytearray, value: D) -> None:
        if not isinstance(value, self.cls):
            raise EncodeError(f"{self!r} takes a {self.cls.__name__}, got {type(value).__name__}")
        self._struct.encode_into(buf, value)

    def decode_from(self, data: bytes, offset: int) -> tuple[D, int]:
        return self._struct.decode_from(data, offset)

    def type_info(self) -> TypeInfo:
        return self._struct.type_info()

    def __repr__(self) -> str:
        return repr(self._struct)
