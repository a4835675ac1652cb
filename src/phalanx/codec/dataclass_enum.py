"""SCALE descriptors for wire types written as frozen dataclasses.

`DataclassEnum` is an ordinary SCALE enum (tag byte = the variant's fixed index, then the fields in
declaration order) whose Python values are instances of small frozen dataclasses rather than
`(name, payload)` tuples. The variant name is the class name, so the codec describes itself to the
metadata type registry with readable names, exactly as the underlying `Enum` would:

    COMMANDS = DataclassEnum(("token", "Command"), [
        member(0, Deposit, field_("who", AccountId), field_("amount", U128)),
        ...
    ])

`Mapped` gives a value of one Python type the encoding of another (a `Topic` is encoded as its bytes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any, Generic, TypeVar

from phalanx.codec.errors import DecodeError, EncodeError
from phalanx.codec.types import Codec, Enum, FieldInfo, TypeInfo, VariantInfo, variant
from phalanx.errors import PhalanxError

T = TypeVar("T")
U = TypeVar("U")


@dataclass(frozen=True)
class Member:
    """One variant of a `DataclassEnum`: its fixed tag, its dataclass and the codecs of its fields."""

    index: int
    cls: type[Any]
    fields: tuple[FieldInfo, ...]


def member(index: int, cls: type[Any], *field_infos: FieldInfo) -> Member:
    """Declare a variant: `cls`'s dataclass fields must carry the same names, in the same order."""
    declared = tuple(f.name for f in fields(cls))
    given = tuple(f.name for f in field_infos)
    if declared != given:
        raise ValueError(f"{cls.__name__}: codec fields {given} do not match dataclass fields {declared}")
    return Member(index, cls, tuple(field_infos))


class DataclassEnum(Codec[T]):
    """A SCALE enum over dataclass variants; usable wherever a `Codec` is (nested in structs, vecs)."""

    def __init__(self, path: tuple[str, ...], members: Sequence[Member], docs: tuple[str, ...] = ()) -> None:
        variants: list[VariantInfo] = [variant(m.cls.__name__, m.index, *m.fields) for m in members]
        self.enum = Enum(path, variants, docs=docs)
        self.path = path
        self._by_class: dict[type[Any], Member] = {m.cls: m for m in members}
        self._by_name: dict[str, Member] = {m.cls.__name__: m for m in members}
        if len(self._by_class) != len(members) or len(self._by_name) != len(members):
            raise ValueError(f"{path}: a class appears twice")

    @property
    def classes(self) -> tuple[type[Any], ...]:
        return tuple(self._by_class)

    def encode_into(self, buf: bytearray, value: T) -> None:
        m = self._by_class.get(type(value))
        if m is None:
            raise EncodeError(f"{self!r} has no variant for {type(value).__name__}")
        buf.append(m.index)
        for f in m.fields:
            f.codec.encode_into(buf, getattr(value, f.name or ""))

    def decode_from(self, data: bytes, offset: int) -> tuple[T, int]:
        (name, payload), offset = self.enum.decode_from(data, offset)
        m = self._by_name[name]
        if payload is None:
            return m.cls(), offset
        try:
            return m.cls(**payload), offset
        except PhalanxError as exc:
            # A dataclass that validates itself refused the decoded fields (e.g. a zero amount).
            raise DecodeError(f"{self!r}::{name}: {exc.message}") from None

    def type_info(self) -> TypeInfo:
        return self.enum.type_info()

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
