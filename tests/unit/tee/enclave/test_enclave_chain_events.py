"""The enclave's copy of the chain → enclave layout encodes exactly as the runtime's declarations."""

from __future__ import annotations

from phalanx.mq import Topic
from phalanx.runtime.modules.mq import declarations as mq
from phalanx.runtime.modules.mq import payloads as runtime
from phalanx.runtime.modules.timestamp import Now
from phalanx.tee.enclave import chain_events as enclave

A, B = b"\x01" * 32, b"\x02" * 32


def test_registry_events_match_the_runtime() -> None:
    pairs = [
        (enclave.WorkerRegistered(A, B), runtime.WorkerRegistered(A, B)),
        (enclave.GatekeeperRegistered(A, B), runtime.GatekeeperRegistered(A, B)),
        (enclave.ContractDeployed(A), runtime.ContractDeployed(A)),
        (enclave.ContractAssigned(A, B), runtime.ContractAssigned(A, B)),
        (enclave.ContractUnassigned(A, B), runtime.ContractUnassigned(A, B)),
    ]
    for mine, theirs in pairs:
        encoded = enclave.encode_registry_event(mine)
        assert encoded == runtime.REGISTRY_EVENT.encode(theirs)
        assert enclave.decode_registry_event(encoded) == mine
    assert enclave.REGISTRY_TOPIC == runtime.REGISTRY_TOPIC


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
