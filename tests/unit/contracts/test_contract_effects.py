"""Egress effects: golden encodings, validation, and the sink's mark / rollback / drain."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phalanx.contracts import (
    EFFECT,
    BadEffect,
    EgressSink,
    PublicEvent,
    Withdraw,
    decode_effect,
    encode_effect,
)

TO = bytes([0x44]) * 32


def u128(n: int) -> bytes:
    return n.to_bytes(16, "little")


def test_withdraw_golden() -> None:
    effect = Withdraw(TO, 10**12)
    data = bytes.fromhex("00") + TO + bytes.fromhex("0010a5d4e8") + bytes(11)
    assert encode_effect(effect) == data
    assert decode_effect(data) == effect


def test_public_event_golden() -> None:
    effect = PublicEvent("tally", b"\x01\x02")
    data = bytes.fromhex("01" + "14" + "74616c6c79" + "08" + "0102")
    assert encode_effect(effect) == data
    assert decode_effect(data) == effect


def test_effect_type_info_names_its_variants() -> None:
    info = EFFECT.type_info()
    assert info.path == ("phalanx", "contracts", "Effect")
    assert [(v.name, v.index) for v in info.variants] == [("Withdraw", 0), ("PublicEvent", 1)]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x02",
        b"\x00" + TO,  # amount missing
        b"\x00" + TO + u128(0),  # zero amount is not a payout
        b"\x00" + TO + u128(1) + b"\x00",  # trailing byte
        b"\x01\x00\x00",  # empty topic
        b"\x01\x04\xff\xff\x00",  # topic not UTF-8
    ],
)
def test_malformed_effects_are_typed_errors(data: bytes) -> None:
    with pytest.raises(BadEffect):
        decode_effect(data)


@given(st.binary(max_size=80))
def test_decoding_any_bytes_gives_an_effect_or_bad_effect(data: bytes) -> None:
    try:
        effect = decode_effect(data)
    except BadEffect:
        return
    assert encode_effect(effect) == data


@pytest.mark.parametrize(
    "build",
    [
        lambda: Withdraw(b"\x00" * 31, 1),
        lambda: Withdraw(TO, 0),
        lambda: Withdraw(TO, 1 << 128),
        lambda: PublicEvent("", b""),
        lambda: PublicEvent("t" * 65, b""),
        lambda: PublicEvent("t", b"\x00" * 4097),
    ],
)
def test_effects_validate_their_fields(build: object) -> None:
    with pytest.raises(BadEffect):
        build()  # type: ignore[operator]


def test_sink_mark_rollback_drain() -> None:
    sink = EgressSink()
    sink.emit(Withdraw(TO, 1))
    mark = sink.mark()
    sink.emit(Withdraw(TO, 2))
    sink.emit(PublicEvent("t", b""))
    assert len(sink) == 3
    sink.rollback(mark)
    assert sink.effects == (Withdraw(TO, 1),)
    assert sink.drain() == (Withdraw(TO, 1),)
    assert len(sink) == 0
    assert not sink.effects
