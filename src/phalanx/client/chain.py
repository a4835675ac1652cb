"""`Chain`: the one way code outside the node reads and writes the chain over JSON-RPC.

    async with RpcClient.connect(url) as rpc:
        chain = Chain(rpc)
        call = chain.compose_call("Balances", "transfer_keep_alive", dest=("Id", bob), value=10**12)
        receipt = await chain.submit(alice, call)            # returns once the block is finalized
        if receipt.error is not None:
            print(receipt.error)                             # Balances.InsufficientBalance: ...
        info = await chain.read("System", "Account", alice.public_key)

Calls are composed by module and function name and storage items are read by module and name, both
looked up in the runtime's composition (`phalanx.runtime.assembly.MODULES`), so no pallet index or
storage key is written down twice. Values decode with the codec their declaration names; an absent
value reads as the declaration's default.

`submit` signs with the account's next nonce, submits with `author_submitAndWatchExtrinsic`, follows
the status updates to `finalized` and returns a `Receipt`: the block (hash and number), the
extrinsic's index in it, its events and, when the call failed (`System.ExtrinsicFailed`), the
decoded `DispatchError`. A transaction that is dropped, invalid or usurped raises `TransactionFailed`.
Callers that hold a lock until the pool accepted the transaction (the worker host) use `watch` and
`Watched.finalized`, the two halves of `submit`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from phalanx.client.rpc import ClientError, RpcClient, Subscription
from phalanx.client.tx import compose_signed_extrinsic, fetch_chain_context, next_nonce
from phalanx.crypto.hashing import blake2_256
from phalanx.crypto.keys import Keypair
from phalanx.errors import PhalanxError
from phalanx.runtime.assembly import CALLS, MODULES, MODULES_BY_INDEX
from phalanx.runtime.dispatch import Call
from phalanx.runtime.events import EventRecord, decode_events
from phalanx.runtime.framework import StorageItem, StorageMap, StorageValue
from phalanx.runtime.modules.system import declarations as system_d

PAGE = 1000
"""Keys per `state_getKeysPaged` request when reading every entry of a map."""
DEFAULT_TIMEOUT_S = 120.0

_STORAGE: dict[tuple[str, str], StorageItem] = {
    (module.name, item.name): item for module in MODULES for item in module.storage
}


class TransactionFailed(ClientError):
    """The transaction was refused by the pool or dropped before finalization.

    `outcome` says how: `dropped`, `invalid`, `usurped` (another transaction took its nonce), `ended`
    (the status stream closed first) or `missing` (the block said to hold it does not)."""

    code = 10

    def __init__(self, message: str, outcome: str) -> None:
        super().__init__(message)
        self.outcome = outcome


class UnknownItem(ClientError):
    """No call or storage item of that module and name in the runtime."""

    code = 11


# ---------------------------------------------------------------------------------------------
# Receipts and dispatch errors


@dataclass(frozen=True)
class DispatchError:
    """Why a call failed inside its block (`sp_runtime::DispatchError`).

    For a module's error (`kind == "Module"`) `module` and `name` name it, e.g. `Registry` and
    `MeasurementNotAllowed`, and `docs` is its first doc line; both are None when this runtime does
    not know the pallet or the error (`pallet_index`, `error_index` tell which). Other variants
    (`BadOrigin`, `Token`, ...) have only their `kind` and the variant's `detail`. `value` is the
    decoded `dispatch_error` field as the event holds it."""

    kind: str
    module: str | None = None
    name: str | None = None
    docs: str = ""
    pallet_index: int | None = None
    error_index: int | None = None
    detail: Any = None
    value: Any = field(default=None, compare=False)

    @property
    def qualified_name(self) -> str:
        """`Module.Error` for a known module error, else the variant's name (`BadOrigin`)."""
        return f"{self.module}.{self.name}" if self.module and self.name else self.kind

    def __str__(self) -> str:
        if self.kind == "Module":
            if self.module is None or self.name is None:
                code = bytes([self.error_index]).hex() if self.error_index is not None else ""
                return f"module error {code} of pallet {self.pallet_index}"
            return self.qualified_name + (f": {self.docs}" if self.docs else "")
        return self.kind if self.detail is None else f"{self.kind} {self.detail!r}"


def compute_dispatch_error(value: Any) -> DispatchError:
    """The `DispatchError` of a decoded `dispatch_error` field, its module error named from the runtime."""
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str)):
        return DispatchError(repr(value), value=value)
    kind, detail = value
    if kind != "Module" or not isinstance(detail, dict):
        return DispatchError(kind, detail=detail, value=value)
    index, code = int(detail.get("index", -1)), bytes(detail.get("error", b""))[:1]
    module = MODULES_BY_INDEX.get(index)
    found = module.error_by_index(code[0]) if module is not None and code else None
    if module is None or found is None:
        return DispatchError(kind, pallet_index=index, error_index=code[0] if code else None, value=value)
    doc = (found.__doc__ or "").strip().splitlines()
    docs = doc[0].strip() if doc else ""
    return DispatchError(kind, module.name, found.__name__, docs, index, code[0], value=value)


def compute_extrinsic_failure(events: list[EventRecord], index: int | None) -> DispatchError | None:
    """The dispatch error if extrinsic `index` failed (`System.ExtrinsicFailed` among its events)."""
    for event in events:
        if event.phase == ("ApplyExtrinsic", index) and (event.module, event.name) == (
            "System", "ExtrinsicFailed"
        ):
            return compute_dispatch_error(event.fields.get("dispatch_error"))
    return None


@dataclass(frozen=True)
class Receipt:
    """A finalized extrinsic: where the chain put it, what it emitted, and whether its call failed.

    `events` are the extrinsic's own events (phase `ApplyExtrinsic(index)`). `error` is None when the
    call succeeded. When the block's events do not decode (a runtime of another version),
    `events_error` says why, `events` is empty and `error` None."""

    extrinsic_hash: bytes
    block_hash: bytes
    block_number: int
    index: int
    events: tuple[EventRecord, ...]
    error: DispatchError | None
    events_error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.error is None and self.events_error is None

    @property
    def failure(self) -> str | None:
        """The error in one line (`Registry.MeasurementNotAllowed: <doc line>`), None on success."""
        return None if self.error is None else str(self.error)


# ---------------------------------------------------------------------------------------------
# The chain


def build_call(module: str, function: str, **args: Any) -> Call:
    """The runtime call `module.function(**args)` as a value, e.g. to nest in `Sudo.sudo(call=...)`."""
    if (module, function) not in CALLS.by_name:
        raise UnknownItem(f"the runtime has no call {module}.{function}")
    return CALLS.call(module, function, **args)


def compose_call(module: str, function: str, **args: Any) -> bytes:
    """The encoded `RuntimeCall` `module.function(**args)`, its indices from the runtime's composition."""
    return CALLS.encode(build_call(module, function, **args))


def get_storage_item(module: str, name: str) -> StorageItem:
    """The declaration of storage item `module.name` in the runtime's composition."""
    item = _STORAGE.get((module, name))
    if item is None:
        raise UnknownItem(f"the runtime has no storage item {module}.{name}")
    return item


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


def _unhex(text: str) -> bytes:
    return bytes.fromhex(text[2:] if text.startswith("0x") else text)


def _default(item: StorageItem) -> Any:
    default = item.default
    return default.copy() if isinstance(default, list | dict | set | bytearray) else default


class Watched:
    """A signed extrinsic the pool accepted, with its status updates (see `Chain.watch`)."""

    def __init__(self, chain: Chain, xt: bytes, nonce: int, updates: Subscription) -> None:
        self.chain = chain
        self.xt = xt
        self.nonce = nonce
        self.updates = updates

    @property
    def extrinsic_hash(self) -> bytes:
        return blake2_256(self.xt)

    async def finalized(self) -> Receipt:
        """Follow the status updates to `finalized` and read the receipt. Raises `TransactionFailed`
        when the transaction is dropped, invalid or usurped, or the stream ends first; `ClientError`
        when the stream fails."""
        async for status in self.updates:
            if isinstance(status, dict) and "finalized" in status:
                return await self.chain.get_receipt(self.xt, _unhex(str(status["finalized"])))
            if status in ("dropped", "invalid"):
                raise TransactionFailed(f"the transaction was {status}", str(status))
            if isinstance(status, dict) and "usurped" in status:
                raise TransactionFailed("the transaction was usurped", "usurped")
        raise TransactionFailed("the status stream ended before finalization", "ended")


class Chain:
    """Typed reads, composed calls and followed submissions over one node connection."""

    def __init__(self, rpc: RpcClient) -> None:
        self.rpc = rpc

    compose_call = staticmethod(compose_call)

    # -- blocks ----------------------------------------------------------------------------------

    async def get_finalized_head(self) -> bytes:
        return _unhex(str(await self.rpc.request("chain_getFinalizedHead")))

    async def get_block_hash(self, number: int) -> bytes | None:
        found = await self.rpc.request("chain_getBlockHash", [number])
        return None if found is None else _unhex(str(found))

    async def get_block_number(self, block_hash: bytes | None = None) -> int:
        """The number of block `block_hash` (default: the best block)."""
        header = await self.rpc.request("chain_getHeader", [] if block_hash is None else [_hex(block_hash)])
        return int(str(header["number"]), 16)

    # -- storage ---------------------------------------------------------------------------------

    async def get_storage(self, key: bytes, at: bytes | None = None) -> bytes | None:
        """The raw value under `key` at block `at` (default: the best block), None when absent."""
        params: list[Any] = [_hex(key)] if at is None else [_hex(key), _hex(at)]
        raw = await self.rpc.request("state_getStorage", params)
        return None if raw is None else _unhex(str(raw))

    async def get_value(self, item: StorageValue, at: bytes | None = None) -> Any:
        """The decoded value of `item` at block `at`; its declared default when absent."""
        raw = await self.get_storage(item.key, at)
        return _default(item) if raw is None else item.codec.decode(raw)

    async def get_entry(self, item: StorageMap, key: Any, at: bytes | None = None) -> Any:
        """The decoded entry `key` of map `item` at block `at`; the map's default when absent."""
        raw = await self.get_storage(item.key(key), at)
        return _default(item) if raw is None else item.codec.decode(raw)

    async def read(self, module: str, name: str, *key: Any, at: bytes | None = None) -> Any:
        """Storage item `module.name` (a map's entry when `key` is given) at block `at`, decoded."""
        item = get_storage_item(module, name)
        if isinstance(item, StorageMap):
            if len(key) != 1:
                raise UnknownItem(f"{module}.{name} is a map: give one key")
            return await self.get_entry(item, key[0], at)
        if key:
            raise UnknownItem(f"{module}.{name} is a single value: it takes no key")
        return await self.get_value(item, at)

    async def get_entries(self, item: StorageMap, at: bytes) -> list[tuple[bytes, Any]]:
        """Every (key suffix after the map's prefix, decoded value) of map `item` at block `at`, in
        storage order, page by page. The suffix is the hashed key (`blake2_128 ++ key` for
        `Blake2_128Concat`)."""
        out: list[tuple[bytes, Any]] = []
        start: str | None = None
        while True:
            keys = await self.rpc.request("state_getKeysPaged", [_hex(item.prefix), PAGE, start, _hex(at)])
            if not keys:
                return out
            changes = await self.rpc.request("state_queryStorageAt", [keys, _hex(at)])
            for key, value in changes[0]["changes"]:
                if value is not None:
                    out.append((_unhex(key)[len(item.prefix):], item.codec.decode(_unhex(value))))
            if len(keys) < PAGE:
                return out
            start = keys[-1]

    async def get_events(self, at: bytes) -> list[EventRecord]:
        """Every event of block `at` (`System.Events`); raises `InvalidBlock` if they do not decode."""
        raw = await self.get_storage(system_d.Events.key, at)
        return [] if raw is None else decode_events(raw)

    # -- transactions ----------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def watch(self, signer: Keypair, call: bytes) -> AsyncIterator[Watched]:
        """Sign `call` with `signer`'s next nonce and submit it; inside the block the pool holds it.

        Raises `ClientError` (or `TimeoutError`) when the pool refuses it or the node does not answer."""
        context = await fetch_chain_context(self.rpc)
        nonce = await next_nonce(self.rpc, signer.public_key)
        xt = compose_signed_extrinsic(signer, call, nonce, context)
        async with self.rpc.subscribe(
            "author_submitAndWatchExtrinsic", [_hex(xt)], "author_unwatchExtrinsic"
        ) as updates:
            yield Watched(self, xt, nonce, updates)

    async def submit(self, signer: Keypair, call: bytes, timeout: float = DEFAULT_TIMEOUT_S) -> Receipt:
        """Sign, submit and follow `call` to its finalized block; the receipt tells whether it failed.

        Raises `TransactionFailed` when it is dropped, invalid or usurped, `TimeoutError` after
        `timeout` seconds."""

        async def follow() -> Receipt:
            async with self.watch(signer, call) as watched:
                return await watched.finalized()

        return await asyncio.wait_for(follow(), timeout)

    async def get_receipt(self, xt: bytes, block_hash: bytes) -> Receipt:
        """The receipt of extrinsic `xt` in block `block_hash`; raises `TransactionFailed` (`missing`)
        when the block does not hold it."""
        block = await self.rpc.request("chain_getBlock", [_hex(block_hash)])
        extrinsics: list[str] = list(block["block"]["extrinsics"]) if block else []
        if _hex(xt) not in extrinsics:
            raise TransactionFailed(
                f"block {_hex(block_hash)} was reported to hold the transaction, but does not", "missing"
            )
        index = extrinsics.index(_hex(xt))
        number = int(str(block["block"]["header"]["number"]), 16)
        try:
            events = [e for e in await self.get_events(block_hash) if e.phase == ("ApplyExtrinsic", index)]
        except PhalanxError as error:
            return Receipt(blake2_256(xt), block_hash, number, index, (), None, error.message)
        return Receipt(blake2_256(xt), block_hash, number, index, tuple(events),
                       compute_extrinsic_failure(events, index))  # fmt: skip
