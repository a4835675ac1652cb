"""The chain API: calls composed by name, storage read by declaration, receipts with named errors.

A fake node answers the JSON-RPC methods `Chain` uses, from a dictionary of storage and one block.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, cast

import pytest

from phalanx.client.chain import (
    Chain,
    DispatchError,
    TransactionFailed,
    UnknownItem,
    build_call,
    compose_call,
    compute_dispatch_error,
    compute_extrinsic_failure,
    get_storage_item,
)
from phalanx.client.rpc import RpcClient
from phalanx.crypto import Keypair
from phalanx.primitives.ss58 import ss58_encode
from phalanx.runtime.assembly import CALLS
from phalanx.runtime.events import EventRecord
from phalanx.runtime.modules.contracts import declarations as contracts_d
from phalanx.runtime.modules.mq import declarations as mq_d
from phalanx.runtime.modules.registry import declarations as registry_d
from phalanx.runtime.modules.system import declarations as system_d
from phalanx.runtime.types import AccountInfo

ALICE = Keypair.from_suri("//Alice")
BOB = Keypair.from_suri("//Bob").public_key
INFO = {"weight": {"ref_time": 0, "proof_size": 0}, "class": ("Normal", None), "pays_fee": ("Yes", None)}
BLOCK = bytes(range(32))


def _record(index: int, name: str, **fields: Any) -> dict[str, Any]:
    return {"phase": ("ApplyExtrinsic", index), "event": ("System", (name, fields)), "topics": []}


def _failed(index: int, error: object) -> EventRecord:
    return EventRecord(("ApplyExtrinsic", index), "System", "ExtrinsicFailed",
                       {"dispatch_error": error, "dispatch_info": INFO})  # fmt: skip


class FakeNode:
    """Answers `request` and `subscribe` like a node holding `storage` and one block `BLOCK` (#7)."""

    def __init__(self, storage: dict[bytes, bytes], statuses: list[Any] | None = None) -> None:
        self.storage = storage
        self.statuses = statuses or [{"finalized": "0x" + BLOCK.hex()}]
        self.extrinsics: list[str] = ["0x00"]
        self.requests: list[tuple[str, list[Any]]] = []

    async def request(self, method: str, params: list[Any] | None = None, timeout: float = 60.0) -> Any:
        params = params or []
        self.requests.append((method, params))
        if method == "state_getStorage":
            value = self.storage.get(bytes.fromhex(params[0][2:]))
            return None if value is None else "0x" + value.hex()
        if method == "state_getKeysPaged":
            prefix, count, start = bytes.fromhex(params[0][2:]), params[1], params[2]
            keys = sorted("0x" + k.hex() for k in self.storage if k.startswith(prefix))
            keys = [k for k in keys if start is None or k > start]
            return keys[:count]
        if method == "state_queryStorageAt":
            return [{"block": params[1], "changes": [[k, "0x" + self.storage[bytes.fromhex(k[2:])].hex()]
                                                     for k in params[0]]}]  # fmt: skip
        if method == "chain_getBlockHash":
            return "0x" + BLOCK.hex()
        if method == "state_getRuntimeVersion":
            return {"specVersion": 1, "transactionVersion": 1}
        if method == "system_accountNextIndex":
            return 3
        if method == "chain_getBlock":
            return {"block": {"header": {"number": "0x7"}, "extrinsics": self.extrinsics}}
        raise AssertionError(f"unexpected {method}")

    @contextlib.asynccontextmanager
    async def subscribe(self, method: str, params: list[Any], unsubscribe: str) -> AsyncIterator[Any]:
        assert method == "author_submitAndWatchExtrinsic"
        self.extrinsics.append(params[0])

        async def updates() -> AsyncIterator[Any]:
            for status in self.statuses:
                yield status

        yield updates()


def _chain(node: FakeNode) -> Chain:
    return Chain(cast(RpcClient, node))


def test_a_call_is_composed_by_module_and_function_name() -> None:
    call = compose_call("Balances", "transfer_keep_alive", dest=("Id", BOB), value=10**12)
    decoded = CALLS.decode(call)
    assert (decoded.module.name, decoded.decl.name) == ("Balances", "transfer_keep_alive")
    assert decoded.args == {"dest": ("Id", BOB), "value": 10**12}
    assert compose_call("Registry", "force_rotate_master_key") == bytes((registry_d.INDEX, 4))
    inner = build_call("Registry", "force_register_gatekeeper", worker=BOB)
    outer = CALLS.decode(compose_call("Sudo", "sudo", call=inner))
    assert outer.args["call"].args == {"worker": BOB}
    with pytest.raises(UnknownItem):
        compose_call("Balances", "mint")


def test_storage_items_are_found_by_module_and_name() -> None:
    assert get_storage_item("Registry", "Workers") is registry_d.Workers
    assert get_storage_item("Mq", "Sequences") is mq_d.Sequences
    with pytest.raises(UnknownItem):
        get_storage_item("Registry", "Nothing")


def test_reads_decode_with_the_declared_codec_and_default_when_absent() -> None:
    info = AccountInfo(nonce=4, free=99)
    node = FakeNode({system_d.Account.key(BOB): system_d.Account.codec.encode(info),
                     registry_d.Gatekeepers.key: registry_d.Gatekeepers.codec.encode([BOB])})  # fmt: skip
    chain = _chain(node)

    async def main() -> None:
        assert await chain.read("System", "Account", BOB) == info
        assert await chain.read("System", "Account", ALICE.public_key) == AccountInfo()
        assert await chain.read("Registry", "Gatekeepers", at=BLOCK) == [BOB]
        assert await chain.get_entry(contracts_d.CommandSequence, bytes(32)) == 0
        empty = await chain.get_value(registry_d.AllowedMeasurements)
        empty.append(b"x")  # a default the caller changes is its own copy
        assert await chain.get_value(registry_d.AllowedMeasurements) == []
        with pytest.raises(UnknownItem):
            await chain.read("System", "Account")

    asyncio.run(main())
    gatekeepers_read = [p for m, p in node.requests if m == "state_getStorage"][2]
    assert gatekeepers_read == ["0x" + registry_d.Gatekeepers.key.hex(), "0x" + BLOCK.hex()]


def test_map_entries_are_read_page_by_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("phalanx.client.chain.PAGE", 2)
    counts = {bytes([i]) * 32: i for i in range(5)}
    node = FakeNode({contracts_d.CommandSequence.key(k): contracts_d.CommandSequence.codec.encode(v)
                     for k, v in counts.items()})  # fmt: skip
    entries = asyncio.run(_chain(node).get_entries(contracts_d.CommandSequence, BLOCK))
    assert {suffix[16:]: value for suffix, value in entries} == counts


def test_a_module_error_is_named_with_its_module_and_doc_line() -> None:
    error = compute_dispatch_error(registry_d.MeasurementNotAllowed("not allowed").dispatch_error())
    assert (error.module, error.name) == ("Registry", "MeasurementNotAllowed")
    assert error.value == registry_d.MeasurementNotAllowed("not allowed").dispatch_error()
    doc = (registry_d.MeasurementNotAllowed.__doc__ or "").strip().splitlines()
    assert error.docs == (doc[0].strip() if doc else "")
    assert str(error) == "Registry.MeasurementNotAllowed" + (f": {error.docs}" if error.docs else "")
    assert compute_dispatch_error(mq_d.OutOfOrder("x").dispatch_error()).qualified_name == "Mq.OutOfOrder"


def test_other_dispatch_errors_are_named_by_their_variant() -> None:
    assert str(compute_dispatch_error(("BadOrigin", None))) == "BadOrigin"
    assert compute_dispatch_error(("BadOrigin", None)) == DispatchError("BadOrigin")
    unknown = compute_dispatch_error(("Module", {"index": 250, "error": b"\x01\x00\x00\x00"}))
    assert str(unknown) == "module error 01 of pallet 250"
    assert (unknown.module, unknown.pallet_index, unknown.error_index) == (None, 250, 1)
    no_such_error = ("Module", {"index": registry_d.INDEX, "error": b"\xee\x00\x00\x00"})
    assert str(compute_dispatch_error(no_such_error)) == f"module error ee of pallet {registry_d.INDEX}"


def test_the_failure_of_one_extrinsic_is_read_from_the_block_events() -> None:
    error = registry_d.TrustRootMismatch("other chain").dispatch_error()
    events = [EventRecord(("ApplyExtrinsic", 0), "System", "ExtrinsicSuccess", {"dispatch_info": INFO}),
              _failed(2, error)]  # fmt: skip
    assert compute_extrinsic_failure(events, 0) is None
    assert compute_extrinsic_failure(events, 1) is None
    failure = compute_extrinsic_failure(events, 2)
    assert failure is not None and str(failure).startswith("Registry.TrustRootMismatch")


def test_submit_follows_to_finality_and_returns_a_receipt_with_the_named_error() -> None:
    error = registry_d.MeasurementNotAllowed("x").dispatch_error()
    events = [_record(0, "ExtrinsicSuccess", dispatch_info=INFO),
              _record(1, "ExtrinsicFailed", dispatch_error=error, dispatch_info=INFO)]  # fmt: skip
    node = FakeNode({system_d.Events.key: system_d.Events.codec.encode(events)})
    call = compose_call("Registry", "force_rotate_master_key")
    receipt = asyncio.run(_chain(node).submit(ALICE, call))
    assert (receipt.block_hash, receipt.block_number, receipt.index) == (BLOCK, 7, 1)
    assert [e.name for e in receipt.events] == ["ExtrinsicFailed"]
    assert receipt.error is not None and receipt.error.qualified_name == "Registry.MeasurementNotAllowed"
    assert not receipt.succeeded and receipt.failure == str(receipt.error)
    assert ("system_accountNextIndex", [ss58_encode(ALICE.public_key)]) in node.requests


def test_a_successful_call_has_no_error_and_undecodable_events_say_so() -> None:
    node = FakeNode({system_d.Events.key: system_d.Events.codec.encode([
        _record(1, "ExtrinsicSuccess", dispatch_info=INFO)])})  # fmt: skip
    receipt = asyncio.run(_chain(node).submit(ALICE, compose_call("Registry", "force_rotate_master_key")))
    assert receipt.succeeded and receipt.error is None and len(receipt.events) == 1
    node = FakeNode({system_d.Events.key: b"\x04\xff"})
    receipt = asyncio.run(_chain(node).submit(ALICE, compose_call("Registry", "force_rotate_master_key")))
    assert receipt.events_error is not None and receipt.events == () and not receipt.succeeded


@pytest.mark.parametrize(("statuses", "outcome"), [
    (["ready", "dropped"], "dropped"), (["invalid"], "invalid"), ([{"usurped": "0x00"}], "usurped"),
    (["ready"], "ended"),
])  # fmt: skip
def test_a_transaction_that_never_reaches_a_block_raises(statuses: list[Any], outcome: str) -> None:
    node = FakeNode({}, statuses)
    with pytest.raises(TransactionFailed) as failed:
        asyncio.run(_chain(node).submit(ALICE, compose_call("Registry", "force_rotate_master_key")))
    assert failed.value.outcome == outcome


def test_a_block_that_does_not_hold_the_extrinsic_is_not_a_receipt() -> None:
    node = FakeNode({})

    async def main() -> None:
        with pytest.raises(TransactionFailed) as failed:
            await _chain(node).get_receipt(b"\x01\x02", BLOCK)
        assert failed.value.outcome == "missing"

    asyncio.run(main())
