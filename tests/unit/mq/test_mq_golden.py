"""Golden encodings of every message-queue wire type, kept in tests/golden/mq/vectors.json.

Each vector is a value built from fixed inputs; its SCALE bytes must equal the recorded hex and decode
back to the same value. Signatures are ed25519 (deterministic), so signed messages are pinned too.
Set PHALANX_UPDATE_GOLDEN=1 to rewrite the file after a deliberate change of the wire format.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from phalanx.codec import Codec
from phalanx.crypto import Keypair, KeyType
from phalanx.mq import (
    GATEKEEPER_PAYLOAD,
    MASTER_KEY_TOPIC,
    MESSAGE,
    ORIGIN,
    SIGNATURE,
    SIGNED_MESSAGE,
    TOPIC,
    AccountOrigin,
    ContractKeyDistribution,
    ContractOrigin,
    GatekeeperOrigin,
    MasterKeyPublished,
    MasterKeyRotation,
    MasterKeyShare,
    Message,
    RuntimeOrigin,
    Signature,
    SignedMessage,
    Topic,
    WorkerOrigin,
    encode_gatekeeper_payload,
)
from phalanx.mq.registry import (
    REGISTRY_EVENT,
    REGISTRY_TOPIC,
    ContractAssigned,
    ContractDeployed,
    ContractUnassigned,
    GatekeeperRegistered,
    WorkerRegistered,
)

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "mq" / "vectors.json"

ED = Keypair.from_seed(bytes(range(32)), KeyType.ED25519)
MESSAGE_VALUE = Message(
    GatekeeperOrigin(), MASTER_KEY_TOPIC, encode_gatekeeper_payload(MasterKeyPublished(0, b"\x11" * 32))
)


def vectors() -> dict[str, tuple[Codec[Any], Any]]:
    return {
        "origin_runtime": (ORIGIN, RuntimeOrigin()),
        "origin_worker": (ORIGIN, WorkerOrigin(b"\x01" * 32)),
        "origin_gatekeeper": (ORIGIN, GatekeeperOrigin()),
        "origin_contract": (ORIGIN, ContractOrigin(b"\x02" * 32)),
        "origin_account": (ORIGIN, AccountOrigin(b"\x03" * 32)),
        "topic_master_key": (TOPIC, MASTER_KEY_TOPIC),
        "topic_contract_command": (TOPIC, Topic.contract_command(b"\x04" * 32)),
        "topic_contract_chain_command": (TOPIC, Topic.contract_chain_command(b"\x04" * 32)),
        "topic_contract_egress": (TOPIC, Topic.contract_egress(b"\x04" * 32)),
        "topic_registry": (TOPIC, REGISTRY_TOPIC),
        "registry_worker_registered": (REGISTRY_EVENT, WorkerRegistered(b"\x0d" * 32, b"\x0e" * 32)),
        "registry_gatekeeper_registered": (REGISTRY_EVENT, GatekeeperRegistered(b"\x0d" * 32, b"\x0e" * 32)),
        "registry_contract_deployed": (REGISTRY_EVENT, ContractDeployed(b"\x0f" * 32)),
        "registry_contract_assigned": (REGISTRY_EVENT, ContractAssigned(b"\x0f" * 32, b"\x0d" * 32)),
        "registry_contract_unassigned": (REGISTRY_EVENT, ContractUnassigned(b"\x0f" * 32, b"\x0d" * 32)),
        "message": (MESSAGE, MESSAGE_VALUE),
        "signature_ed25519": (SIGNATURE, Signature(KeyType.ED25519, b"\x05" * 64)),
        "signature_sr25519": (SIGNATURE, Signature(KeyType.SR25519, b"\x06" * 64)),
        "signed_message": (SIGNED_MESSAGE, SignedMessage.sign(MESSAGE_VALUE, 7, ED)),
        "master_key_published": (GATEKEEPER_PAYLOAD, MasterKeyPublished(1, b"\x07" * 32)),
        "master_key_share": (GATEKEEPER_PAYLOAD, MasterKeyShare(2, b"\x08" * 32, b"sealed")),
        "contract_key_distribution": (
            GATEKEEPER_PAYLOAD,
            ContractKeyDistribution(b"\x09" * 32, 3, b"\x0a" * 32, b"\x0b" * 32, b"\x0c" * 32, b"sealed-key"),
        ),
        "master_key_rotation": (GATEKEEPER_PAYLOAD, MasterKeyRotation(4)),
    }


def _recorded() -> dict[str, str]:
    if os.environ.get("PHALANX_UPDATE_GOLDEN") == "1":
        fresh = {name: codec.encode(value).hex() for name, (codec, value) in vectors().items()}
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(fresh, indent=2, sort_keys=True) + "\n")
    recorded: dict[str, str] = json.loads(GOLDEN.read_text())
    return recorded


RECORDED = _recorded()


def test_every_vector_is_recorded() -> None:
    assert sorted(RECORDED) == sorted(vectors())


@pytest.mark.parametrize("name", sorted(vectors()))
def test_golden_encoding(name: str) -> None:
    codec, value = vectors()[name]
    encoded = codec.encode(value)
    assert encoded.hex() == RECORDED[name]
    assert codec.decode(encoded) == value


def test_signed_message_layout_is_message_then_sequence_then_signature() -> None:
    signed = SignedMessage.sign(MESSAGE_VALUE, 7, ED)
    encoded = signed.encode()
    body = MESSAGE.encode(MESSAGE_VALUE)
    assert encoded[: len(body)] == body
    assert encoded[len(body) : len(body) + 8] == (7).to_bytes(8, "little")
    assert encoded[len(body) + 8] == 0  # MultiSignature::Ed25519
    assert encoded[len(body) + 9 :] == signed.signature.data
    assert signed.signing_payload() == b"phalanx/mq/v1" + body + (7).to_bytes(8, "little")
