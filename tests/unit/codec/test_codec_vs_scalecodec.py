"""Every descriptor against scalecodec, byte for byte, both directions, on chosen and generated values."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from scalecodec.base import ScaleBytes

from phalanx.codec import (
    H256,
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
    Vec,
    field_,
    variant,
)
from tests.support.codec_reference import (
    FIXED_INTS,
    ScaleReference,
    codec_and_value,
    core_runtime,
    encodable_value,
    expected_value,
    int_range,
)


def check_both_ways(ref: ScaleReference, codec: Codec[Any], value: Any) -> bytes:
    ours = codec.encode(value)
    theirs = ref.encode(codec, value)
    assert ours == theirs, f"{codec!r} {value!r}: ours {ours.hex()} scalecodec {theirs.hex()}"
    assert ref.decode(codec, ours) == expected_value(codec, value)
    assert codec.decode(theirs) == _normal(codec, value)
    return ours


def _normal(codec: Codec[Any], value: Any) -> Any:
    """Our decoded form of `value`: unit variants come back as (name, None), bytearrays as bytes."""
    if isinstance(codec, Enum):
        name, payload = (value, None) if isinstance(value, str) else value
        fields = codec.by_name[name].fields
        if not fields:
            return (name, None)
        if len(fields) == 1 and fields[0].name is None:
            return (name, _normal(fields[0].codec, payload))
        if fields[0].name is None:
            return (name, tuple(_normal(f.codec, v) for f, v in zip(fields, payload, strict=True)))
        return (name, {f.name: _normal(f.codec, payload[f.name]) for f in fields})
    if isinstance(codec, Struct):
        return {f.name: _normal(f.codec, value[f.name]) for f in codec.fields}
    if isinstance(codec, Vec | Array):
        return [_normal(codec.inner, v) for v in value]
    if isinstance(codec, Tuple):
        return tuple(_normal(c, v) for c, v in zip(codec.items, value, strict=True))
    if isinstance(codec, Option):
        return None if value is None else _normal(codec.inner, value)
    if isinstance(value, bytearray):
        return bytes(value)
    return value


# --- fixed-width integers, bool, strings, bytes ----------------------------------------------------

INT_REF = ScaleReference(*FIXED_INTS)


@pytest.mark.parametrize("codec", FIXED_INTS, ids=repr)
def test_fixed_int_boundaries(codec: Any) -> None:
    lo, hi = int_range(codec)
    for value in {lo, lo + 1, -1 if codec.signed else 1, 0, hi - 1, hi, hi // 2, lo // 2}:
        data = check_both_ways(INT_REF, codec, value)
        assert len(data) == codec.size


@pytest.mark.parametrize("codec", FIXED_INTS, ids=repr)
def test_fixed_int_out_of_range_is_refused(codec: Any) -> None:
    from phalanx.codec import EncodeError

    lo, hi = int_range(codec)
    for bad in (lo - 1, hi + 1, "1", 1.5, None):
        with pytest.raises(EncodeError):
            codec.encode(bad)


def test_fixed_ints_decode_little_endian() -> None:
    assert U32.decode(bytes.fromhex("01020304")) == 0x04030201
    assert U16.encode(0x1234) == b"\x34\x12"
    assert U128.encode(1) == b"\x01" + b"\x00" * 15


BASIC_REF = ScaleReference(Bool, Str, Bytes, FixedBytes(4), FixedBytes(32), H256, AccountId, Vec(U8))


def test_bool() -> None:
    assert check_both_ways(BASIC_REF, Bool, True) == b"\x01"
    assert check_both_ways(BASIC_REF, Bool, False) == b"\x00"


@pytest.mark.parametrize(
    "text",
    ["", "a", "hello, world", "héllo wörld", "日本語のテキスト", "emoji \U0001f600\U0001f680",
     "x" * 63, "y" * 64, "z" * 16384, "0x1234"],
    ids=lambda t: f"{t[:12]!r}/{len(t)}",
)  # fmt: skip
def test_str_unicode(text: str) -> None:
    data = check_both_ways(BASIC_REF, Str, text)
    assert Str.decode(data) == text


@pytest.mark.parametrize(
    "raw", [b"", b"\x00", b"abc", bytes(range(256)), b"\xff" * 63, b"\xfe" * 64, b"q" * 16384]
)
def test_bytes(raw: bytes) -> None:
    check_both_ways(BASIC_REF, Bytes, raw)
    check_both_ways(BASIC_REF, Vec(U8), list(raw))
    assert Bytes.decode(Bytes.encode(bytearray(raw))) == raw


def test_vec_u8_and_bytes_are_the_same_bytes() -> None:
    ref = ScaleReference(Vec(U8), Bytes)
    assert ref.encode(Vec(U8), [1, 2, 3]) == Vec(U8).encode([1, 2, 3]) == Bytes.encode(b"\x01\x02\x03")


@pytest.mark.parametrize("codec", [FixedBytes(4), FixedBytes(32), H256, AccountId], ids=repr)
def test_fixed_bytes(codec: FixedBytes) -> None:
    value = bytes(range(codec.length))
    assert check_both_ways(BASIC_REF, codec, value) == value


# --- compact integers --------------------------------------------------------------------------------

COMPACT_BOUNDARIES = [
    0, 1, 2**6 - 1, 2**6, 2**14 - 1, 2**14, 2**30 - 1, 2**30, 2**32 - 1, 2**32, 2**40, 2**48 + 5,
    2**56 - 1, 2**56, 2**64 - 1, 2**64, 2**100, 2**127, 2**128 - 1,
]  # fmt: skip
COMPACTS = [Compact(U8), Compact(U16), Compact(U32), Compact(U64), Compact(U128)]
COMPACT_REF = ScaleReference(*COMPACTS)


@pytest.mark.parametrize("value", COMPACT_BOUNDARIES)
def test_compact_boundaries_match_scalecodec(value: int) -> None:
    for codec in COMPACTS:
        assert isinstance(codec.inner, type(U8))
        if value < 1 << codec.inner.bits:
            check_both_ways(COMPACT_REF, codec, value)


@pytest.mark.parametrize(
    ("value", "encoding"),
    [
        (0, "00"), (1, "04"), (63, "fc"), (64, "0101"), (16383, "fdff"), (16384, "02000100"),
        (2**30 - 1, "feffffff"), (2**30, "0300000040"), (2**32 - 1, "03ffffffff"), (2**32, "070000000001"),
        (2**64, "17" + "00" * 8 + "01"), (2**128 - 1, "33" + "ff" * 16),
    ],
)  # fmt: skip
def test_compact_known_encodings(value: int, encoding: str) -> None:
    assert Compact(U128).encode(value).hex() == encoding


def test_compact_matches_scalecodec_type_strings() -> None:
    runtime = core_runtime()
    for value in COMPACT_BOUNDARIES:
        theirs = bytes(runtime.create_scale_object("Compact<u128>").encode(value).data)
        assert Compact(U128).encode(value) == theirs
        assert runtime.create_scale_object("Compact<u128>", ScaleBytes(bytearray(theirs))).decode() == value


# --- composites --------------------------------------------------------------------------------------

ACCOUNT_DATA = Struct(
    ("pallet_balances", "types", "AccountData"),
    [field_("free", U128), field_("reserved", U128), field_("frozen", U128), field_("flags", U128)],
)
ACCOUNT_INFO = Struct(
    ("frame_system", "AccountInfo"),
    [field_("nonce", U32), field_("consumers", U32), field_("providers", U32), field_("sufficients", U32),
     field_("data", ACCOUNT_DATA)],
)  # fmt: skip
MIXED = Struct(
    ("phx_test", "Mixed"),
    [field_("id", AccountId), field_("amount", Compact(U128)), field_("memo", Option(Str)),
     field_("tags", Vec(Str)), field_("pair", Tuple(U8, Bool)), field_("grid", Array(U16, 3))],
)  # fmt: skip
MULTI = Enum(
    ("phx_test", "Multi"),
    [
        variant("Unit", 0),
        variant("One", 3, field_(None, U64)),
        variant("Several", 4, field_(None, U8), field_(None, Str), field_(None, Option(U32))),
        variant("Named", 9, field_("who", AccountId), field_("value", Compact(U128))),
        variant("Last", 255),
    ],
)
COMPOSITE_REF = ScaleReference(
    ACCOUNT_INFO, MIXED, MULTI, Vec(MULTI), Option(MULTI), Option(U32), Option(Bool), Tuple(U8, U32, Str),
    Array(U32, 2), Vec(Vec(U16)), Tuple(),
)  # fmt: skip


def test_account_info_struct() -> None:
    value = {"nonce": 7, "consumers": 1, "providers": 1, "sufficients": 0,
             "data": {"free": 10**18, "reserved": 2**128 - 1, "frozen": 0, "flags": 1 << 127}}  # fmt: skip
    data = check_both_ways(COMPOSITE_REF, ACCOUNT_INFO, value)
    assert len(data) == 16 + 64


def test_mixed_struct() -> None:
    value = {"id": bytes(range(32)), "amount": 2**70, "memo": "héllo", "tags": ["a", "", "ü"],
             "pair": (255, True), "grid": [0, 1, 65535]}  # fmt: skip
    check_both_ways(COMPOSITE_REF, MIXED, {**value})
    check_both_ways(COMPOSITE_REF, MIXED, {**value, "memo": None, "tags": []})


@pytest.mark.parametrize(
    "value",
    [
        "Unit", ("Unit", None), ("One", 2**64 - 1), ("Several", (1, "x", None)), ("Several", (0, "", 7)),
        ("Named", {"who": b"\x07" * 32, "value": 2**14}), "Last",
    ],
)  # fmt: skip
def test_enum_variants_and_non_contiguous_indices(value: Any) -> None:
    data = check_both_ways(COMPOSITE_REF, MULTI, value)
    name = value if isinstance(value, str) else value[0]
    assert data[0] == MULTI.by_name[name].index


def test_vec_option_tuple_array() -> None:
    check_both_ways(
        COMPOSITE_REF, Vec(MULTI), ["Unit", ("One", 5), ("Named", {"who": bytes(32), "value": 1})]
    )
    check_both_ways(COMPOSITE_REF, Vec(MULTI), [])
    check_both_ways(COMPOSITE_REF, Option(MULTI), None)
    check_both_ways(COMPOSITE_REF, Option(MULTI), ("One", 1))
    assert check_both_ways(COMPOSITE_REF, Option(U32), 0) == b"\x01\x00\x00\x00\x00"
    assert check_both_ways(COMPOSITE_REF, Option(U32), None) == b"\x00"
    # Option<bool> is the generic Option in Rust (the one-byte form is the separate `OptionBool`).
    assert check_both_ways(COMPOSITE_REF, Option(Bool), False) == b"\x01\x00"
    check_both_ways(COMPOSITE_REF, Tuple(U8, U32, Str), (1, 2, "three"))
    check_both_ways(COMPOSITE_REF, Array(U32, 2), [1, 2**32 - 1])
    check_both_ways(COMPOSITE_REF, Vec(Vec(U16)), [[], [1], [2, 3]])
    assert Tuple().encode(()) == b"" and Tuple().decode(b"") == ()


# --- generated shapes ----------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(codec_and_value())
def test_generated_shapes_match_scalecodec(case: tuple[Codec[Any], Any]) -> None:
    codec, value = case
    ref = ScaleReference(codec)
    check_both_ways(ref, codec, value)


@settings(max_examples=300, deadline=None)
@given(codec_and_value())
def test_generated_shapes_round_trip(case: tuple[Codec[Any], Any]) -> None:
    codec, value = case
    data = codec.encode(value)
    assert codec.decode(data) == _normal(codec, value)
    # decode_prefix reads exactly one value and says where it ended
    assert codec.decode_prefix(b"\xaa" + data + b"\xbb", 1) == (_normal(codec, value), 1 + len(data))


def test_encodable_value_helper_is_consistent() -> None:
    # guards the helper itself: a Bytes value that looks like hex text must still go in as bytes
    assert encodable_value(Bytes, b"0x12") == "0x" + b"0x12".hex()
    assert check_both_ways(BASIC_REF, Bytes, b"0x12") == b"\x100x12"
