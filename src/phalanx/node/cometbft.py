"""One validator's node behind CometBFT: the runtime served over ABCI, a pool that forwards to
CometBFT's mempool, and the same Substrate JSON-RPC as the dev node (`phalanx node` runs it).

Extrinsics submitted over RPC are checked by the local pool (which also reports their status) and
handed to CometBFT's mempool with `broadcast_tx_sync`; a watcher sees `ready`, then `inBlock` and
`finalized` together when CometBFT commits the block (CometBFT finality is immediate).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from phalanx.crypto.hashing import blake2_256
from phalanx.engine.abci.server import AbciServer
from phalanx.engine.cometbft.app import CommittedBlock, RuntimeApplication
from phalanx.engine.cometbft.errors import InvalidGenesis
from phalanx.node.pool import Listener, PoolLimits, TransactionPool, TxStatus, Validator
from phalanx.node.rpc.api import SubstrateApi
from phalanx.node.rpc.server import RpcServer
from phalanx.node.service import NODE_NAME

log = logging.getLogger("phalanx.node.cometbft")


class MempoolForwarder:
    """Hands extrinsics to CometBFT's mempool over its RPC, off the caller's path.

    A few requests are in flight at once, so a burst is not paced by CheckTx round trips; two
    extrinsics of one sender may then reach the mempool out of nonce order, which costs nothing:
    CheckTx accepts a future nonce and the proposer includes it once its predecessor is in.
    """

    def __init__(self, cometbft_rpc: str, in_flight: int = 8,
                 on_refused: Callable[[bytes, TxStatus], object] | None = None) -> None:
        self.url = cometbft_rpc
        self.in_flight = in_flight
        self.on_refused = on_refused
        self._queue: asyncio.Queue[bytes] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._session: aiohttp.ClientSession | None = None

    def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        self._tasks = [asyncio.create_task(self._run()) for _ in range(self.in_flight)]

    def forward(self, xt: bytes) -> None:
        self._queue.put_nowait(xt)

    async def _run(self) -> None:
        while True:
            xt = await self._queue.get()
            await self._send(xt)

    async def _send(self, xt: bytes) -> None:
        if self._session is None:
            return
        body = {"jsonrpc": "2.0", "id": 1, "method": "broadcast_tx_sync",
                "params": {"tx": base64.b64encode(xt).decode()}}
        try:
            async with self._session.post(self.url, json=body) as answer:
                reply = await answer.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, json.JSONDecodeError) as exc:
            log.warning("could not hand an extrinsic to CometBFT at %s: %s", self.url, exc)
            self._refused(xt, TxStatus("dropped", reason=f"not handed to CometBFT: {exc}"))
            return
        status = classify_broadcast_reply(reply)
        if status is not None:
            log.info("CometBFT refused an extrinsic: %s", status.reason)
            self._refused(xt, status)

    def _refused(self, xt: bytes, status: TxStatus) -> None:
        if self.on_refused is not None:
            self.on_refused(xt, status)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._session is not None:
            await self._session.close()


def classify_broadcast_reply(reply: object) -> TxStatus | None:
    """What a `broadcast_tx_sync` answer means for the pooled extrinsic: None when CometBFT's mempool
    holds it (accepted now, or already there because a peer gossiped it first), `invalid` when its
    CheckTx refused it, `dropped` for any other failure."""
    if not isinstance(reply, dict):
        return TxStatus("dropped", reason="CometBFT gave no answer")
    error = reply.get("error")
    if error is not None:
        text = json.dumps(error)
        if "already exists in cache" in text:
            return None
        return TxStatus("dropped", reason=f"CometBFT refused it: {text}")
    result = reply.get("result")
    if not isinstance(result, dict):
        return TxStatus("dropped", reason="CometBFT gave no result")
    if int(result.get("code", 0) or 0) != 0:
        return TxStatus("invalid", reason=str(result.get("log") or "refused by CheckTx"))
    return None


class ForwardingPool(TransactionPool):
    """The node's pool: validates and tracks status locally, orders nothing (CometBFT does)."""

    retries_unfitted = False  # a block's transactions leave CometBFT's mempool, executed or not

    def __init__(self, validate: Validator, forwarder: MempoolForwarder, limits: PoolLimits | None = None,
                 best_number: int = 0) -> None:
        super().__init__(validate, limits, best_number)
        self.forwarder = forwarder
        forwarder.on_refused = self._refused

    def _refused(self, xt: bytes, status: TxStatus) -> None:
        self.reject(blake2_256(xt), status)

    def submit(self, xt: bytes, watcher: Listener | None = None) -> bytes:
        tx_hash = super().submit(xt, watcher)
        self.forwarder.forward(xt)
        return tx_hash


def load_chain_spec(genesis_path: Path) -> Any:
    """The chain spec carried as app_state in CometBFT's genesis.json."""
    from phalanx.runtime.chain_spec import ChainSpec

    try:
        genesis = json.loads(genesis_path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidGenesis(f"cannot read {genesis_path}: {exc}") from None
    app_state = genesis.get("app_state")
    if not isinstance(app_state, dict) or not app_state:
        raise InvalidGenesis(f"{genesis_path} has no chain spec in app_state")
    return ChainSpec.from_json(app_state)


class CometNode:
    """Store and chain, ABCI application, pool and RPC server of one validator, on one event loop."""

    def __init__(self, base_path: Path, genesis: Path, abci: str, rpc_host: str, rpc_port: int,
                 cometbft_rpc: str) -> None:
        self.base_path, self.genesis, self.abci_address = base_path, genesis, abci
        self.rpc_host, self.rpc_port, self.cometbft_rpc = rpc_host, rpc_port, cometbft_rpc
        self._stopped = asyncio.Event()
        self._close_db: Any = None
        self.abci: AbciServer | None = None
        self.rpc: RpcServer | None = None
        self.forwarder = MempoolForwarder(cometbft_rpc)
        self.api: SubstrateApi | None = None
        self.pool: ForwardingPool | None = None

    async def start(self) -> None:
        from phalanx.chain import Blockchain
        from phalanx.storage import Database

        spec = load_chain_spec(self.genesis)
        self.base_path.mkdir(parents=True, exist_ok=True)
        db = Database.open(self.base_path / "chain")
        self._close_db = db.close
        chain = Blockchain(db, spec)
        app = RuntimeApplication(chain)
        self.pool = ForwardingPool(chain.validate_transaction, self.forwarder,
                                   best_number=chain.best_number())
        self.api = SubstrateApi(chain, self.pool, name=NODE_NAME, version="cometbft")
        app.add_listener(self._on_commit)
        self.forwarder.start()
        self.rpc = RpcServer(self.api, self.rpc_host, self.rpc_port)
        await self.rpc.start()
        print(f"rpc listening on {self.rpc.url}", flush=True)
        self.abci = AbciServer(app)
        address = await self.abci.start(self.abci_address)
        print(f"abci listening on {address}", flush=True)

    def _on_commit(self, block: CommittedBlock) -> None:
        if self.pool is not None:
            in_pool = self.pool.block_imported(block.hash, block.number, block.included, block.dropped)
            self.pool.block_finalized(block.hash, in_pool)
        if self.api is not None:
            self.api.block_imported(block.hash, finalized=True, changed_keys=block.changed_keys)

    def stop(self) -> None:
        self._stopped.set()

    async def wait_stopped(self) -> None:
        await self._stopped.wait()

    async def close(self) -> None:
        if self.abci is not None:
            await self.abci.close()
        if self.rpc is not None:
            await self.rpc.stop()
        await self.forwarder.close()
        if self._close_db is not None:
            self._close_db()
            self._close_db = None
