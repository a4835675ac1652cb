"""Chain messages to gatekeeper events (only from origins allowed to send them) and a pinned snapshot."""

from __future__ import annotations

import pytest

from phalanx.crypto import blake2_256
from phalanx.mq import (
    CONTRACT_KEY_TOPIC,
    MASTER_KEY_TOPIC,
    AccountOrigin,
    ContractKeyDistribution,
    GatekeeperOrigin,
    MasterKeyRotation,
    MasterKeyShare,
    Message,
    RuntimeOrigin,
    WorkerOrigin,
    encode_gatekeeper_payload,
)
from phalanx.mq import MasterKeyPublished as PublishedPayload
from phalanx.tee.gatekeeper import (
    GatekeeperState,
    InvalidEvent,
    MasterKeyPublished,
    MasterKeyShareReceived,
    RotationRequested,
    encode_state,
    events_from_message,
)

ENTROPY = b"\xee" * 32
KEY = b"\x01" * 32


def message(origin: object, payload: object, topic: object = MASTER_KEY_TOPIC) -> Message:
    return Message(origin, topic, encode_gatekeeper_payload(payload))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("msg", "expected"),
    [
        (message(GatekeeperOrigin(), PublishedPayload(1, KEY)), (MasterKeyPublished(1, KEY),)),
        (message(WorkerOrigin(KEY), PublishedPayload(0, KEY)), (MasterKeyPublished(0, KEY),)),
        (message(AccountOrigin(KEY), PublishedPayload(0, KEY)), ()),
        (message(GatekeeperOrigin(), MasterKeyShare(0, KEY, b"x")), (MasterKeyShareReceived(0, KEY, b"x"),)),
        (message(WorkerOrigin(KEY), MasterKeyShare(0, KEY, b"x")), ()),
        (message(RuntimeOrigin(), MasterKeyRotation(2)), (RotationRequested(2, ENTROPY),)),
        (message(GatekeeperOrigin(), MasterKeyRotation(2)), ()),
        (
            message(
                GatekeeperOrigin(), ContractKeyDistribution(KEY, 0, KEY, KEY, KEY, b""), CONTRACT_KEY_TOPIC
            ),
            (),
        ),
    ],
)
def test_events_from_message(msg: Message, expected: tuple[object, ...]) -> None:
    assert events_from_message(msg, ENTROPY) == expected


def test_rotation_needs_real_entropy() -> None:
    with pytest.raises(InvalidEvent):
        events_from_message(message(RuntimeOrigin(), MasterKeyRotation(2)), b"")


def test_pinned_snapshot() -> None:
    state = GatekeeperState(
        identity=b"\x01" * 32,
        x25519_secret=b"\x02" * 32,
        block_number=7,
        block_hash=b"\x03" * 32,
        gatekeepers=((b"\x01" * 32, b"\x04" * 32),),
        workers=((b"\x01" * 32, b"\x04" * 32), (b"\x05" * 32, b"\x06" * 32)),
        contracts=((b"\x07" * 32, 0),),
        assignments=((b"\x07" * 32, b"\x05" * 32),),
        generations=2,
        masters=((0, b"\x08" * 32), (1, b"\x09" * 32)),
        published=((0, b"\x0a" * 32),),
        next_sequence=3,
    )
    snapshot = encode_state(state)
    # version, identity, secret, block number and hash, then vectors (compact length first), counters.
    assert (
        len(snapshot)
        == 1 + 32 + 32 + 4 + 32 + (1 + 64) + (1 + 128) + (1 + 36) + (1 + 64) + 4 + (1 + 72) + (1 + 36) + 8
    )
    assert snapshot[:1] == b"\x01"
    assert snapshot[-45:] == b"\x04" + bytes(4) + b"\x0a" * 32 + (3).to_bytes(8, "little")
    assert blake2_256(snapshot).hex() == PINNED_SNAPSHOT


PINNED_SNAPSHOT = "eb8d84424d70f2bdaf75b55bf010ba8f2ff42920efba9029b17e2e461a7bc5ea"
