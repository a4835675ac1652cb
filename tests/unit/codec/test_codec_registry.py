"""The metadata V14 type registry: scalecodec reads our `PortableRegistry` bytes back as we meant them."""

from __future__ import annotations

from typing import Any

from scalecodec.base import ScaleBytes

from phalanx.codec import (
    H256,
    U8,
    U16,
    U32,
    U128,
    AccountId,
    Array,
    Bool,
    Bytes,
    Codec,
    Compact,
    Enum,
    FieldInfo,
    FixedBytes,
    Option,
    Str,
    Struct,
    Tuple,
    TypeRegistry,
    Vec,
    encode_compact,
    field_,
    variant,
)
from tests.support.codec_reference import core_runtime

ACCOUNT_DATA = Struct(
    ("pallet_balances", "types", "AccountData"),
    [field_("free", U128, "Balance"), field_("reserved", U128, "Balance"), field_("frozen", U128, "Balance"),
     field_("flags", U128, "ExtraFlags")],
    params=(("Balance", U128),),
)  # fmt: skip
ACCOUNT_INFO = Struct(
    ("frame_system", "AccountInfo"),
    [field_("nonce", U32, "Nonce", "The number of transactions this account has sent."),
     field_("consumers", U32, "RefCount"), field_("providers", U32, "RefCount"),
     field_("sufficients", U32, "RefCount"), field_("data", ACCOUNT_DATA, "AccountData")],
    params=(("Nonce", U32), ("AccountData", ACCOUNT_DATA)),
    docs=("Information of an account.",),
)  # fmt: skip
CALL = Enum(
    ("pallet_balances", "pallet", "Call"),
    [
        variant("transfer_allow_death", 0, field_("dest", AccountId, "AccountIdLookupOf<T>"),
                field_("value", Compact(U128), "T::Balance"), docs=("Transfer some balance.",)),
        variant("force_unreserve", 5, field_("who", AccountId), field_("amount", U128)),
        variant("noop", 9),
        variant("pair", 12, field_(None, U8), field_(None, Str)),
    ],
    params=(("T", None),),
    docs=("Contains a variant per dispatchable.",),
)  # fmt: skip
ALL = [
    ACCOUNT_INFO,
    CALL,
    Option(U32),
    Bytes,
    H256,
    Tuple(U8, Bool),
    Array(U16, 3),
    Vec(CALL),
    Compact(U128),
    Tuple(),
]

_PRIMITIVE_NAMES = {
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "u256",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "bool",
    "str",
}


def _decode_registry(registry: TypeRegistry) -> list[dict[str, Any]]:
    portable = core_runtime().create_scale_object(
        "PortableRegistry", ScaleBytes(bytearray(registry.encode()))
    )
    types: list[dict[str, Any]] = portable.decode()["types"]
    return types


def _expected_fields(registry: TypeRegistry, fields: tuple[FieldInfo, ...]) -> list[dict[str, Any]]:
    return [
        {"name": f.name, "type": registry.register(f.codec), "typeName": f.type_name, "docs": list(f.docs)}
        for f in fields
    ]


def _expected(registry: TypeRegistry, codec: Codec[Any]) -> dict[str, Any]:
    """What the registry entry of `codec` must say, in scalecodec's decoded form."""
    info = codec.type_info()
    params = [{"name": n, "type": None if c is None else registry.register(c)} for n, c in info.params]
    if info.kind == "composite":
        definition: Any = {"composite": {"fields": _expected_fields(registry, info.fields)}}
    elif info.kind == "variant":
        variants = [
            {
                "name": v.name,
                "fields": _expected_fields(registry, v.fields),
                "index": v.index,
                "docs": list(v.docs),
            }
            for v in sorted(info.variants, key=lambda v: v.index)
        ]
        definition = {"variant": {"variants": variants}}
    elif info.kind == "sequence":
        assert info.inner is not None
        definition = {"sequence": {"type": registry.register(info.inner)}}
    elif info.kind == "compact":
        assert info.inner is not None
        definition = {"compact": {"type": registry.register(info.inner)}}
    elif info.kind == "array":
        assert info.inner is not None
        definition = {"array": {"len": info.length, "type": registry.register(info.inner)}}
    elif info.kind == "tuple":
        definition = {"tuple": [registry.register(c) for c in info.items]}
    else:
        assert info.primitive in _PRIMITIVE_NAMES
        definition = {"primitive": info.primitive}
    return {"path": list(info.path), "params": params, "def": definition, "docs": list(info.docs)}


def _walk(codec: Codec[Any], seen: list[Codec[Any]]) -> None:
    """Every descriptor reachable from `codec` (the types the registry must hold)."""
    seen.append(codec)
    info = codec.type_info()
    children = [c for _, c in info.params if c is not None]
    children += [f.codec for f in info.fields]
    children += [f.codec for v in info.variants for f in v.fields]
    children += [info.inner] if info.inner is not None else []
    children += list(info.items)
    for child in children:
        _walk(child, seen)


def test_scalecodec_reads_every_type_as_registered() -> None:
    registry = TypeRegistry()
    for codec in ALL:
        registry.register(codec)
    decoded = _decode_registry(registry)
    assert [t["id"] for t in decoded] == list(range(len(registry)))
    reachable: list[Codec[Any]] = []
    for codec in ALL:
        _walk(codec, reachable)
    covered = set()
    for codec in reachable:
        type_id = registry.register(codec)
        covered.add(type_id)
        assert decoded[type_id]["type"] == _expected(registry, codec), repr(codec)
    assert covered == set(range(len(registry)))  # nothing registered that no descriptor asked for


def test_known_entries_read_back_by_scalecodec() -> None:
    registry = TypeRegistry()
    info_id = registry.register(ACCOUNT_INFO)
    call_id = registry.register(CALL)
    types = _decode_registry(registry)
    info = types[info_id]["type"]
    assert info["path"] == ["frame_system", "AccountInfo"]
    assert [f["name"] for f in info["def"]["composite"]["fields"]] == [
        "nonce", "consumers", "providers", "sufficients", "data"
    ]  # fmt: skip
    assert info["def"]["composite"]["fields"][0]["docs"] == [
        "The number of transactions this account has sent."
    ]
    assert info["docs"] == ["Information of an account."]
    call = types[call_id]["type"]
    assert [(v["name"], v["index"]) for v in call["def"]["variant"]["variants"]] == [
        ("transfer_allow_death", 0), ("force_unreserve", 5), ("noop", 9), ("pair", 12)
    ]  # fmt: skip
    assert call["params"] == [{"name": "T", "type": None}]
    value_type = types[call["def"]["variant"]["variants"][0]["fields"][1]["type"]]["type"]
    assert value_type["def"] == {"compact": {"type": registry.register(U128)}}
    assert types[registry.register(U128)]["type"]["def"] == {"primitive": "u128"}


def test_structurally_identical_types_share_an_id() -> None:
    registry = TypeRegistry()
    first = registry.register(Struct(("a", "S"), [field_("x", U32), field_("y", Vec(U8))]))
    size = len(registry)
    again = Struct(("a", "S"), [field_("x", U32), field_("y", Bytes)])  # Bytes is Vec<u8>
    assert registry.register(again) == first
    assert len(registry) == size
    assert registry.register(Vec(U8)) == registry.register(Bytes)
    assert registry.register(FixedBytes(32)) == registry.register(Array(U8, 32))
    assert registry.register(Option(U32)) == registry.register(Option(U32))
    assert registry.register(Compact(U128)) == registry.register(Compact(U128))
    assert registry.register(Tuple(U8, Bool)) == registry.register(Tuple(U8, Bool))
    assert len({registry.register(U32) for _ in range(3)}) == 1
    # a different path, field name, type name or doc is a different type
    distinct = [
        registry.register(Struct(("a", "T"), [field_("x", U32), field_("y", Bytes)])),
        registry.register(Struct(("a", "S"), [field_("z", U32), field_("y", Bytes)])),
        registry.register(Struct(("a", "S"), [field_("x", U32, "Nonce"), field_("y", Bytes)])),
        registry.register(Struct(("a", "S"), [field_("x", U32), field_("y", Bytes)], docs=("doc",))),
        registry.register(H256),
        registry.register(AccountId),
    ]
    assert len(set(distinct) | {first}) == len(distinct) + 1
    assert [t["id"] for t in _decode_registry(registry)] == list(range(len(registry)))


def test_minimal_metadata_v14_loads_into_a_runtime_configuration() -> None:
    registry = TypeRegistry()
    call_id = registry.register(CALL)
    info_id = registry.register(ACCOUNT_INFO)
    unit_id = registry.register(Tuple())
    # RuntimeMetadataPrefixed: magic, version 14, types, pallets (none), extrinsic {ty, version, signed
    # extensions}, runtime type
    metadata = (
        b"meta" + bytes([14]) + registry.encode() + encode_compact(0)
        + encode_compact(unit_id) + bytes([4]) + encode_compact(0) + encode_compact(unit_id)
    )  # fmt: skip
    runtime = core_runtime()
    decoded = runtime.create_scale_object("MetadataVersioned", ScaleBytes(bytearray(metadata)))
    decoded.decode()
    runtime.add_portable_registry(decoded)
    value = {"nonce": 3, "consumers": 0, "providers": 1, "sufficients": 0,
             "data": {"free": 10**15, "reserved": 0, "frozen": 0, "flags": 1 << 127}}  # fmt: skip
    data = ACCOUNT_INFO.encode(value)
    assert (
        runtime.create_scale_object(f"scale_info::{info_id}", ScaleBytes(bytearray(data))).decode() == value
    )
    call = CALL.encode(("transfer_allow_death", {"dest": b"\x01" * 32, "value": 12345}))
    read = runtime.create_scale_object(f"scale_info::{call_id}", ScaleBytes(bytearray(call))).decode()
    assert read == {"transfer_allow_death": {"dest": "0x" + "01" * 32, "value": 12345}}
