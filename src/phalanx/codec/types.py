"""SCALE type descriptors: one object per chain type that encodes, decodes and describes itself.

A descriptor (`Codec`) knows three things about its type: how to write a value into a buffer, how to
read one from bytes at an offset, and how to describe itself to the metadata V14 type registry
(`TypeInfo`), so that the runtime's metadata is generated from the same declarations that encode
its storage, calls and events — they cannot drift apart.

Python values: ints for integers, `bool`, `str`, `bytes` for byte vectors and byte arrays, `list` for
sequences, `tuple` for tuples, `None`/value for `Option`, `dict` (or a dataclass given as `cls`) for
structs, and `(variant_name, payload)` for enums, where payload is None (no fields), the value (one
unnamed field), a tuple (several unnamed fields) or a dict (named fields).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from phalanx.codec.compact import decode_compact, encode_compact
from phalanx.codec.errors import DecodeError, EncodeError

T = TypeVar("T")


@dataclass(frozen=True)
class FieldInfo:
    name: str | None
    codec: Codec[Any]
    type_name: str | None = None
    docs: tuple[str, ...] = ()


@dataclass(frozen=True)
class VariantInfo:
    name: str
    index: int
    fields: tuple[FieldInfo, ...] = ()
    docs: tuple[str, ...] = ()


@dataclass(frozen=True)
class TypeInfo:
    """What the metadata registry records of a type: path, params and a scale-info `TypeDef`.

    `kind` is one of composite, variant, sequence, array, tuple, primitive, compact; the other fields
    are filled as the kind needs.
    """

    kind: str
    path: tuple[str, ...] = ()
    params: tuple[tuple[str, Codec[Any] | None], ...] = ()
    fields: tuple[FieldInfo, ...] = ()
    variants: tuple[VariantInfo, ...] = ()
    inner: Codec[Any] | None = None
    length: int = 0
    items: tuple[Codec[Any], ...] = ()
    primitive: str = ""
    docs: tuple[str, ...] = ()


class Codec(Generic[T]):
    """Base of all descriptors. Subclasses implement `encode_into`, `decode_from` and `type_info`.

    Not an ABC on purpose: a few descriptors exist only to describe a type to the metadata registry
    (e.g. the extrinsic envelope in `runtime/metadata.py`) and implement `type_info` alone.
    """

    def encode_into(self, buf: bytearray, value: T) -> None:
        raise NotImplementedError(f"{type(self).__name__} describes a type but does not encode it")

    def decode_from(self, data: bytes, offset: int) -> tuple[T, int]:
        raise NotImplementedError(f"{type(self).__name__} describes a type but does not decode it")

    def type_info(self) -> TypeInfo:
        raise NotImplementedError

    def encode(self, value: T) -> bytes:
        """Encode one value; anything the type cannot represent raises `EncodeError`."""
        buf = bytearray()
        try:
            self.encode_into(buf, value)
        except EncodeError:
            raise
        except Exception as exc:  # a wrong Python type deep inside a value (len() of an int, ...)
            raise EncodeError(f"cannot encode {value!r:.80} as {self!r}: {exc}") from exc
        return bytes(buf)

    def decode(self, data: bytes) -> T:
        """Decode a whole buffer; trailing bytes are an error."""
        try:
            value, end = self.decode_from(data, 0)
        except DecodeError:
            raise
        except Exception as exc:  # untrusted bytes: any failure inside a descriptor is a decode error
            raise DecodeError(f"cannot decode {self!r}: {exc}") from exc
        if end != len(data):
            raise DecodeError(f"{len(data) - end} trailing bytes after {self!r}")
        return value

    def decode_prefix(self, data: bytes, offset: int = 0) -> tuple[T, int]:
        """Decode one value at `offset` with typed errors; returns (value, offset after it)."""
        if not 0 <= offset <= len(data):
            raise DecodeError(f"offset {offset} is outside the input of {len(data)} bytes")
        try:
            return self.decode_from(data, offset)
        except DecodeError:
            raise
        except Exception as exc:
            raise DecodeError(f"cannot decode {self!r}: {exc}") from exc


class _FixedInt(Codec[int]):
    __slots__ = ("bits", "name", "signed", "size")

    def __init__(self, name: str, size: int, signed: bool) -> None:
        self.name, self.size, self.signed, self.bits = name, size, signed, size * 8

    def encode_into(self, buf: bytearray, value: int) -> None:
        try:
            buf += value.to_bytes(self.size, "little", signed=self.signed)
        except (OverflowError, AttributeError) as exc:
            raise EncodeError(f"{value!r} does not fit {self.name}") from exc

    def decode_from(self, data: bytes, offset: int) -> tuple[int, int]:
        end = offset + self.size
        if end > len(data):
            raise DecodeError(f"truncated {self.name}")
        return int.from_bytes(data[offset:end], "little", signed=self.signed), end

    def type_info(self) -> TypeInfo:
        return TypeInfo("primitive", primitive=self.name)

    def __repr__(self) -> str:
        return self.name


U8 = _FixedInt("u8", 1, False)
U16 = _FixedInt("u16", 2, False)
U32 = _FixedInt("u32", 4, False)
U64 = _FixedInt("u64", 8, False)
U128 = _FixedInt("u128", 16, False)
U256 = _FixedInt("u256", 32, False)
I8 = _FixedInt("i8", 1, True)
I16 = _FixedInt("i16", 2, True)
I32 = _FixedInt("i32", 4, True)
I64 = _FixedInt("i64", 8, True)
I128 = _FixedInt("i128", 16, True)


class _Bool(Codec[bool]):
    def encode_into(self, buf: bytearray, value: bool) -> None:
        buf.append(1 if value else 0)

    def decode_from(self, data: bytes, offset: int) -> tuple[bool, int]:
        if offset >= len(data):
            raise DecodeError("truncated bool")
        b = data[offset]
        if b > 1:
            raise DecodeError(f"invalid bool byte {b}")
        return b == 1, offset + 1

    def type_info(self) -> TypeInfo:
        return TypeInfo("primitive", primitive="bool")

    def __repr__(self) -> str:
        return "bool"


Bool = _Bool()


def _read_len(data: bytes, offset: int, what: str) -> tuple[int, int]:
    n, offset = decode_compact(data, offset)
    if offset + n > len(data):
        raise DecodeError(f"{what} of length {n} exceeds the input")
    return n, offset


class _Bytes(Codec[bytes]):
    """`Vec<u8>`: compact length prefix, then the bytes."""

    def encode_into(self, buf: bytearray, value: bytes) -> None:
        if not isinstance(value, bytes | bytearray | memoryview):
            raise EncodeError(f"Bytes takes bytes, got {type(value).__name__}")
        buf += encode_compact(len(value))
        buf += value

    def decode_from(self, data: bytes, offset: int) -> tuple[bytes, int]:
        n, offset = _read_len(data, offset, "byte vector")
        return bytes(data[offset : offset + n]), offset + n

    def type_info(self) -> TypeInfo:
        return TypeInfo("sequence", inner=U8)

    def __repr__(self) -> str:
        return "Bytes"


Bytes = _Bytes()


class _Str(Codec[str]):
    def encode_into(self, buf: bytearray, value: str) -> None:
        raw = value.encode()
        buf += encode_compact(len(raw))
        buf += raw

    def decode_from(self, data: bytes, offset: int) -> tuple[str, int]:
        n, offset = _read_len(data, offset, "string")
        try:
            return data[offset : offset + n].decode(), offset + n
        except UnicodeDecodeError:
            raise DecodeError("string is not valid UTF-8") from None

    def type_info(self) -> TypeInfo:
        return TypeInfo("primitive", primitive="str")

    def __repr__(self) -> str:
        return "Str"


Str = _Str()


class FixedBytes(Codec[bytes]):
    """`[u8; N]`, optionally a named newtype such as `sp_core::crypto::AccountId32` or `H256`."""

    def __init__(self, length: int, path: tuple[str, ...] = ()) -> None:
        self.length, self.path = length, path

    def encode_into(self, buf: bytearray, value: bytes) -> None:
        if not isinstance(value, bytes | bytearray) or len(value) != self.length:
            raise EncodeError(f"{self!r} takes exactly {self.length} bytes")
        buf += value

    def decode_from(self, data: bytes, offset: int) -> tuple[bytes, int]:
        end = offset + self.length
        if end > len(data):
            raise DecodeError(f"truncated {self!r}")
        return bytes(data[offset:end]), end

    def type_info(self) -> TypeInfo:
        array = TypeInfo("array", inner=U8, length=self.length)
        if not self.path:
            return array
        return TypeInfo("composite", path=self.path, fields=(FieldInfo(None, FixedBytes(self.length)),))

    def __repr__(self) -> str:
        return "::".join(self.path) if self.path else f"[u8; {self.length}]"


class Compact(Codec[int]):
    """`Compact<T>`; over an unsigned fixed-width integer, values outside its range are refused both ways."""

    def __init__(self, inner: Codec[int]) -> None:
        self.inner = inner
        self._limit = 1 << inner.bits if isinstance(inner, _FixedInt) and not inner.signed else None

    def encode_into(self, buf: bytearray, value: int) -> None:
        if self._limit is not None and value >= self._limit:
            raise EncodeError(f"{value!r} does not fit {self!r}")
        buf += encode_compact(value)

    def decode_from(self, data: bytes, offset: int) -> tuple[int, int]:
        value, end = decode_compact(data, offset)
        if self._limit is not None and value >= self._limit:
            raise DecodeError(f"{value} does not fit {self!r}")
        return value, end

    def type_info(self) -> TypeInfo:
        return TypeInfo("compact", inner=self.inner)

    def __repr__(self) -> str:
        return f"Compact<{self.inner!r}>"


class Vec(Codec[list[T]]):
    def __init__(self, inner: Codec[T]) -> None:
        self.inner = inner

    def encode_into(self, buf: bytearray, value: list[T]) -> None:
        buf += encode_compact(len(value))
        enc = self.inner.encode_into
        for item in value:
            enc(buf, item)

    def decode_from(self, data: bytes, offset: int) -> tuple[list[T], int]:
        n, offset = decode_compact(data, offset)
        if n > len(data) - offset:
            raise DecodeError(f"sequence of length {n} exceeds the input")
        dec = self.inner.decode_from
        out = []
        for _ in range(n):
            item, offset = dec(data, offset)
            out.append(item)
        return out, offset

    def type_info(self) -> TypeInfo:
        return TypeInfo("sequence", inner=self.inner)

    def __repr__(self) -> str:
        return f"Vec<{self.inner!r}>"


class Array(Codec[list[T]]):
    def __init__(self, inner: Codec[T], length: int) -> None:
        self.inner, self.length = inner, length

    def encode_into(self, buf: bytearray, value: list[T]) -> None:
        if len(value) != self.length:
            raise EncodeError(f"{self!r} takes exactly {self.length} items")
        for item in value:
            self.inner.encode_into(buf, item)

    def decode_from(self, data: bytes, offset: int) -> tuple[list[T], int]:
        out = []
        for _ in range(self.length):
            item, offset = self.inner.decode_from(data, offset)
            out.append(item)
        return out, offset

    def type_info(self) -> TypeInfo:
        return TypeInfo("array", inner=self.inner, length=self.length)

    def __repr__(self) -> str:
        return f"[{self.inner!r}; {self.length}]"


class Tuple(Codec[tuple[Any, ...]]):
    def __init__(self, *items: Codec[Any]) -> None:
        self.items = items

    def encode_into(self, buf: bytearray, value: tuple[Any, ...]) -> None:
        if len(value) != len(self.items):
            raise EncodeError(f"{self!r} takes {len(self.items)} items")
        for codec, item in zip(self.items, value, strict=True):
            codec.encode_into(buf, item)

    def decode_from(self, data: bytes, offset: int) -> tuple[tuple[Any, ...], int]:
        out = []
        for codec in self.items:
            item, offset = codec.decode_from(data, offset)
            out.append(item)
        return tuple(out), offset

    def type_info(self) -> TypeInfo:
        return TypeInfo("tuple", items=self.items)

    def __repr__(self) -> str:
        return "(" + ", ".join(repr(i) for i in self.items) + ")"


Unit = Tuple()


class Option(Codec[T | None]):
    def __init__(self, inner: Codec[T]) -> None:
        self.inner = inner

    def encode_into(self, buf: bytearray, value: T | None) -> None:
        if value is None:
            buf.append(0)
        else:
            buf.append(1)
            self.inner.encode_into(buf, value)

    def decode_from(self, data: bytes, offset: int) -> tuple[T | None, int]:
        if offset >= len(data):
            raise DecodeError("truncated Option")
        tag = data[offset]
        if tag == 0:
            return None, offset + 1
        if tag == 1:
            return self.inner.decode_from(data, offset + 1)
        raise DecodeError(f"invalid Option tag {tag}")

    def type_info(self) -> TypeInfo:
        return TypeInfo(
            "variant",
            path=("Option",),
            params=(("T", self.inner),),
            variants=(VariantInfo("None", 0), VariantInfo("Some", 1, (FieldInfo(None, self.inner),))),
        )

    def __repr__(self) -> str:
        return f"Option<{self.inner!r}>"


def field_(name: str | None, codec: Codec[Any], type_name: str | None = None, *docs: str) -> FieldInfo:
    """Shorthand for a struct or variant field."""
    return FieldInfo(name, codec, type_name, tuple(docs))


_INT_FORMATS = {1: "B", 2: "H", 4: "I", 8: "Q"}


class Struct(Codec[Any]):
    """A composite with named fields. Values are dicts, or instances of `cls` (a dataclass) if given.

    Structs made only of unsigned fixed-width integers are encoded with one precompiled
    `struct.Struct`, which makes hot types such as `AccountInfo` cheap.
    """

    def __init__(
        self,
        path: tuple[str, ...],
        fields: Sequence[FieldInfo],
        cls: Callable[..., Any] | None = None,
        params: tuple[tuple[str, Codec[Any] | None], ...] = (),
        docs: tuple[str, ...] = (),
    ) -> None:
        self.path, self.fields, self.cls, self.params, self.docs = path, tuple(fields), cls, params, docs
        self.names = tuple(f.name or f"_{i}" for i, f in enumerate(self.fields))
        self._layout = self._fast_layout()

    def _fast_layout(self) -> tuple[struct.Struct, tuple[int, ...]] | None:
        sizes = []
        for f in self.fields:
            if not isinstance(f.codec, _FixedInt) or f.codec.signed or f.codec.size > 16:
                return None
            sizes.append(f.codec.size)
        fmt = "<" + "".join("QQ" if s == 16 else _INT_FORMATS[s] for s in sizes)
        return struct.Struct(fmt), tuple(sizes)

    def _values(self, value: Any) -> list[Any]:
        if isinstance(value, dict):
            try:
                return [value[n] for n in self.names]
            except KeyError as exc:
                raise EncodeError(f"{self!r} is missing field {exc}") from None
        return [getattr(value, n) for n in self.names]

    def _build(self, values: Sequence[Any]) -> Any:
        if self.cls is not None:
            return self.cls(*values)
        return dict(zip(self.names, values, strict=True))

    def encode_into(self, buf: bytearray, value: Any) -> None:
        values = self._values(value)
        if self._layout is not None:
            packer, sizes = self._layout
            flat: list[int] = []
            for v, s in zip(values, sizes, strict=True):
                if s == 16:
                    if not 0 <= v < 1 << 128:
                        raise EncodeError(f"{v!r} does not fit u128")
                    flat += (v & 0xFFFFFFFFFFFFFFFF, v >> 64)
                else:
                    flat.append(v)
            try:
                buf += packer.pack(*flat)
            except struct.error as exc:
                raise EncodeError(f"{self!r}: {exc}") from None
            return
        for f, v in zip(self.fields, values, strict=True):
            f.codec.encode_into(buf, v)

    def decode_from(self, data: bytes, offset: int) -> tuple[Any, int]:
        if self._layout is not None:
            packer, sizes = self._layout
            end = offset + packer.size
            if end > len(data):
                raise DecodeError(f"truncated {self!r}")
            flat = packer.unpack_from(data, offset)
            values: list[Any] = []
            i = 0
            for s in sizes:
                if s == 16:
                    values.append(flat[i] | (flat[i + 1] << 64))
                    i += 2
                else:
                    values.append(flat[i])
                    i += 1
            return self._build(values), end
        values = []
        for f in self.fields:
            v, offset = f.codec.decode_from(data, offset)
            values.append(v)
        return self._build(values), offset

    def type_info(self) -> TypeInfo:
        return TypeInfo("composite", path=self.path, params=self.params, fields=self.fields, docs=self.docs)

    def __repr__(self) -> str:
        return "::".join(self.path) or "Struct"


class Enum(Codec[tuple[str, Any]]):
    """A tagged union; the tag byte is the variant's `index` (indices need not be contiguous)."""

    def __init__(
        self,
        path: tuple[str, ...],
        variants: Sequence[VariantInfo],
        params: tuple[tuple[str, Codec[Any] | None], ...] = (),
        docs: tuple[str, ...] = (),
    ) -> None:
        self.path, self.variants, self.params, self.docs = path, tuple(variants), params, docs
        self.by_name = {v.name: v for v in self.variants}
        self.by_index = {v.index: v for v in self.variants}
        if len(self.by_name) != len(self.variants) or len(self.by_index) != len(self.variants):
            raise ValueError(f"{self!r}: duplicate variant names or indices")

    def encode_into(self, buf: bytearray, value: tuple[str, Any] | str) -> None:
        payload: Any
        if isinstance(value, str):
            name, payload = value, None
        else:
            name, payload = value
        variant = self.by_name.get(name)
        if variant is None:
            raise EncodeError(f"{self!r} has no variant {name!r}")
        buf.append(variant.index)
        fields = variant.fields
        if not fields:
            return
        if len(fields) == 1 and fields[0].name is None:
            fields[0].codec.encode_into(buf, payload)
        elif fields[0].name is None:
            for f, v in zip(fields, payload, strict=True):
                f.codec.encode_into(buf, v)
        else:
            if not isinstance(payload, dict):
                raise EncodeError(f"{self!r}::{name} takes a dict of named fields")
            for f in fields:
                try:
                    f.codec.encode_into(buf, payload[f.name])
                except KeyError:
                    raise EncodeError(f"{self!r}::{name} is missing field {f.name!r}") from None

    def decode_from(self, data: bytes, offset: int) -> tuple[tuple[str, Any], int]:
        if offset >= len(data):
            raise DecodeError(f"truncated {self!r}")
        variant = self.by_index.get(data[offset])
        if variant is None:
            raise DecodeError(f"{self!r} has no variant with index {data[offset]}")
        offset += 1
        fields = variant.fields
        if not fields:
            return (variant.name, None), offset
        if len(fields) == 1 and fields[0].name is None:
            value, offset = fields[0].codec.decode_from(data, offset)
            return (variant.name, value), offset
        values = []
        for f in fields:
            v, offset = f.codec.decode_from(data, offset)
            values.append(v)
        if fields[0].name is None:
            return (variant.name, tuple(values)), offset
        return (variant.name, {f.name: v for f, v in zip(fields, values, strict=True)}), offset

    def type_info(self) -> TypeInfo:
        return TypeInfo("variant", path=self.path, params=self.params, variants=self.variants, docs=self.docs)

    def __repr__(self) -> str:
        return "::".join(self.path) or "Enum"


def variant(name: str, index: int, *fields: FieldInfo, docs: tuple[str, ...] = ()) -> VariantInfo:
    """Shorthand for an enum variant."""
    return VariantInfo(name, index, tuple(fields), docs)


# Common named types of the Substrate world, with the paths stock clients recognise.
H256 = FixedBytes(32, ("primitive_types", "H256"))
AccountId = FixedBytes(32, ("sp_core", "crypto", "AccountId32"))
Balance = U128
BlockNumber = U32
