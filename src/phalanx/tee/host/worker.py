"""`WorkerHost`: the untrusted half of a worker. Starts its enclave, registers it, follows the chain.

Loop: wait for a new finalized head (`chain_subscribeFinalizedHeads`), fetch every block after the
enclave's last one (`NodeSource.fetch_block`: header, dev justification, state proofs; or, with
`WorkerConfig.cometbft_rpc`, `CometBftSource`: CometBFT's signed header H+1 for block H), feed it,
and submit the enclave's egress with `Mq.push_signed_message` signed by the host account (which pays
the fees). A refusal by the enclave stops the loop with its typed error: a host that cannot prove a
block cannot make the enclave believe it.

Egress is public, so the host keeps it in an outbox file (`OUTBOX_FILE`) until it is submitted: a
host killed between the enclave sealing new key material and the submission resubmits it on
restart. Before submitting, the host reads the sender's next sequence (`Mq.Sequences`) and skips
what the chain already accepted (a replica's copy, or a replay after a restart); a copy that still
lands is ignored by the chain as an identical copy.

Queries: an aiohttp server on `query_port` answers `POST /query` (body: sealed query box, answer:
sealed answer box) and `GET /info` (public keys and the block the enclave reflects).

Registration: on start the host submits `Registry.register_worker(info, evidence)` with the
enclave's quote unless the chain already holds this identity with the same encryption key and query
endpoint (a restart on another port re-registers). On a dev chain the host account must hold PHA for
fees: the development accounts (//Alice...) are endowed at genesis.

Several workers on one machine share its platform directory (`WorkerConfig.platform_dir`, default
`<base_path>/machine`): its devnet attestation key is the one the dev genesis names
(`devnet.prepare_dev_genesis`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

from phalanx.attestation import EVIDENCE_CODEC, REGISTRATION_INFO_CODEC, evidence_to_value
from phalanx.attestation.registration import encode_trust_root
from phalanx.client.rpc import ClientError, RpcClient
from phalanx.client.tx import compose_signed_extrinsic, fetch_chain_context, next_nonce, submit
from phalanx.codec import Bytes, DecodeError, Vec
from phalanx.crypto import Keypair
from phalanx.mq import SignedMessage
from phalanx.runtime.modules.mq import declarations as mq_d
from phalanx.runtime.modules.registry import declarations as registry_d
from phalanx.tee.enclave.chain import PRE_GENESIS_HASH
from phalanx.tee.enclave.runtime import write_atomically
from phalanx.tee.host.chain_source import CometBftSource, NodeSource
from phalanx.tee.platform.process import EnclaveProcess, EnclaveStatus

log = logging.getLogger("phalanx.worker")

REGISTRY_INDEX, REGISTER_WORKER = 20, 0
MQ_INDEX, PUSH_SIGNED_MESSAGE = 21, 0
OUTBOX_FILE = "outbox"
OUTBOX = Vec(Bytes)
T = TypeVar("T")


@dataclass(frozen=True)
class WorkerConfig:
    node_url: str
    base_path: Path
    account: Keypair
    dev_authority: bytes
    query_host: str = "127.0.0.1"
    query_port: int = 0
    endpoint: str = ""
    checkpoint_interval: int = 16
    platform_dir: Path | None = None
    """The machine's platform directory (devnet attestation key, sealing secret); default
    `<base_path>/machine`. Workers of one machine share it."""
    cometbft_rpc: str = ""
    """The CometBFT RPC URL of the validator whose node `node_url` is: follow CometBFT finality
    (empty: a dev node, whose authority is `dev_authority`)."""


class WorkerHost:
    def __init__(self, config: WorkerConfig) -> None:
        self.config = config
        self.enclave = EnclaveProcess(
            config.platform_dir or config.base_path / "machine",
            config.base_path / "enclave",
            checkpoint_interval=config.checkpoint_interval,
        )
        self._lock = asyncio.Lock()
        self.query_url = ""
        self.block_number = 0
        self._next = 0
        self.status: EnclaveStatus | None = None
        self.ready = asyncio.Event()
        """Set once the enclave follows the chain and its registration is submitted (or was current)."""

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a blocking enclave request off the event loop, one at a time."""
        async with self._lock:
            return await asyncio.get_running_loop().run_in_executor(None, fn, *args)

    async def run(self, stop: asyncio.Event | None = None) -> None:
        stop = stop or asyncio.Event()
        await asyncio.get_running_loop().run_in_executor(None, self.enclave.start)
        runner = await self._start_query_server()
        try:
            async with RpcClient.connect(self.config.node_url) as rpc, aiohttp.ClientSession() as session:
                source: NodeSource
                if self.config.cometbft_rpc:
                    comet = CometBftSource(rpc, self.config.cometbft_rpc, session)
                    trust = await comet.trust(await comet.genesis_hash())
                    root = encode_trust_root(trust.to_root())
                    status = await self._call(self.enclave.init_trust, root)
                    source = comet
                else:
                    source = NodeSource(rpc)
                    genesis = await source.genesis_hash()
                    status = await self._call(self.enclave.init, genesis, self.config.dev_authority, 1)
                self.status = status
                self.block_number = status.block_number
                fresh = status.block_number == 0 and status.block_hash == PRE_GENESIS_HASH
                self._next = 0 if fresh else status.block_number + 1
                log.info("worker %s resumes at block #%d", status.identity_public.hex(), status.block_number)
                await self._register(rpc)
                await self._flush_outbox(rpc)
                self.ready.set()
                await self._follow(rpc, source, stop)
        finally:
            await runner.cleanup()
            await asyncio.get_running_loop().run_in_executor(None, self.enclave.stop)

    async def _register(self, rpc: RpcClient) -> None:
        info, evidence = await self._call(
            self.enclave.get_info, self.query_url.encode(), self.config.account.public_key
        )
        key = registry_d.Workers.key(info.identity_public)
        raw = await rpc.request("state_getStorage", ["0x" + key.hex()])
        if raw is not None:
            known = registry_d.Workers.codec.decode(bytes.fromhex(raw[2:]))
            if (known["encryption_public"], known["endpoint"]) == (info.encryption_public, info.endpoint):
                log.info("worker %s is registered already", info.identity_public.hex())
                return
        call = bytes((REGISTRY_INDEX, REGISTER_WORKER)) + REGISTRATION_INFO_CODEC.encode(info)
        call += EVIDENCE_CODEC.encode(evidence_to_value(evidence))
        await self._submit(rpc, call)
        log.info("registration of worker %s submitted", info.identity_public.hex())

    async def _submit(self, rpc: RpcClient, call: bytes) -> None:
        chain = await fetch_chain_context(rpc)
        nonce = await next_nonce(rpc, self.config.account.public_key)
        await submit(rpc, compose_signed_extrinsic(self.config.account, call, nonce, chain))

    # -- egress ------------------------------------------------------------------------------------

    def _outbox_path(self) -> Path:
        return self.config.base_path / OUTBOX_FILE

    def _load_outbox(self) -> list[bytes]:
        path = self._outbox_path()
        if not path.exists():
            return []
        try:
            return list(OUTBOX.decode(path.read_bytes()))
        except DecodeError:
            log.warning("the egress outbox does not decode; dropped (the enclave re-emits on replay)")
            return []

    async def _flush_outbox(self, rpc: RpcClient) -> None:
        pending = self._load_outbox()
        if pending:
            log.info("resubmitting %d egress message(s) from the outbox", len(pending))
            await self._submit_egress(rpc, pending)

    async def _submit_egress(self, rpc: RpcClient, egress: list[bytes]) -> None:
        path = self._outbox_path()
        write_atomically(path, OUTBOX.encode(egress))
        for raw in egress:
            try:
                signed = SignedMessage.decode(raw)
            except DecodeError:
                log.error("the enclave emitted an undecodable message; not submitted")
                continue
            key = mq_d.Sequences.key(signed.message.origin)
            next_raw = await rpc.request("state_getStorage", ["0x" + key.hex()])
            expected = 0 if next_raw is None else mq_d.Sequences.codec.decode(bytes.fromhex(next_raw[2:]))
            origin = type(signed.message.origin).__name__
            if signed.sequence < expected:
                log.info("egress %s #%d is on chain already; skipped", origin, signed.sequence)
                continue
            try:
                await self._submit(rpc, bytes((MQ_INDEX, PUSH_SIGNED_MESSAGE)) + raw)
                log.info("egress %s #%d submitted", origin, signed.sequence)
            except ClientError as exc:
                log.info("egress %s #%d not accepted by the pool: %s", origin, signed.sequence, exc.message)
        path.unlink(missing_ok=True)

    # -- following the chain -----------------------------------------------------------------------

    async def _follow(self, rpc: RpcClient, source: NodeSource, stop: asyncio.Event) -> None:
        async with rpc.subscribe(
            "chain_subscribeFinalizedHeads", [], "chain_unsubscribeFinalizedHeads"
        ) as heads:
            while not stop.is_set():
                target = await source.finalized_number()
                while self._next <= target and not stop.is_set():
                    block = await source.fetch_block(self._next)
                    fed = await self._call(
                        self.enclave.feed_block, block.header, block.justification, block.proofs
                    )
                    self.block_number, self._next = fed.block_number, fed.block_number + 1
                    for level, text in fed.logs:
                        log.log(logging.getLevelName(level.upper()), "enclave: %s", text)
                    if fed.egress:
                        await self._submit_egress(rpc, list(fed.egress))
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(heads.__anext__(), timeout=1.0)

    async def _start_query_server(self) -> web.AppRunner:
        app = web.Application(client_max_size=1 << 20)
        app.router.add_post("/query", self._handle_query)
        app.router.add_get("/info", self._handle_info)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.config.query_host, self.config.query_port)
        await site.start()
        server: Any = site._server
        sockets = server.sockets if server is not None else ()
        port = sockets[0].getsockname()[1] if sockets else self.config.query_port
        self.query_url = self.config.endpoint or f"http://{self.config.query_host}:{port}/query"
        log.info("query endpoint %s", self.query_url)
        return runner

    async def _handle_query(self, request: web.Request) -> web.Response:
        body = await request.read()
        started = time.monotonic()
        try:
            answer = await self._call(self.enclave.query, body)
        except Exception as exc:  # the enclave's typed refusal, told to the client without detail leaks
            message = getattr(exc, "message", type(exc).__name__)
            return web.Response(status=400, text=message)
        log.debug("query answered in %.1f ms", 1000 * (time.monotonic() - started))
        return web.Response(body=answer, content_type="application/octet-stream")

    async def _handle_info(self, request: web.Request) -> web.Response:
        status = await self._call(self.enclave.status)
        return web.json_response(
            {
                "identity": "0x" + status.identity_public.hex(),
                "encryption": "0x" + status.encryption_public.hex(),
                "block": status.block_number,
                "contracts": ["0x" + cid.hex() for cid, has_key in status.contracts if has_key],
            }
        )
