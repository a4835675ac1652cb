"""Enclave throughput, in process and against a live worker, beside the raw crypto of the same machine.

    python bench/enclave.py [--no-live] [--blocks 5] [--per-block 200] [--queries 300]
                            [--accounts 8] [--clients 8] [--commands 800] [--block-time 1.0]
                            [--profile DIR]

In process (the pure core and `PRuntime`, no I/O): confidential commands applied per second
(decrypt, execute, update state; block proofs and finality checked), and query round trips (seal,
open, verify, answer, seal back, open) with p50/p99 and queries/s.

Live (default; `--no-live` skips it): starts `phalanx dev` with one gatekeeper and one worker (each
its own host and enclave processes), deposits PHA into the private coin for `--accounts` fresh
accounts, then measures against the worker's query endpoint
- balance queries signed, sealed and verified as `ConfidentialClient.ask_worker` does: p50/p99 one at
  a time, queries/s with `--clients` concurrent clients; and queries/s when the client work (sign,
  seal; open and verify afterwards) is done outside the clock, which is what the worker can serve;
- confidential transfers pushed through the chain in one batch: commands/s from the first submission
  until the client's `wait_applied` returns (and until the chain finalized them, and until the worker's
  `/info` reached their last block), checked by the receiver's private balance.
Beside them, in the same run: raw box openings and seals, sr25519 verifications and signatures per
second on this machine, and the ratios.

`--profile DIR` runs every process of the dev network under cProfile (a `sitecustomize` hook put on
the children's PYTHONPATH, enabled by PHALANX_BENCH_PROFILE_DIR) and prints where each spends its
time; profiled figures are slower than unprofiled ones.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import pstats
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root, for tests.support

import aiohttp

from _common import bench_accounts, measure_verifications, write_spec
from phalanx.client.confidential import ConfidentialClient, WorkerRecord, encode_push_command
from phalanx.client.rpc import RpcClient
from phalanx.client.token import TokenClient
from phalanx.client.tx import compose_signed_extrinsic, fetch_chain_context, next_nonce, submit
from phalanx.contracts import compute_builtin_id
from phalanx.contracts.token import ANSWERS, COMMANDS, QUERIES, AccountBalance, Balance, Deposit, Transfer
from phalanx.crypto import Keypair
from phalanx.crypto.box import X25519Keypair, open_sealed, seal
from phalanx.mq import AccountOrigin, Message, RuntimeOrigin, Topic
from phalanx.runtime.modules.balances.declarations import PHA
from phalanx.storage import Database
from phalanx.tee.enclave import core
from phalanx.tee.enclave.chain_events import (
    REGISTRY_TOPIC,
    ContractAssigned,
    ContractDeployed,
    GatekeeperRegistered,
    WorkerRegistered,
    encode_registry_event,
)
from phalanx.tee.enclave.runtime import PRuntime
from phalanx.tee.enclave.state import EnclaveState, initial_enclave_state
from phalanx.tee.platform import SimulatedPlatform
from phalanx.wire.command import encrypt_command
from phalanx.wire.query import make_query, open_answer, seal_query
from tests.support.synthetic_chain import SyntheticChain

TOKEN = compute_builtin_id("token")
READY = re.compile(r"phalanx dev ready: rpc=(ws://\S+) genesis=0x[0-9a-f]{64}")
READY_TIMEOUT_S = 240.0
STOP_TIMEOUT_S = 60.0
APPLY_TIMEOUT_S = 300.0
SUBMIT_CHUNK = 100
DEPOSIT = 100 * PHA
ENDOWMENT = 1_000 * PHA
PROFILE_ENV = "PHALANX_BENCH_PROFILE_DIR"
PROFILE_HOOK = '''"""cProfile of this process, written at exit to $PHALANX_BENCH_PROFILE_DIR/<pid>.prof."""
import atexit
import cProfile
import json
import os
import sys

_directory = os.environ.get("PHALANX_BENCH_PROFILE_DIR")
if _directory:
    _profile = cProfile.Profile()

    def _write_profile() -> None:
        _profile.disable()
        _profile.dump_stats(os.path.join(_directory, f"{os.getpid()}.prof"))
        with open(os.path.join(_directory, f"{os.getpid()}.argv"), "w") as out:
            json.dump(sys.argv, out)

    atexit.register(_write_profile)
    _profile.enable()
'''


def percentile(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def describe_latencies(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    return f"p50 {statistics.median(ordered) * 1000:.2f} ms, p99 {percentile(ordered, 0.99) * 1000:.2f} ms"


# ---------------------------------------------------------------------------------------------
# Raw crypto on this machine


@dataclass(frozen=True)
class RawCrypto:
    box_opens: float
    box_seals: float
    sr25519_verifications: float
    sr25519_signatures: float

    @property
    def query_ceiling(self) -> float:
        """Queries/s one core could serve if the enclave did nothing but a query's crypto: open the
        query box, verify the asker's signature, sign the answer, seal it back."""
        cost = 1 / self.box_opens + 1 / self.sr25519_verifications + 1 / self.sr25519_signatures
        return 1 / (cost + 1 / self.box_seals)


def rate(operation: Callable[[], object], count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        operation()
    return count / (time.perf_counter() - start)


def measure_raw_crypto() -> RawCrypto:
    recipient = X25519Keypair.generate()
    boxes = iter([seal(recipient.public_key, b"x" * 120, b"aad") for _ in range(2000)])
    opens = rate(lambda: open_sealed(recipient, next(boxes), b"aad"), 2000)
    seals = rate(lambda: seal(recipient.public_key, b"x" * 120, b"aad"), 2000)
    pair = Keypair.from_suri("//Alice")
    signatures = rate(lambda: pair.sign(b"m" * 128), 2000)
    return RawCrypto(opens, seals, measure_verifications(1.0), signatures)


# ---------------------------------------------------------------------------------------------
# In process: the pure core and PRuntime


def reg(event: object) -> Message:
    return Message(RuntimeOrigin(), REGISTRY_TOPIC, encode_registry_event(event))  # type: ignore[arg-type]


def feed(state: EnclaveState, block: object) -> tuple[EnclaveState, list[Message]]:
    new, effects = core.apply(state, core.FeedBlock(block, b"\x01" * 32))  # type: ignore[arg-type]
    return new, [e.message.message for e in effects if isinstance(e, core.Egress)]


def run_in_process(args: argparse.Namespace, raw: RawCrypto) -> None:
    users = [Keypair.from_suri(f"//user{i}") for i in range(20)]
    with Database.temporary() as db:
        chain = SyntheticChain(db)
        state = initial_enclave_state(b"\x01" * 32, b"\x02" * 32, chain.trust)
        me, x = state.identity.public_key, state.x25519.public_key
        state, relay = feed(
            state, chain.add_block([reg(WorkerRegistered(me, x)), reg(GatekeeperRegistered(me, x))])
        )
        state, more = feed(
            state, chain.add_block([*relay, reg(ContractDeployed(TOKEN)), reg(ContractAssigned(TOKEN, me))])
        )
        deposits = [
            Message(
                RuntimeOrigin(), Topic.contract_command(TOKEN), COMMANDS.encode(Deposit(u.public_key, 10**15))
            )
            for u in users
        ]
        state, _ = feed(state, chain.add_block([*more, *deposits]))
        slot = state.get_contract(TOKEN)
        if slot is None or not slot.derived:
            raise SystemExit("the synthetic chain did not give the enclave the token contract's key")
        public = slot.derived[-1].x25519.public_key
        blocks = []
        for b in range(args.blocks):
            msgs = []
            for i in range(args.per_block):
                sender, to = users[i % len(users)], users[(i + b + 1) % len(users)]
                cmd = COMMANDS.encode(Transfer(to.public_key, 1, "bench"))
                msgs.append(
                    Message(
                        AccountOrigin(sender.public_key),
                        Topic.contract_command(TOKEN),
                        encrypt_command(public, TOKEN, sender.public_key, cmd),
                    )
                )
            blocks.append(chain.add_block(msgs))
        start = time.perf_counter()
        for block in blocks:
            state, _ = feed(state, block)
        elapsed = time.perf_counter() - start
        commands = args.blocks * args.per_block
        print(
            f"  confidential commands applied by the core: {commands / elapsed:,.0f}/s "
            f"({commands} commands in {args.blocks} blocks, proofs and finality checked; "
            f"{commands / elapsed / raw.box_opens:.0%} of raw box openings)"
        )

        with tempfile.TemporaryDirectory() as tmp:
            runtime = PRuntime(SimulatedPlatform(Path(tmp) / "machine", b"\x00" * 32), Path(tmp) / "data")
            runtime._state = state  # the benchmark's state, not one fed block by block again
            latencies = []
            total = time.perf_counter()
            for i in range(args.queries):
                user = users[i % len(users)]
                t0 = time.perf_counter()
                signed = make_query(user, TOKEN, QUERIES.encode(Balance()), int(time.time() * 1000))
                box, eph, request_hash = seal_query(state.x25519.public_key, signed)
                answer = runtime.query(box, int(time.time() * 1000))
                open_answer(eph, request_hash, state.identity.public_key, answer)
                latencies.append(time.perf_counter() - t0)
            total = time.perf_counter() - total
        print(
            f"  query round trip through PRuntime (client work included): {describe_latencies(latencies)}, "
            f"{args.queries / total:,.0f} queries/s"
        )


# ---------------------------------------------------------------------------------------------
# Live: a dev network with one gatekeeper and one worker


@dataclass
class DevNetwork:
    """A running `phalanx dev` process and what it wrote: RPC URL and the worker's query endpoint."""

    process: subprocess.Popen[bytes]
    base: Path
    log: Path
    rpc_url: str = ""
    info: dict[str, Any] | None = None

    @property
    def worker(self) -> dict[str, Any]:
        if self.info is None or not self.info["workers"]:
            raise SystemExit("dev.json names no worker")
        worker: dict[str, Any] = self.info["workers"][0]
        return worker

    def children(self) -> list[int]:
        if self.info is None:
            return []
        return [int(p["pid"]) for p in self.info["workers"] + self.info["gatekeepers"] if p["pid"]]


def start_dev_network(workdir: Path, spec: Path, block_time: float, profile_dir: Path | None) -> DevNetwork:
    """Start `phalanx dev` with one gatekeeper and one worker; its output goes to `workdir/dev.log`."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if profile_dir is not None:
        hook = workdir / "profile-hook"
        hook.mkdir()
        (hook / "sitecustomize.py").write_text(PROFILE_HOOK)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(hook), env.get("PYTHONPATH")]))
        env[PROFILE_ENV] = str(profile_dir)
    base, log = workdir / "dev", workdir / "dev.log"
    command = [
        sys.executable, "-m", "phalanx.cli.main", "dev", "--base-path", str(base), "--rpc-port", "0",
        "--gatekeepers", "1", "--workers", "1", "--chain-spec", str(spec), "--block-time", str(block_time),
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env,
                                   stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    return DevNetwork(process, base, log)


def wait_ready(network: DevNetwork) -> None:
    """Wait (with a deadline) for the ready line of `phalanx dev` and read its `dev.json`."""
    process, base, log = network.process, network.base, network.log
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        text = log.read_text(errors="replace")
        match = READY.search(text)
        if match:
            network.rpc_url = match[1]
            network.info = json.loads((base / "dev.json").read_text())
            return
        if process.poll() is not None:
            raise SystemExit(f"phalanx dev exited with code {process.returncode}:\n{text[-2000:]}")
        if time.monotonic() > deadline:
            raise SystemExit(f"phalanx dev was not ready after {READY_TIMEOUT_S:.0f} s:\n{text[-2000:]}")
        time.sleep(0.2)


def stop_dev_network(network: DevNetwork) -> None:
    """Stop `phalanx dev` as Ctrl-C would (it stops its workers, which stop their enclaves); kill what
    is left after the deadline."""
    process = network.process
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for pid in network.children():  # the hosts die with their supervisor; make sure of it
        while is_running(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if is_running(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False  # the id was reused by another user's process
    # a zombie (exited, not yet reaped by its parent) counts as stopped
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    return True


@dataclass(frozen=True)
class QueryFigures:
    sequential: list[float]
    concurrent_qps: float
    presealed_qps: float
    presealed: list[float]
    info: list[float]


@dataclass(frozen=True)
class CommandFigures:
    commands: int
    build_s: float
    submit_s: float
    finalized_s: float
    worker_s: float
    applied_s: float
    blocks: int


async def ask_balance(client: ConfidentialClient, worker: WorkerRecord, who: Keypair, expected: int) -> None:
    """One balance query exactly as the client asks it; the verified answer must be `expected`."""
    answer = await client.ask_worker(who, worker, TOKEN, QUERIES.encode(Balance()))
    check_balance(ANSWERS.decode(answer.payload), who, expected)


def check_balance(decoded: object, who: Keypair, expected: int) -> None:
    if not isinstance(decoded, AccountBalance) or (decoded.account, decoded.amount) != (
        who.public_key, expected
    ):
        raise SystemExit(f"unexpected answer to a balance query: {decoded}")


async def run_concurrently(clients: int, total: int, one: Callable[[int], Awaitable[None]]) -> float:
    """Run `one(i)` for i < total on `clients` concurrent loops; returns the seconds it took."""
    async def loop(first: int) -> None:
        for i in range(first, total, clients):
            await one(i)

    start = time.perf_counter()
    await asyncio.gather(*(loop(c) for c in range(clients)))
    return time.perf_counter() - start


async def measure_queries(
    client: ConfidentialClient, worker: WorkerRecord, accounts: list[Keypair], queries: int, clients: int
) -> QueryFigures:
    await ask_balance(client, worker, accounts[0], DEPOSIT)  # connection set up before the clock
    sequential = []
    for i in range(queries):
        start = time.perf_counter()
        await ask_balance(client, worker, accounts[i % len(accounts)], DEPOSIT)
        sequential.append(time.perf_counter() - start)

    elapsed = await run_concurrently(
        clients, queries, lambda i: ask_balance(client, worker, accounts[i % len(accounts)], DEPOSIT)
    )
    concurrent_qps = queries / elapsed

    # The client's work outside the clock: the worker's own capacity over HTTP.
    payload, now = QUERIES.encode(Balance()), int(time.time() * 1000)
    sealed = [
        seal_query(worker.encryption_public, make_query(accounts[i % len(accounts)], TOKEN, payload, now))
        for i in range(queries)
    ]
    answers: list[bytes] = [b""] * queries
    latencies: list[float] = [0.0] * queries
    session = client.http_session()

    async def post(i: int) -> None:
        start = time.perf_counter()
        headers = {"Content-Type": "application/octet-stream"}
        async with session.post(worker.endpoint, data=sealed[i][0], headers=headers) as response:
            answers[i] = await response.read()
            if response.status != 200:
                raise SystemExit(f"the worker refused a query: {answers[i][:200]!r}")
        latencies[i] = time.perf_counter() - start

    elapsed = await run_concurrently(clients, queries, post)
    for i, (_, ephemeral, request_hash) in enumerate(sealed):
        answer = open_answer(ephemeral, request_hash, worker.identity, answers[i])
        check_balance(ANSWERS.decode(answer.answer), accounts[i % len(accounts)], DEPOSIT)
    presealed_qps = queries / elapsed

    # The fixed cost of a request to the worker: HTTP, the host, its thread hop and the enclave pipe.
    info_url = worker.endpoint.rsplit("/", 1)[0] + "/info"
    info = []
    for _ in range(queries):
        start = time.perf_counter()
        async with session.get(info_url) as response:
            await response.read()
        info.append(time.perf_counter() - start)
    return QueryFigures(sequential, concurrent_qps, presealed_qps, latencies, info)


async def watch_worker_block(session: aiohttp.ClientSession, info_url: str, target: int) -> float:
    """Seconds until the worker's `/info` reports block `target` or later (polled every 50 ms)."""
    start = time.perf_counter()
    deadline = time.monotonic() + APPLY_TIMEOUT_S
    while time.monotonic() < deadline:
        async with session.get(info_url) as response:
            if int((await response.json())["block"]) >= target:
                return time.perf_counter() - start
        await asyncio.sleep(0.05)
    raise SystemExit(f"the worker did not reach block #{target} in {APPLY_TIMEOUT_S:.0f} s")


async def measure_commands(
    rpc: RpcClient, client: ConfidentialClient, info_url: str, senders: list[Keypair], sink: Keypair,
    commands: int,
) -> CommandFigures:  # fmt: skip
    """Confidential transfers of 1 planck from every sender to `sink`, pushed in one batch."""
    contract = await client.get_contract(TOKEN)
    if contract.public_key is None:
        raise SystemExit("the token contract has no published key")
    chain = await fetch_chain_context(rpc)
    nonces = [await next_nonce(rpc, s.public_key) for s in senders]
    start = time.perf_counter()
    extrinsics = []
    for i in range(commands):
        sender = senders[i % len(senders)]
        command = COMMANDS.encode(Transfer(sink.public_key, 1, "bench"))
        sealed = encrypt_command(contract.public_key, TOKEN, sender.public_key, command)
        nonce = nonces[i % len(senders)] + i // len(senders)
        extrinsics.append(compose_signed_extrinsic(sender, encode_push_command(TOKEN, sealed), nonce, chain))
    build = time.perf_counter() - start
    wanted = {"0x" + xt.hex() for xt in extrinsics}
    header = await rpc.request("chain_getHeader", [await rpc.request("chain_getFinalizedHead")])
    seen = int(str(header["number"]), 16)
    included, last_block, blocks = 0, 0, 0
    deadline = time.monotonic() + APPLY_TIMEOUT_S
    async with rpc.subscribe("chain_subscribeFinalizedHeads", [], "chain_unsubscribeFinalizedHeads") as heads:
        start = time.perf_counter()
        for offset in range(0, len(extrinsics), SUBMIT_CHUNK):
            await asyncio.gather(*(submit(rpc, xt) for xt in extrinsics[offset:offset + SUBMIT_CHUNK]))
        submitted = time.perf_counter() - start
        while included < len(extrinsics):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SystemExit(f"only {included} of {len(extrinsics)} commands were finalized in time")
            with contextlib.suppress(TimeoutError):
                head = await asyncio.wait_for(heads.__anext__(), timeout=min(remaining, 5.0))
                for number in range(seen + 1, int(str(head["number"]), 16) + 1):
                    block_hash = await rpc.request("chain_getBlockHash", [number])
                    block = await rpc.request("chain_getBlock", [block_hash])
                    found = sum(1 for xt in block["block"]["extrinsics"] if xt in wanted)
                    if found:
                        included, last_block, blocks = included + found, number, blocks + 1
                    seen = number
        finalized = time.perf_counter() - start
    worker_at = finalized + await watch_worker_block(client.http_session(), info_url, last_block)
    probe = QUERIES.encode(Balance())
    await client.wait_applied(sink, TOKEN, probe, last_block, APPLY_TIMEOUT_S)
    applied = time.perf_counter() - start
    return CommandFigures(len(extrinsics), build, submitted, finalized, worker_at, applied, blocks)


async def run_live_measurements(network: DevNetwork, args: argparse.Namespace, accounts: list[Keypair],
                                raw: RawCrypto) -> None:  # fmt: skip
    senders, sink = accounts[:-1], accounts[-1]
    async with RpcClient.connect(network.rpc_url) as rpc, ConfidentialClient(rpc) as client:
        identity = bytes.fromhex(network.worker["identity"][2:])
        worker = await client.get_worker(identity)
        if worker is None or worker.endpoint != network.worker["query"]:
            raise SystemExit(f"the chain's record of the worker does not match dev.json: {worker}")
        start = time.perf_counter()
        await asyncio.gather(*(TokenClient(client).deposit(s, DEPOSIT) for s in senders))
        print(f"  {len(senders)} deposits finalized and applied in {time.perf_counter() - start:.1f} s")

        q = await measure_queries(client, worker, senders, args.queries, args.clients)
        sequential_qps = len(q.sequential) / sum(q.sequential)
        print(f"  balance query over HTTP, one at a time (sign, seal, post, open, verify): "
              f"{describe_latencies(q.sequential)}, {sequential_qps:,.0f} queries/s")  # fmt: skip
        print(f"  the same with {args.clients} concurrent clients: {q.concurrent_qps:,.0f} queries/s")
        print(f"  pre-sealed queries, {args.clients} concurrent (client crypto outside the clock, "
              f"answers verified after): {q.presealed_qps:,.0f} queries/s, "
              f"{describe_latencies(q.presealed)}")  # fmt: skip
        print(f"  GET /info one at a time (HTTP, host, enclave pipe; no crypto): "
              f"{describe_latencies(q.info)}")  # fmt: skip

        info_url = network.worker["query"].rsplit("/", 1)[0] + "/info"
        c = await measure_commands(rpc, client, info_url, senders, sink, args.commands)
        print(f"  {c.commands} confidential transfers ({len(senders)} senders) signed and sealed in "
              f"{c.build_s:.2f} s, submitted in {c.submit_s:.2f} s")  # fmt: skip
        print(f"    finalized in {c.blocks} block(s) after {c.finalized_s:.2f} s, the worker at their "
              f"last block after {c.worker_s:.2f} s, the client's wait_applied returned after "
              f"{c.applied_s:.2f} s")  # fmt: skip
        print(f"    confidential commands applied (submission to the client's wait): "
              f"{c.commands / c.applied_s:,.0f}/s; to the worker's block: {c.commands / c.worker_s:,.0f}/s "
              f"(the worker reached it {c.worker_s - c.finalized_s:.2f} s after the client saw it "
              f"finalized; 50 ms polls)")  # fmt: skip
        balance = await TokenClient(client).balance(sink)
        if balance != c.commands:
            raise SystemExit(f"the receiver holds {balance} planck, expected {c.commands}")
        print(f"    checked: the receiver's private balance is {balance} planck, one per command")

        print("  ratios:")
        print(f"    queries/s (pre-sealed) / raw box openings/s: {q.presealed_qps / raw.box_opens:.1%}; "
              f"/ sr25519 verifications/s: {q.presealed_qps / raw.sr25519_verifications:.1%}; "
              f"/ crypto ceiling of a query: {q.presealed_qps / raw.query_ceiling:.1%}")
        print(f"    queries/s (full client, {args.clients} concurrent) / crypto ceiling of a query: "
              f"{q.concurrent_qps / raw.query_ceiling:.1%}")
        print(f"    commands/s (to the worker's block) / raw box openings/s: "
              f"{c.commands / c.worker_s / raw.box_opens:.1%}; "
              f"/ sr25519 verifications/s (the chain checks each command's signature): "
              f"{c.commands / c.worker_s / raw.sr25519_verifications:.1%}")


def run_live(args: argparse.Namespace, raw: RawCrypto) -> None:
    accounts = bench_accounts(args.accounts + 1)
    with tempfile.TemporaryDirectory(prefix="phalanx-bench-enclave-") as tmp:
        workdir = Path(tmp)
        spec = workdir / "spec.json"
        write_spec(spec, accounts, ENDOWMENT)
        profile_dir = args.profile.resolve() if args.profile is not None else None
        if profile_dir is not None:
            profile_dir.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        network = start_dev_network(workdir, spec, args.block_time, profile_dir)
        try:
            wait_ready(network)
            print(f"  phalanx dev with 1 gatekeeper and 1 worker ready in "
                  f"{time.perf_counter() - start:.1f} s (block time {args.block_time} s)")  # fmt: skip
            asyncio.run(run_live_measurements(network, args, accounts, raw))
        finally:
            stop_dev_network(network)
    if profile_dir is not None:
        print_profiles(profile_dir)


# ---------------------------------------------------------------------------------------------
# Profiles


def label(argv: list[str]) -> str:
    text = " ".join(argv)
    if "process_main" in text:
        data_dir = argv[argv.index("--data-dir") + 1] if "--data-dir" in argv else ""
        return f"enclave of {Path(data_dir).parent.name}"
    if "--gatekeeper" in argv:
        return "gatekeeper host"
    if " worker " in f" {text} ":
        return "worker host"
    if " dev " in f" {text} ":
        return "dev node (chain, RPC, devnet supervisor)"
    return text[:60]


def profiles(directory: Path) -> Iterator[tuple[str, Path]]:
    for argv_file in sorted(directory.glob("*.argv")):
        prof = argv_file.with_suffix(".prof")
        if prof.exists():
            yield label(json.loads(argv_file.read_text())), prof


IDLE = {"<method 'poll' of 'select.epoll' objects>", "<method 'read' of '_io.BufferedReader' objects>",
        "<built-in method time.sleep>", "<method 'select' of 'select.epoll' objects>",
        "<method 'acquire' of '_thread.lock' objects>"}  # fmt: skip


def print_profiles(directory: Path, top: int = 10) -> None:
    """Per process: CPU time outside waits, the functions with the most own time, and the project's
    functions with the most cumulative time."""
    print(f"\nprofiles (cProfile, main thread of each process; files in {directory}):")
    for name, path in profiles(directory):
        stats = pstats.Stats(str(path))
        rows = list(stats.stats.items())  # type: ignore[attr-defined]
        idle = sum(own for (_, _, function), (_, _, own, _, _) in rows if function in IDLE)
        busy = stats.total_tt - idle  # type: ignore[attr-defined]
        print(f"\n  {name}: {busy:.2f} s busy ({idle:.2f} s waiting); most own time:")
        by_own = sorted((r for r in rows if r[0][2] not in IDLE), key=lambda r: r[1][2], reverse=True)
        for (file, line, function), (_, calls, own, cumulative, _) in by_own[:top]:
            print(f"    {own:6.2f} s own {cumulative:6.2f} s cum {calls:10,d} calls  "
                  f"{shorten(file)}:{line}({function})")  # fmt: skip
        ours = [r for r in rows if "/phalanx/" in r[0][0] and r[1][3] < busy]
        print("    project functions, most cumulative time:")
        for (file, line, function), (_, calls, _, cumulative, _) in sorted(
            ours, key=lambda r: r[1][3], reverse=True
        )[:top]:
            print(f"    {cumulative:6.2f} s cum {calls:10,d} calls  {shorten(file)}:{line}({function})")


def shorten(file: str) -> str:
    for marker in ("/src/phalanx/", "/site-packages/", "/lib/python3"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blocks", type=int, default=5, help="in process: blocks of commands")
    parser.add_argument("--per-block", type=int, default=200, help="in process: commands per block")
    parser.add_argument("--queries", type=int, default=300, help="queries per query measurement")
    parser.add_argument("--live", action=argparse.BooleanOptionalAction, default=True,
                        help="measure against a live dev network too (default: yes)")  # fmt: skip
    parser.add_argument("--accounts", type=int, default=8, help="live: accounts that deposit and send")
    parser.add_argument("--clients", type=int, default=8, help="live: concurrent query clients")
    parser.add_argument("--commands", type=int, default=800, help="live: confidential transfers in the batch")
    parser.add_argument("--block-time", type=float, default=1.0, help="live: the dev chain's block time")
    parser.add_argument("--profile", type=Path, default=None,
                        help="live: profile every dev network process with cProfile into DIR")  # fmt: skip
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores (shared), load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")

    raw = measure_raw_crypto()
    print("raw crypto, one core:")
    print(f"  X25519 + HKDF + AES-256-GCM box: {raw.box_opens:,.0f} openings/s, {raw.box_seals:,.0f} seals/s")
    print(f"  sr25519: {raw.sr25519_verifications:,.0f} verifications/s, {raw.sr25519_signatures:,.0f} "
          f"signatures/s")  # fmt: skip
    print(f"  a query's crypto in the enclave (open, verify, sign, seal): ceiling {raw.query_ceiling:,.0f}/s")
    print("in process:")
    run_in_process(args, raw)
    if args.live:
        print("live (one worker over HTTP, commands through the dev chain):")
        run_live(args, raw)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("interrupted; every process the benchmark started is stopped", file=sys.stderr)
        sys.exit(130)
