"""Client encodings of confidential-contract calls, failure reading, contract refusals, dev genesis."""

from __future__ import annotations

import json
from pathlib import Path

from phalanx.client.chain import compute_extrinsic_failure
from phalanx.client.confidential import (
    TOKEN_ID,
    describe_contract_error,
    encode_deposit,
    encode_push_command,
)
from phalanx.contracts import Unauthorized, compute_builtin_id
from phalanx.localnet.dev import Devnet, DevnetConfig
from phalanx.runtime.assembly import CALLS
from phalanx.runtime.chain_spec import ChainSpec
from phalanx.runtime.events import EventRecord
from phalanx.tee.platform.measurement import compute_code_measurement
from phalanx.tee.platform.simulated import load_devnet_attestation_key


def test_token_id_is_the_builtin_id() -> None:
    assert compute_builtin_id("token") == TOKEN_ID


def test_push_command_decodes_as_the_runtime_call() -> None:
    call = CALLS.decode(encode_push_command(TOKEN_ID, b"\x01" * 70))
    assert (call.module.name, call.decl.name) == ("Contracts", "push_command")
    assert call.args == {"contract_id": TOKEN_ID, "ciphertext": b"\x01" * 70}


def test_deposit_decodes_as_the_runtime_call() -> None:
    amount = 100_123_456_789_012
    call = CALLS.decode(encode_deposit(TOKEN_ID, amount))
    assert (call.module.name, call.decl.name) == ("Contracts", "deposit")
    assert call.args == {"contract_id": TOKEN_ID, "amount": amount}


def _failed(index: int, error: object) -> EventRecord:
    info = {"weight": {"ref_time": 0, "proof_size": 0}, "class": ("Normal", None), "pays_fee": ("Yes", None)}
    return EventRecord(("ApplyExtrinsic", index), "System", "ExtrinsicFailed",
                       {"dispatch_error": error, "dispatch_info": info})  # fmt: skip


def test_extrinsic_failure_names_the_module_error() -> None:
    unknown_contract = ("Module", {"index": 22, "error": bytes([0, 0, 0, 0])})
    success = EventRecord(("ApplyExtrinsic", 0), "System", "ExtrinsicSuccess", {})
    events = [success, _failed(1, unknown_contract)]
    assert compute_extrinsic_failure(events, 0) is None
    reason = compute_extrinsic_failure(events, 1)
    assert reason is not None and str(reason).startswith("Contracts.UnknownContract")
    assert str(compute_extrinsic_failure([_failed(2, ("BadOrigin", None))], 2)) == "BadOrigin"


def test_contract_refusals_are_named() -> None:
    text = describe_contract_error(Unauthorized.module, Unauthorized.code)
    assert text.startswith("Unauthorized (contracts 4)")
    assert describe_contract_error("elsewhere", 99) == "elsewhere error 99"


def test_dev_chain_spec_accepts_this_machines_workers_and_is_kept(tmp_path: Path) -> None:
    devnet = Devnet(DevnetConfig(tmp_path / "dev"))
    path = devnet.prepare_chain_spec(None)
    registry = ChainSpec.from_json(json.loads(path.read_text())).genesis.registry
    assert registry.allow_simulated
    assert registry.simulated_attestation_key == load_devnet_attestation_key(devnet.machine_dir).public_key
    assert compute_code_measurement() in registry.measurement_allowlist
    path.write_text(path.read_text() + " ")
    assert devnet.prepare_chain_spec(None).read_text().endswith(" ")  # a restart reuses the file
