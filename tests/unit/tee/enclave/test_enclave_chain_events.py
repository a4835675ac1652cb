"""The enclave's copy of the chain → enclave layout encodes exactly as the runtime's declarations."""

from __future__ import annotations

import json
from pathlib import Path

from phalanx.mq import TOPIC, Topic
from phalanx.runtime.modules.mq import declarations as mq
from phalanx.runtime.modules.mq import payloads as runtime
from phalanx.runtime.modules.timestamp import Now
from phalanx.tee.enclave import chain_events as enclave

GOLDEN = Path(__file__).resolve().parents[3] / "golden" / "mq" / "vectors.json"
A = b"\x01" * 32


def test_registry_events_decode_the_recorded_vectors() -> None:
    """The enclave reads the registry events the runtime writes: both use `phalanx.mq.registry`, whose
    bytes are pinned in tests/golden/mq/vectors.json."""
    recorded = json.loads(GOLDEN.read_text())
    C, D, E = b"\x0d" * 32, b"\x0e" * 32, b"\x0f" * 32
    events = {
        "registry_worker_registered": enclave.WorkerRegistered(C, D),
        "registry_gatekeeper_registered": enclave.GatekeeperRegistered(C, D),
        "registry_contract_deployed": enclave.ContractDeployed(E),
        "registry_contract_assigned": enclave.ContractAssigned(E, C),
        "registry_contract_unassigned": enclave.ContractUnassigned(E, C),
    }
    for name, event in events.items():
        assert enclave.encode_registry_event(event).hex() == recorded[name]
        assert enclave.decode_registry_event(bytes.fromhex(recorded[name])) == event
    assert TOPIC.encode(enclave.REGISTRY_TOPIC).hex() == recorded["topic_registry"]


def test_storage_keys_match_the_runtime() -> None:
    assert mq.InboundMessages.key == enclave.INBOUND_MESSAGES_KEY
    assert Now.key == enclave.TIMESTAMP_KEY


def test_contract_command_topics_parse_back() -> None:
    assert enclave.parse_contract_command_topic(Topic.contract_command(A)) == A
    assert enclave.parse_contract_command_topic(Topic(b"phalanx/contract/zz/command")) is None
    assert enclave.parse_contract_command_topic(runtime.compute_egress_topic(A)) is None


def test_contract_chain_command_topics_parse_back() -> None:
    assert enclave.parse_contract_chain_command_topic(Topic.contract_chain_command(A)) == A
    assert enclave.parse_contract_chain_command_topic(Topic.contract_command(A)) is None
    assert enclave.parse_contract_command_topic(Topic.contract_chain_command(A)) is None
