"""Two small SCALE descriptors over `phalanx.codec` for wire types written as frozen dataclasses.

`DataclassEnum` is a SCALE enum whose variants are dataclasses (the variant name is the class name,
its fields are the dataclass fields in order); `Mapped` gives a dataclass the encoding of another
type (a `Topic` is encoded as its bytes). Both describe themselves to the metadata type registry
exactly as the underlying `Enum` or codec would.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from phalanx.codec import Codec, DecodeError, EncodeError, Enum, FieldInfo, TypeInfo, VariantInfo

T = TypeVar("T")
U = TypeVar("U")


class DataclassEnum(Codec[Any]):
    """A SCALE enum of dataclass variants, declared as `(index, cls, field infos...)` triples."""

    def __init__(
        self, path: tuple[str, ...], members: Sequence[tuple[int, type[Any], tuple[FieldInfo, ...]]]
    ) -> None:
        for _, cls, infos in members:
            declared = tuple(f.name for f in dataclasses.fields(cls))
            if declared != tuple(f.name for f in infos):
                raise ValueError(f"{cls.__name__}: field infos {infos} do not match fields {declared}")
        self._enum = Enum(path, [VariantInfo(cls.__name__, index, infos) for index, cls, infos in members])
        self._by_cls = {cls: (index, infos) for index, cls, infos in members}
        self._by_index = {index: (cls, infos) for index, cls, infos in members}
        self.path = path

    def encode_into(self, buf: bytearray, value: Any) -> None:
        entry = self._by_cls.get(type(value))
        if entry is None:
            raise EncodeError(f"{self!r} has no variant for {type(value).__name__}")
        index, infos = entry
        buf.append(index)
        for info in infos:
            info.codec.encode_into(buf, getattr(value, info.name or ""))

    def decode_from(self, data: bytes, offset: int) -> tuple[Any, int]:
        if offset >= len(data):
            raise DecodeError(f"truncated {self!r}")
        entry = self._by_index.get(data[offset])
        if entry is None:
            raise DecodeError(f"{self!r} has no variant with index {data[offset]}")
        cls, infos = entry
        offset += 1
        values = []
        for info in infos:
            value, offset = info.codec.decode_from(data, offset)
            values.append(value)
        return cls(*values), offset

    def type_info(self) -> TypeInfo:
        return self._enum.type_info()

    def __repr__(self) -> str:
        return "::".join(self.path)


class Mapped(Codec[T], Generic[T, U]):
    """The encoding of `inner` for values of another Python type, converted both ways."""

    def __init__(self, inner: Codec[U], to_inner: Callable[[T], U], from_inner: Callable[[U], T]) -> None:
        self.inner, self._to, self._from = inner, to_inner, from_inner

    def encode_into(self, buf: bytearray, value: T) -> None:
        self.inner.encode_into(buf, self._to(value))

    def decode_from(self, data: bytes, offset: int) -> tuple[T, int]:
        value, offset = self.inner.decode_from(data, offset)
        return self._from(value), offset

    def type_info(self) -> TypeInfo:
        return self.inner.type_info()

    def __repr__(self) -> str:
        return repr(self.inner)
