"""Malformed input: decoding anything but a valid encoding raises `DecodeError` and nothing else.

Also the strictness Substrate has and scalecodec lacks: canonical compact integers, bool bytes 0/1,
Option tags 0/1, known enum indices, UTF-8 strings, no trailing bytes. And a differential check: when
we accept bytes, scalecodec reads the same value from them.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phalanx.codec import (
    U8,
    U16,
    U32,
    U64,
    U128,
    Bool,
    Bytes,
    Codec,
    Compact,
    DecodeError,
    EncodeError,
    Enum,
    Option,
    Str,
    Struct,
    Tuple,
    Vec,
    decode_compact,
    encode_compact,
    field_,
    variant,
)
from tests.support.codec_reference import LEAF_CODECS, ScaleReference, codec_and_value, codecs, expected_value


def decodes_or_refuses(codec: Codec[Any], data: bytes) -> tuple[bool, Any]:
    """(True, value) or (False, None); any exception but DecodeError fails the test."""
    try:
        return True, codec.decode(data)
    except DecodeError:
        return False, None


@settings(max_examples=300, deadline=None)
@given(codecs, st.binary(max_size=96))
def test_random_bytes_raise_only_decode_error(codec: Codec[Any], data: bytes) -> None:
    decodes_or_refuses(codec, data)
    for offset in (0, 1, len(data) // 2, len(data)):
        try:
            _, end = codec.decode_prefix(data, offset)
        except DecodeError:
            continue
        assert offset <= end <= len(data)


@st.composite
def _mutated(draw: st.DrawFn) -> tuple[Codec[Any], bytes]:
    codec, value = draw(codec_and_value())
    data = bytearray(codec.encode(value))
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["flip", "truncate", "extend", "insert", "delete"]))
        if op == "flip" and data:
            i = draw(st.integers(0, len(data) - 1))
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate" and data:
            del data[draw(st.integers(0, len(data) - 1)) :]
        elif op == "extend":
            data += draw(st.binary(min_size=1, max_size=4))
        elif op == "insert":
            data.insert(draw(st.integers(0, len(data))), draw(st.integers(0, 255)))
        elif op == "delete" and data:
            del data[draw(st.integers(0, len(data) - 1))]
    return codec, bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_mutated_encodings_decode_to_what_scalecodec_reads_or_are_refused(
    case: tuple[Codec[Any], bytes],
) -> None:
    codec, data = case
    ok, value = decodes_or_refuses(codec, data)
    if ok:
        assert codec.encode(value) == data  # what we accept is canonical: it re-encodes to the same bytes
        assert ScaleReference(codec).decode(codec, data) == expected_value(codec, value)


@pytest.mark.parametrize("codec", LEAF_CODECS, ids=repr)
def test_empty_and_truncated_input(codec: Codec[Any]) -> None:
    for data in (b"", b"\x01", b"\x03\xff", b"\xff" * 3):
        ok, value = decodes_or_refuses(codec, data)
        if ok:
            assert codec.encode(value) == data


# --- compact integers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hex_bytes",
    [
        "0100",  # 0 in two-byte mode
        "fd00",  # 63 in two-byte mode
        "02000000",  # 0 in four-byte mode
        "feff0000",  # 16383 in four-byte mode
        "03ffffff3f",  # 2**30 - 1 in big-integer mode
        "0300000000",  # 0 in big-integer mode
        "07ffffffff00",  # 2**32 - 1 with a superfluous zero byte
        "17" + "00" * 9,  # 0 in nine bytes
        "13" + "ff" * 7 + "00",  # 2**56 - 1 written in 8 bytes
    ],
)
def test_non_canonical_compact_is_refused(hex_bytes: str) -> None:
    data = bytes.fromhex(hex_bytes)
    with pytest.raises(DecodeError):
        decode_compact(data)
    with pytest.raises(DecodeError):
        Compact(U128).decode(data)


@settings(max_examples=500, deadline=None)
@given(st.integers(0, (1 << 536) - 1))
def test_compact_round_trip_and_minimal_length(value: int) -> None:
    data = encode_compact(value)
    assert decode_compact(data) == (value, len(data))
    assert decode_compact(b"\x00\x00" + data + b"\x00", 2) == (value, 2 + len(data))
    if value >= 1 << 30:
        assert len(data) == 1 + max(4, (value.bit_length() + 7) // 8)


@settings(max_examples=500, deadline=None)
@given(st.binary(min_size=1, max_size=70))
def test_compact_decodes_only_its_canonical_encoding(data: bytes) -> None:
    try:
        value, end = decode_compact(data)
    except DecodeError:
        return
    assert encode_compact(value) == data[:end]


def test_compact_range_limits() -> None:
    assert encode_compact((1 << 536) - 1)[0] == 0xFF
    for bad in (-1, 1 << 536):
        with pytest.raises(EncodeError):
            encode_compact(bad)
    for inner, bits in ((U8, 8), (U16, 16), (U32, 32), (U64, 64), (U128, 128)):
        codec = Compact(inner)
        assert codec.decode(codec.encode((1 << bits) - 1)) == (1 << bits) - 1
        with pytest.raises(EncodeError):
            codec.encode(1 << bits)
        with pytest.raises(DecodeError):
            codec.decode(encode_compact(1 << bits))
    with pytest.raises(EncodeError):
        Compact(U32).encode("7")  # type: ignore[arg-type]


# --- other strictness -------------------------------------------------------------------------------

E = Enum(("phx_test", "E"), [variant("A", 0), variant("B", 5, field_(None, U8))])


@pytest.mark.parametrize(
    ("codec", "hex_bytes"),
    [
        (Bool, "02"), (Bool, "ff"), (Option(U8), "0201"), (Option(U8), "01"),
        (E, "01"), (E, "05"), (E, "0600"),
        (Str, "08c328"), (Str, "04ff"), (Str, "0c6869"), (U32, "010203"), (U32, "0102030405"),
        (Bytes, "fdff" + "00" * 10), (Bytes, "13" + "ff" * 8), (Vec(U64), "fdff0000"),
        (Vec(U8), "03ffffffff"), (Tuple(U8, U8), "01"), (Compact(U8), "0104"),
    ],
)  # fmt: skip
def test_invalid_encodings_are_refused(codec: Codec[Any], hex_bytes: str) -> None:
    with pytest.raises(DecodeError):
        codec.decode(bytes.fromhex(hex_bytes))


def test_trailing_bytes_are_refused_but_decode_prefix_reports_the_end() -> None:
    with pytest.raises(DecodeError, match="trailing"):
        U16.decode(b"\x01\x00\x00")
    assert U16.decode_prefix(b"\x01\x00\x00") == (1, 2)
    for offset in (-1, 4):
        with pytest.raises(DecodeError):
            U16.decode_prefix(b"\x01\x00\x00", offset)


def test_huge_length_prefix_does_not_allocate() -> None:
    huge = encode_compact(1 << 500)
    for codec in (Bytes, Str, Vec(U8), Vec(U128), Vec(Vec(U8))):
        with pytest.raises(DecodeError):
            codec.decode(huge)


class _Strict:
    def __init__(self, a: int) -> None:
        if a > 10:
            raise ValueError("too big")
        self.a = a


def test_struct_constructor_failure_is_a_decode_error() -> None:
    codec = Struct(("phx_test", "Strict"), [field_("a", U8)], cls=_Strict)
    assert codec.decode(b"\x05").a == 5
    with pytest.raises(DecodeError):
        codec.decode(b"\x0b")


@pytest.mark.parametrize(
    ("codec", "value"),
    [
        (U8, -1), (U8, 256), (U8, "x"), (Bytes, "text"), (Bytes, [1, 2]), (Str, b"raw"), (Str, "\ud800"),
        (Vec(U8), 5), (Tuple(U8, U8), (1,)), (Option(U8), 300), (E, "C"), (E, ("B", None)), (E, ("B",)),
        (Struct(("p", "S"), [field_("a", U8)]), {}), (Struct(("p", "S"), [field_("a", U128)]), {"a": -1}),
        (Struct(("p", "S"), [field_("a", U128)]), {"a": "1"}), (Struct(("p", "S"), [field_("a", U8)]), 3),
    ],
)  # fmt: skip
def test_unencodable_values_raise_encode_error(codec: Codec[Any], value: Any) -> None:
    with pytest.raises(EncodeError):
        codec.encode(value)
