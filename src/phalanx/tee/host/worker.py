"""`WorkerHost`: the untrusted half of a worker. Starts its enclave, registers it, follows the chain.

Loop: wait for a new finalized head (`chain_subscribeFinalizedHeads`), fetch every block after the
enclave's last one (`NodeSource.fetch_block`: header, dev justification, state proofs; or, with
`WorkerConfig.cometbft_rpc`, `CometBftSource`: CometBFT's signed header H+1 for block H), feed it,
and submit the enclave's egress with `Mq.push_signed_message` signed by the host account (which pays
the fees). A refusal by the enclave stops the loop with its typed error: a host that cannot prove a
block cannot make the enclave believe it. Progress is logged every `PROGRESS_EVERY` blocks; when no
block comes for `WAIT_LOG_S` seconds the host says what it waits for (`NodeSource.describe_wait`),
then again at doubling intervals.

Every extrinsic the host signs goes through a `submission.Submitter`: it is followed to its
finalized block, a failed call is logged with the module error's name, and a transaction that is
refused, dropped, invalid or lost is submitted again with a fresh nonce after a backoff, a bounded
number of times (`WorkerConfig.retry`).

Egress is public, so the host keeps it in an outbox file (`OUTBOX_FILE`) until the chain holds it: a
host killed between the enclave sealing new key material and the inclusion resubmits it on restart.
Messages are handed to the pool in the order the enclave emitted them (one nonce after the other),
then followed concurrently. Before each attempt the host reads the sender's next sequence
(`Mq.Sequences`) and skips what the chain already accepted (a replica's copy, or a replay after a
restart); a copy that still lands is ignored by the chain as an identical copy.

Queries: an aiohttp server on `query_port` answers `POST /query` (body: sealed query box, answer:
sealed answer box) and `GET /info` (public keys and the block the enclave reflects).

Registration: on start the host submits `Registry.register_worker(info, evidence)` with the
enclave's quote unless the chain already holds this identity with the same encryption key and query
endpoint (a restart on another port re-registers), and follows it to its block: `worker … registered
in block #N`, or an error line naming why the chain refused it (e.g. `Registry.MeasurementNotAllowed`:
the enclave's code is not the code the chain allows). A `StaleQuote` is retried with a fresh quote.
On a dev chain the host account must hold PHA for fees: the development accounts (//Alice...) are
endowed at genesis.

Several workers on one machine share its platform directory (`WorkerConfig.platform_dir`, default
`<base_path>/machine`): its devnet attestation key is the one the dev genesis names
(`devnet.prepare_dev_genesis`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

from phalanx.attestation import evidence_to_value
from phalanx.attestation.registration import encode_trust_root
from phalanx.client.chain import compose_call
from phalanx.client.rpc import RpcClient
from phalanx.codec import Bytes, DecodeError, Vec
from phalanx.crypto import Keypair
from phalanx.errors import PhalanxError
from phalanx.files import write_atomically
from phalanx.mq import SignedMessage
from phalanx.runtime.modules.mq import declarations as mq_d
from phalanx.runtime.modules.registry import declarations as registry_d
from phalanx.tee.host.chain_source import CometBftSource, NodeSource
from phalanx.tee.host.submission import RetryPolicy, SubmissionFailed, Submitter
from phalanx.tee.platform.process import EnclaveProcess, EnclaveStatus
from phalanx.wire.enclave_protocol import PRE_GENESIS_HASH, BlockInput

log = logging.getLogger("phalanx.worker")

OUTBOX_FILE = "outbox"
OUTBOX = Vec(Bytes)
PROGRESS_EVERY = 100
"""Blocks between two INFO lines of block-following progress."""
WAIT_LOG_S = 10.0
"""Seconds without a new block before the host says what it waits for (then at doubling intervals)."""
MAX_WAIT_LOG_S = 300.0
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
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    """How the host retries the extrinsics it submits (registration, egress)."""


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
        """Set once the enclave follows the chain and its registration is in the pool (or was current)."""
        self.registration: asyncio.Task[None] | None = None
        """Follows the registration to its block; done when the chain decided it (see the log)."""
        self._tasks: set[asyncio.Task[None]] = set()
        self._outbox: list[bytes] = []
        self._egress: asyncio.Queue[bytes] = asyncio.Queue()

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
                submitter = Submitter(rpc, self.config.account, self.config.retry)
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
                try:
                    await self._register(submitter)
                    self._spawn(self._send_egress(submitter), "egress sender")
                    self._flush_outbox()
                    self.ready.set()
                    await self._follow(rpc, source, stop)
                finally:
                    await self._stop_tasks()
        finally:
            await runner.cleanup()
            await asyncio.get_running_loop().run_in_executor(None, self.enclave.stop)

    def _spawn(self, work: Awaitable[None], what: str) -> asyncio.Task[None]:
        async def guarded() -> None:
            try:
                await work
            except PhalanxError as exc:
                log.error("%s stopped: %s:%d %s", what, exc.module, exc.code, exc.message)
            except Exception:
                log.exception("%s stopped", what)

        task = asyncio.create_task(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _stop_tasks(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- registration ------------------------------------------------------------------------------

    async def _register(self, submitter: Submitter) -> None:
        """Submit the registration unless it is current; return once the pool holds it (or it failed)."""
        endpoint = self.query_url.encode()
        signer = (endpoint, self.config.account.public_key)
        first = [await self._call(self.enclave.get_info, *signer)]
        info = first[0][0]
        worker = info.identity_public.hex()

        async def current() -> bool:
            known = await submitter.chain.get_entry(registry_d.Workers, info.identity_public)
            if known is None:
                return False
            return bool((known.encryption_public, known.endpoint) == (info.encryption_public, endpoint))

        if await current():
            log.info("worker %s is registered already", worker)
            return

        async def call() -> bytes:
            # each attempt after the first carries a fresh quote (a stale one is what a retry may fix)
            fresh, evidence = first.pop() if first else await self._call(self.enclave.get_info, *signer)
            evidence_value = evidence_to_value(evidence)
            return compose_call("Registry", "register_worker", info=fresh, evidence=evidence_value)

        accepted = asyncio.Event()

        def on_accepted() -> None:
            log.info("registration of worker %s submitted", worker)
            accepted.set()

        async def follow() -> None:
            what = f"registration of worker {worker}"
            try:
                included = await submitter.submit(call, what, settled=current, on_accepted=on_accepted,
                                                  retry_failures=("Registry.StaleQuote",))  # fmt: skip
            except SubmissionFailed as exc:
                log.error("worker %s is not registered: %s", worker, exc.message)
                return
            if included is None:
                log.info("worker %s is registered already", worker)
            elif included.error is not None:
                log.error("registration of worker %s failed in block #%d: %s", worker, included.block_number,
                          included.error)  # fmt: skip
            else:
                log.info("worker %s registered in block #%d", worker, included.block_number)

        self.registration = self._spawn(follow(), "registration")
        waiting = asyncio.ensure_future(accepted.wait())
        await asyncio.wait({self.registration, waiting}, return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()

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

    def _save_outbox(self) -> None:
        if self._outbox:
            write_atomically(self._outbox_path(), OUTBOX.encode(self._outbox))
        else:
            self._outbox_path().unlink(missing_ok=True)

    def _flush_outbox(self) -> None:
        pending = self._load_outbox()
        if pending:
            log.info("resubmitting %d egress message(s) from the outbox", len(pending))
            self._queue_egress(pending)

    def _queue_egress(self, egress: list[bytes]) -> None:
        """Keep `egress` in the outbox until the chain holds it, and hand it to the sender in order."""
        fresh = [raw for raw in egress if raw not in self._outbox]
        self._outbox.extend(fresh)
        self._save_outbox()
        for raw in fresh:
            self._egress.put_nowait(raw)

    def _egress_done(self, raw: bytes) -> None:
        if raw in self._outbox:
            self._outbox.remove(raw)
            self._save_outbox()

    async def _send_egress(self, submitter: Submitter) -> None:
        """Hand each message to the pool in order; follow each one to its block in its own task."""
        while True:
            raw = await self._egress.get()
            try:
                signed = SignedMessage.decode(raw)
            except DecodeError:
                log.error("the enclave emitted an undecodable message; not submitted")
                self._egress_done(raw)
                continue
            accepted = asyncio.Event()
            delivery = self._spawn(self._deliver(submitter, signed, raw, accepted.set), "egress")
            waiting = asyncio.ensure_future(accepted.wait())
            await asyncio.wait({delivery, waiting}, return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()

    async def _deliver(self, submitter: Submitter, signed: SignedMessage, raw: bytes,
                       on_accepted: Callable[[], None]) -> None:  # fmt: skip
        origin = type(signed.message.origin).__name__
        what = f"egress {origin} #{signed.sequence}"

        async def on_chain() -> bool:
            expected = await submitter.chain.get_entry(mq_d.Sequences, signed.message.origin)
            return bool(signed.sequence < expected)

        async def call() -> bytes:
            return compose_call("Mq", "push_signed_message", message=signed)

        def accepted() -> None:
            log.info("%s submitted", what)
            on_accepted()

        try:
            included = await submitter.submit(call, what, settled=on_chain, on_accepted=accepted,
                                              retry_failures=("Mq.OutOfOrder",))  # fmt: skip
        except SubmissionFailed as exc:
            log.error("%s is not on chain: %s (it stays in the outbox until a restart)", what, exc.message)
            return
        if included is None:
            log.info("%s is on chain already; skipped", what)
        elif included.error is not None:
            log.error("%s failed in block #%d: %s", what, included.block_number, included.error)
        else:
            log.info("%s included in block #%d", what, included.block_number)
        self._egress_done(raw)

    # -- following the chain -----------------------------------------------------------------------

    async def _follow(self, rpc: RpcClient, source: NodeSource, stop: asyncio.Event) -> None:
        idle_since = last_said = time.monotonic()
        say_after = WAIT_LOG_S
        async with rpc.subscribe(
            "chain_subscribeFinalizedHeads", [], "chain_unsubscribeFinalizedHeads"
        ) as heads:
            while not stop.is_set():
                target = await source.finalized_number()
                if self._next <= target:
                    log.debug("feeding blocks #%d..#%d", self._next, target)
                while self._next <= target and not stop.is_set():
                    await self._feed(await source.fetch_block(self._next), target)
                    idle_since = last_said = time.monotonic()
                    say_after = WAIT_LOG_S
                now = time.monotonic()
                if now - last_said >= say_after and not stop.is_set():
                    reason = await source.describe_wait(self._next)
                    log.info("no new block for %.0f s, waiting for block #%d: %s",
                             now - idle_since, self._next, reason)  # fmt: skip
                    last_said, say_after = now, min(MAX_WAIT_LOG_S, 2 * say_after)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(heads.__anext__(), timeout=1.0)

    async def _feed(self, block: BlockInput, target: int) -> None:
        fed = await self._call(self.enclave.feed_block, block.header, block.justification, block.proofs)
        self.block_number, self._next = fed.block_number, fed.block_number + 1
        for level, text in fed.logs:
            log.log(logging.getLevelName(level.upper()), "enclave: %s", text)
        if fed.egress:
            self._queue_egress(list(fed.egress))
        if fed.block_number % PROGRESS_EVERY == 0:
            log.info("the enclave follows the chain at block #%d (finalized: #%d)", fed.block_number, target)

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
