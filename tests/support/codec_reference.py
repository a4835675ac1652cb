"""scalecodec as the reference SCALE implementation, and hypothesis strategies for descriptors and values.

`ScaleReference` registers our descriptors in a `TypeRegistry`, lets scalecodec decode the resulting
`PortableRegistry` and builds its decoder classes from it, so every descriptor (nested shapes too) gets
an independent encoder/decoder to compare against. `expected_value` / `encodable_value` translate a
value from our representation into the two shapes scalecodec decodes to and accepts.
"""

from __future__ import annotations

import itertools
import string
from typing import Any

from hypothesis import strategies as st
from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset

from phalanx.codec import (
    H256,
    I8,
    I16,
    I32,
    I64,
    I128,
    U8,
    U16,
    U32,
    U64,
    U128,
    AccountId,
    Array,
    Bool,
    Bytes,
    Codec,
    Compact,
    Enum,
    FixedBytes,
    Option,
    Str,
    Struct,
    Tuple,
    TypeRegistry,
    Vec,
    field_,
    variant,
)
from phalanx.codec.types import _FixedInt

FIXED_INTS = (U8, U16, U32, U64, U128, I8, I16, I32, I64, I128)
_prefixes = itertools.count()
_paths = itertools.count()


def core_runtime() -> RuntimeConfigurationObject:
    runtime = RuntimeConfigurationObject()
    runtime.update_type_registry(load_type_registry_preset("core"))
    return runtime


class ScaleReference:
    """scalecodec decoders for a set of our descriptors, built from our own registry bytes."""

    def __init__(self, *codecs: Codec[Any]) -> None:
        self.registry = TypeRegistry()
        self.ids = {id(c): self.registry.register(c) for c in codecs}
        self.runtime = core_runtime()
        portable = self.runtime.create_scale_object("PortableRegistry", ScaleBytes(self.registry.encode()))
        portable.decode()
        self.known = len(self.registry)
        self.portable = portable
        self.prefix = f"phx{next(_prefixes)}"
        self.runtime.update_from_scale_info_types(
            portable.value_object["types"].value_object, prefix=self.prefix
        )

    def _type(self, codec: Codec[Any]) -> str:
        # a structurally identical descriptor object resolves to the registered id (dedupe)
        type_id = self.registry.register(codec)
        if type_id >= self.known:
            raise KeyError(f"{codec!r} was not registered when scalecodec read the registry")
        return f"{self.prefix}::{type_id}"

    def encode(self, codec: Codec[Any], value: Any) -> bytes:
        obj = self.runtime.create_scale_object(self._type(codec))
        return bytes(obj.encode(encodable_value(codec, value)).data)

    def decode(self, codec: Codec[Any], data: bytes) -> Any:
        obj = self.runtime.create_scale_object(self._type(codec), ScaleBytes(bytearray(data)))
        return obj.decode()


def _is_u8(codec: Codec[Any]) -> bool:
    return codec is U8


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


def expected_value(codec: Codec[Any], value: Any) -> Any:
    """`value` (our representation) as scalecodec decodes it."""
    if isinstance(codec, FixedBytes):
        return _hex(value)
    if codec is Bytes or (isinstance(codec, Vec) and _is_u8(codec.inner)):
        raw = bytes(value)
        try:
            return raw.decode()
        except UnicodeDecodeError:
            return _hex(raw)
    if isinstance(codec, Array):
        if _is_u8(codec.inner):
            return _hex(bytes(value))
        return [expected_value(codec.inner, v) for v in value]
    if isinstance(codec, Vec):
        return [expected_value(codec.inner, v) for v in value]
    if isinstance(codec, Tuple):
        items = tuple(expected_value(c, v) for c, v in zip(codec.items, value, strict=True))
        return items[0] if len(items) == 1 else items
    if isinstance(codec, Option):
        return None if value is None else expected_value(codec.inner, value)
    if isinstance(codec, Struct):
        return {f.name: expected_value(f.codec, value[f.name]) for f in codec.fields}
    if isinstance(codec, Enum):
        name, payload = (value, None) if isinstance(value, str) else value
        fields = codec.by_name[name].fields
        if not fields:
            return name
        if len(fields) == 1 and fields[0].name is None:
            return {name: expected_value(fields[0].codec, payload)}
        if fields[0].name is None:
            return {name: tuple(expected_value(f.codec, v) for f, v in zip(fields, payload, strict=True))}
        return {name: {f.name: expected_value(f.codec, payload[f.name]) for f in fields}}
    return value


def encodable_value(codec: Codec[Any], value: Any) -> Any:
    """`value` (our representation) in the form scalecodec's encoder takes."""
    if isinstance(codec, FixedBytes) or codec is Bytes:
        return _hex(bytes(value))
    if codec is Str:  # scalecodec reads any "0x..." text as hex, so always hand it the UTF-8 as hex
        return _hex(value.encode())
    if isinstance(codec, Vec | Array) and _is_u8(codec.inner):
        return _hex(bytes(value))
    if isinstance(codec, Vec | Array):
        return [encodable_value(codec.inner, v) for v in value]
    if isinstance(codec, Tuple):
        return [encodable_value(c, v) for c, v in zip(codec.items, value, strict=True)]
    if isinstance(codec, Option):
        return None if value is None else encodable_value(codec.inner, value)
    if isinstance(codec, Struct):
        return {f.name: encodable_value(f.codec, value[f.name]) for f in codec.fields}
    if isinstance(codec, Enum):
        name, payload = (value, None) if isinstance(value, str) else value
        fields = codec.by_name[name].fields
        if not fields:
            return name
        if len(fields) == 1 and fields[0].name is None:
            return {name: encodable_value(fields[0].codec, payload)}
        if fields[0].name is None:
            return {name: [encodable_value(f.codec, v) for f, v in zip(fields, payload, strict=True)]}
        return {name: {f.name: encodable_value(f.codec, payload[f.name]) for f in fields}}
    return value


# --- strategies ------------------------------------------------------------------------------------


def int_range(codec: _FixedInt) -> tuple[int, int]:
    if codec.signed:
        return -(1 << (codec.bits - 1)), (1 << (codec.bits - 1)) - 1
    return 0, (1 << codec.bits) - 1


def values(codec: Codec[Any]) -> st.SearchStrategy[Any]:
    """Values of the type `codec` describes, in our representation."""
    if isinstance(codec, _FixedInt):
        lo, hi = int_range(codec)
        return st.integers(lo, hi)
    if isinstance(codec, Compact):
        assert isinstance(codec.inner, _FixedInt)
        return st.integers(0, (1 << codec.inner.bits) - 1)
    if codec is Bool:
        return st.booleans()
    if codec is Str:
        return st.text(max_size=24)
    if codec is Bytes:
        return st.binary(max_size=80)
    if isinstance(codec, FixedBytes):
        return st.binary(min_size=codec.length, max_size=codec.length)
    if isinstance(codec, Vec):
        return st.lists(values(codec.inner), max_size=4)
    if isinstance(codec, Array):
        return st.lists(values(codec.inner), min_size=codec.length, max_size=codec.length)
    if isinstance(codec, Tuple):
        return st.tuples(*(values(c) for c in codec.items))
    if isinstance(codec, Option):
        return st.none() | values(codec.inner)
    if isinstance(codec, Struct):
        return st.fixed_dictionaries({f.name: values(f.codec) for f in codec.fields})
    if isinstance(codec, Enum):
        return st.one_of(*(_variant_values(v) for v in codec.variants))
    raise TypeError(f"no value strategy for {codec!r}")


def _variant_values(v: Any) -> st.SearchStrategy[Any]:
    if not v.fields:
        return st.just(v.name) | st.just((v.name, None))
    if len(v.fields) == 1 and v.fields[0].name is None:
        return st.tuples(st.just(v.name), values(v.fields[0].codec))
    if v.fields[0].name is None:
        return st.tuples(st.just(v.name), st.tuples(*(values(f.codec) for f in v.fields)))
    return st.tuples(st.just(v.name), st.fixed_dictionaries({f.name: values(f.codec) for f in v.fields}))


LEAF_CODECS: list[Codec[Any]] = [
    *FIXED_INTS, Bool, Str, Bytes, H256, AccountId,
    Compact(U8), Compact(U16), Compact(U32), Compact(U64), Compact(U128),
]  # fmt: skip

_field_names = st.lists(
    st.text(string.ascii_lowercase, min_size=1, max_size=6).map(lambda s: "f_" + s),
    min_size=1,
    max_size=4,
    unique=True,
)
_variant_names = st.lists(
    st.text(string.ascii_lowercase, min_size=1, max_size=6).map(lambda s: "V" + s),
    min_size=1,
    max_size=4,
    unique=True,
)


def _path() -> tuple[str, ...]:
    return ("phx_test", f"T{next(_paths)}")


@st.composite
def _struct(draw: st.DrawFn, children: st.SearchStrategy[Codec[Any]]) -> Codec[Any]:
    names = draw(_field_names)
    return Struct(_path(), [field_(n, draw(children)) for n in names])


@st.composite
def _enum(draw: st.DrawFn, children: st.SearchStrategy[Codec[Any]]) -> Codec[Any]:
    names = draw(_variant_names)
    indices = draw(st.lists(st.integers(0, 255), min_size=len(names), max_size=len(names), unique=True))
    variants = []
    for name, index in zip(names, indices, strict=True):
        kind = draw(st.sampled_from(["unit", "one", "many", "named"]))
        if kind == "unit":
            fields = []
        elif kind == "one":
            fields = [field_(None, draw(children))]
        elif kind == "many":
            fields = [field_(None, draw(children)) for _ in range(draw(st.integers(2, 3)))]
        else:
            fields = [field_(n, draw(children)) for n in draw(_field_names)]
        variants.append(variant(name, index, *fields))
    return Enum(_path(), variants)


def _extend(children: st.SearchStrategy[Codec[Any]]) -> st.SearchStrategy[Codec[Any]]:
    return st.one_of(
        children.map(Vec),
        st.builds(Array, children, st.integers(1, 4)),
        st.lists(children, min_size=2, max_size=3).map(lambda cs: Tuple(*cs)),
        # Option<Option<T>> has no unambiguous value form in scalecodec (Some(None) reads as None).
        children.filter(lambda c: not isinstance(c, Option)).map(Option),
        _struct(children),
        _enum(children),
    )


codecs = st.recursive(
    st.sampled_from(LEAF_CODECS) | st.integers(1, 40).map(FixedBytes), _extend, max_leaves=8
)


@st.composite
def codec_and_value(draw: st.DrawFn) -> tuple[Codec[Any], Any]:
    codec = draw(codecs)
    return codec, draw(values(codec))
