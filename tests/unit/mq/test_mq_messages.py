"""Signed messages: tampering is refused, replays and gaps are refused, malformed bytes give typed errors."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phalanx.codec import DecodeError
from phalanx.crypto import Keypair, KeyType
from phalanx.errors import PhalanxError
from phalanx.mq import (
    CONTRACT_KEY_TOPIC,
    MASTER_KEY_TOPIC,
    AccountOrigin,
    BadSignature,
    ContractOrigin,
    GatekeeperOrigin,
    InvalidMessage,
    Message,
    OutOfOrder,
    Replayed,
    RuntimeOrigin,
    Signature,
    SignedMessage,
    Topic,
    WorkerOrigin,
    check_sequence,
    compute_origin_key,
)

SR = Keypair.from_suri("//Alice")
ED = Keypair.from_seed(b"\x42" * 32, KeyType.ED25519)
MSG = Message(WorkerOrigin(SR.public_key), Topic(b"phalanx/test/topic"), b"payload")


@pytest.mark.parametrize("keypair", [SR, ED], ids=["sr25519", "ed25519"])
def test_signed_message_verifies_and_round_trips(keypair: Keypair) -> None:
    signed = SignedMessage.sign(MSG, 3, keypair)
    assert signed.verify(keypair.public_key)
    assert signed.verify(keypair.public_key, keypair.key_type)
    assert SignedMessage.decode(signed.encode()) == signed
    assert check_sequence(3, signed, keypair.public_key) == 4


def test_ed25519_signatures_are_byte_identical() -> None:
    assert SignedMessage.sign(MSG, 1, ED).encode() == SignedMessage.sign(MSG, 1, ED).encode()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda s: replace(s, sequence=s.sequence + 1),
        lambda s: replace(s, message=replace(s.message, payload=b"payloaD")),
        lambda s: replace(s, message=replace(s.message, topic=Topic(b"phalanx/test/other"))),
        lambda s: replace(s, message=replace(s.message, origin=WorkerOrigin(ED.public_key))),
        lambda s: replace(s, message=replace(s.message, origin=GatekeeperOrigin())),
        lambda s: replace(s, signature=Signature(s.signature.key_type, bytes(64))),
    ],
    ids=["sequence", "payload", "topic", "origin", "origin-kind", "signature"],
)
def test_tampered_messages_are_refused(tamper: object) -> None:
    signed = SignedMessage.sign(MSG, 3, SR)
    forged = tamper(signed)  # type: ignore[operator]
    assert not forged.verify(SR.public_key)
    with pytest.raises(BadSignature):
        check_sequence(forged.sequence, forged, SR.public_key)


def test_wrong_key_and_wrong_scheme_are_refused() -> None:
    signed = SignedMessage.sign(MSG, 0, ED)
    assert not signed.verify(SR.public_key)
    assert not signed.verify(ED.public_key, KeyType.SR25519)
    with pytest.raises(BadSignature):
        check_sequence(0, signed, ED.public_key, KeyType.SR25519)


def test_flipping_any_encoded_byte_breaks_the_message() -> None:
    encoded = SignedMessage.sign(MSG, 9, ED).encode()
    for i in range(len(encoded)):
        flipped = encoded[:i] + bytes([encoded[i] ^ 0x01]) + encoded[i + 1 :]
        try:
            decoded = SignedMessage.decode(flipped)
        except DecodeError:
            continue
        assert not decoded.verify(ED.public_key), f"byte {i} flipped and the signature still verified"


def test_replays_and_gaps_are_refused() -> None:
    expected = 0
    sent = [SignedMessage.sign(MSG, n, ED) for n in range(3)]
    for msg in sent:
        expected = check_sequence(expected, msg, ED.public_key)
    assert expected == 3
    for msg in sent:
        with pytest.raises(Replayed):
            check_sequence(expected, msg, ED.public_key)
    with pytest.raises(OutOfOrder):
        check_sequence(expected, SignedMessage.sign(MSG, 4, ED), ED.public_key)


def test_identical_copies_are_accepted_once() -> None:
    copy_a = SignedMessage.sign(MSG, 0, ED)
    copy_b = SignedMessage.decode(copy_a.encode())
    expected = check_sequence(0, copy_a, ED.public_key)
    with pytest.raises(Replayed):
        check_sequence(expected, copy_b, ED.public_key)


@pytest.mark.parametrize(
    "build",
    [
        lambda: WorkerOrigin(b"\x00" * 31),
        lambda: ContractOrigin(b""),
        lambda: AccountOrigin(b"\x00" * 33),
        lambda: Topic(b""),
        lambda: Topic(b"a//b"),
        lambda: Topic(b"/a"),
        lambda: Topic(b"a b"),
        lambda: Topic(b"x" * 257),
        lambda: Signature(KeyType.ED25519, b"\x00" * 63),
        lambda: SignedMessage(MSG, -1, Signature(KeyType.ED25519, bytes(64))),
        lambda: SignedMessage(MSG, 1 << 64, Signature(KeyType.ED25519, bytes(64))),
    ],
)
def test_malformed_fields_raise_invalid_message(build: object) -> None:
    with pytest.raises(InvalidMessage):
        build()  # type: ignore[operator]


def test_origin_keys_are_distinct() -> None:
    origins = [
        RuntimeOrigin(),
        GatekeeperOrigin(),
        WorkerOrigin(b"\x01" * 32),
        ContractOrigin(b"\x01" * 32),
        AccountOrigin(b"\x01" * 32),
    ]
    assert len({compute_origin_key(o) for o in origins}) == len(origins)


def test_gatekeeper_topics_are_distinct() -> None:
    assert MASTER_KEY_TOPIC != CONTRACT_KEY_TOPIC


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_decode_or_raise_a_typed_error(data: bytes) -> None:
    try:
        decoded = SignedMessage.decode(data)
    except PhalanxError:
        return
    assert decoded.encode() == data


@settings(max_examples=100, deadline=None)
@given(
    origin=st.one_of(
        st.just(RuntimeOrigin()),
        st.just(GatekeeperOrigin()),
        st.binary(min_size=32, max_size=32).map(WorkerOrigin),
        st.binary(min_size=32, max_size=32).map(ContractOrigin),
        st.binary(min_size=32, max_size=32).map(AccountOrigin),
    ),
    segments=st.lists(st.text("abcxyz-_019", min_size=1, max_size=8), min_size=1, max_size=4),
    payload=st.binary(max_size=100),
    sequence=st.integers(0, (1 << 64) - 1),
)
def test_messages_round_trip(origin: object, segments: list[str], payload: bytes, sequence: int) -> None:
    message = Message(origin, Topic("/".join(segments).encode()), payload)  # type: ignore[arg-type]
    signed = SignedMessage.sign(message, sequence, ED)
    assert SignedMessage.decode(signed.encode()) == signed
    assert signed.verify(ED.public_key)
