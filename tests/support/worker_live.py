"""A live `phalanx dev` node's workers for integration tests: worker processes and the chain reads,
submissions and waits the worker scenarios share (`test_worker_live`, `test_worker_cometbft`).

Workers run a copy of the `phalanx` package taken when a test starts (`snapshot_code`), whose enclave
measurement the test's genesis allows.
"""

from __future__ import annotations

import asyncio
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import aiohttp

from phalanx.client.chain import Chain, compose_call
from phalanx.client.rpc import RpcClient
from phalanx.contracts import compute_builtin_id
from phalanx.contracts.token import (
    ANSWERS,
    COMMANDS,
    QUERIES,
    AccountBalance,
    Balance,
    TokenCommand,
)
from phalanx.crypto import Keypair
from phalanx.localnet import registry
from phalanx.runtime.modules.contracts import declarations as contracts_d
from phalanx.runtime.modules.mq import declarations as mq_d
from phalanx.runtime.modules.registry import declarations as registry_d
from phalanx.runtime.modules.system import declarations as system_d
from phalanx.tee.platform.measurement import compute_code_measurement, default_source_root
from phalanx.wire.command import encrypt_command
from phalanx.wire.query import make_query, open_answer, seal_query

READY = re.compile(
    r"^phalanx worker ready: identity=0x(?P<identity>[0-9a-f]{64}) "
    r"encryption=0x(?P<encryption>[0-9a-f]{64}) query=(?P<query>\S+) block=(?P<block>\d+)$"
)
TOKEN = compute_builtin_id("token")
PHA = 10**12
DAVE, EVE = Keypair.from_suri("//Dave"), Keypair.from_suri("//Eve")
SUDO = Keypair.from_suri("//Alice")
DEADLINE = 120.0
T = TypeVar("T")


def snapshot_code(dest: Path) -> tuple[Path, bytes]:
    """A copy of the `phalanx` package for the worker processes to run, and its enclave measurement.

    The source tree may change while a test runs (it is being worked on). A worker started from the tree
    after such a change measures other code than the genesis allows, and the chain refuses it
    (`Registry.MeasurementNotAllowed`). Workers run this copy, and the genesis allows its measurement.
    """
    root = dest / "code"
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(default_source_root() / "phalanx", root / "phalanx", ignore=skip)
    return root, compute_code_measurement(root)


class WorkerProcess:
    """One worker: `phalanx worker` in its own process group (host and enclave), running the
    `phalanx` package under `code_root` (default: the one this test imports)."""

    def __init__(
        self, node_url: str, base_path: Path, platform_dir: Path, account: str, checkpoint_interval: int,
        code_root: Path | None = None,
    ) -> None:  # fmt: skip
        self.args = [sys.executable, "-m", "phalanx.cli.main", "worker", "--node", node_url,
                     "--base-path", str(base_path), "--platform-dir", str(platform_dir),
                     "--account", account, "--checkpoint-interval", str(checkpoint_interval)]  # fmt: skip
        self.base_path = base_path
        self.code_root = code_root
        self.lines: list[str] = []
        self.identity = self.encryption = b""
        self.query_url = ""
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> WorkerProcess:
        self.lines.append("--- start ---")
        ready: queue.Queue[str | None] = queue.Queue()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if self.code_root is not None:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(self.code_root), env.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            self.args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
            env=env,
        )  # fmt: skip
        process = self.process

        def pump() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                self.lines.append(line.rstrip("\n"))
                if READY.match(line.rstrip("\n")):
                    ready.put(line.rstrip("\n"))
            ready.put(None)

        threading.Thread(target=pump, daemon=True).start()
        try:
            line = ready.get(timeout=DEADLINE)
        except queue.Empty:
            raise TimeoutError("the worker was not ready in time:\n" + "\n".join(self.lines[-30:])) from None
        if line is None:
            raise RuntimeError("the worker exited before it was ready:\n" + "\n".join(self.lines[-30:]))
        match = READY.match(line)
        assert match is not None
        self.identity, self.encryption = bytes.fromhex(match["identity"]), bytes.fromhex(match["encryption"])
        self.query_url = match["query"]
        return self

    def kill(self) -> None:
        """SIGKILL the host and its enclave process (one process group)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=30)

    def log_has(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    def registration_refused(self) -> str | None:
        """The host's error line if the chain refused its registration, or it gave up submitting it."""
        for line in self.lines:
            if f"worker {self.identity.hex()} is not registered" in line or (
                f"registration of worker {self.identity.hex()} failed" in line
            ):
                return line
        return None


def dev_options(spec: Path) -> list[str]:
    options = ["--block-time", "0.5", "--chain-spec", str(spec)]
    # `phalanx dev` may run its own workers beside the chain; this test brings its own.
    usage = subprocess.run([sys.executable, "-m", "phalanx.cli.main", "dev", "--help"], capture_output=True,
                           text=True, timeout=60, env={**os.environ, "COLUMNS": "200"}).stdout  # fmt: skip
    if "--workers" in usage:
        options += ["--workers", "0"]
    if "--gatekeepers" in usage:
        options += ["--gatekeepers", "0"]
    return options


async def until(what: str, check: Callable[[], Awaitable[T | None]], timeout: float = DEADLINE) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value is not None and value is not False:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout} s")
        await asyncio.sleep(0.25)


async def registered(rpc: RpcClient, worker: WorkerProcess) -> None:
    """Wait until `worker` is in `Registry.Workers`; fail at once if its host says the chain refused it."""

    async def check() -> bool | None:
        if await Chain(rpc).get_entry(registry_d.Workers, worker.identity) is not None:
            return True
        refused = worker.registration_refused()
        if refused is not None:
            raise AssertionError(f"the registration of worker 0x{worker.identity.hex()} failed: {refused}")
        return None

    await until(f"registration of worker 0x{worker.identity.hex()}", check)


async def sequence_of(rpc: RpcClient, origin: Any) -> int:
    return int(await Chain(rpc).get_entry(mq_d.Sequences, origin))


async def command_count(rpc: RpcClient) -> int:
    return int(await Chain(rpc).get_entry(contracts_d.CommandSequence, TOKEN))


async def free_balance(rpc: RpcClient, who: bytes) -> int:
    return int((await Chain(rpc).get_entry(system_d.Account, who)).free)


async def contract_public(rpc: RpcClient) -> bytes | None:
    key = await Chain(rpc).get_entry(contracts_d.PublicKeys, TOKEN)
    return None if key is None else bytes(key.public_key)


async def query_balance(http: aiohttp.ClientSession, worker: WorkerProcess, who: Keypair) -> tuple[int, int]:
    """(private balance of `who`, block the answer reflects), asked of `worker` over its endpoint."""
    signed = make_query(who, TOKEN, QUERIES.encode(Balance()), int(time.time() * 1000))
    box, ephemeral, request_hash = seal_query(worker.encryption, signed)
    async with http.post(worker.query_url, data=box) as response:
        body = await response.read()
        if response.status != 200:
            raise RuntimeError(f"query refused: {response.status} {body[:200]!r}")
    answer = open_answer(ephemeral, request_hash, worker.identity, body)
    if answer.error is not None:
        raise RuntimeError(f"the contract refused the query: {answer.error}")
    decoded = ANSWERS.decode(answer.answer)
    assert isinstance(decoded, AccountBalance) and decoded.account == who.public_key
    return decoded.amount, answer.block_number


async def settled_balance(http: aiohttp.ClientSession, worker: WorkerProcess, who: Keypair,
                          expected: int) -> int:  # fmt: skip
    """Wait until `worker` answers `expected` for `who` (it may lag the chain by a few blocks)."""
    last: list[int] = []

    async def check() -> int | None:
        try:
            amount, _ = await query_balance(http, worker, who)
        except RuntimeError:
            return None
        last[:] = [amount]
        return amount if amount == expected else None

    try:
        return await until(f"balance {expected} of 0x{who.public_key.hex()[:8]}", check)
    except TimeoutError:
        raise AssertionError(f"expected {expected}, the worker answers {last}") from None


async def submit(rpc: RpcClient, signer: Keypair, module: str, function: str, **args: Any) -> None:
    await registry.submit_call(rpc, signer, compose_call(module, function, **args))


async def push(rpc: RpcClient, signer: Keypair, key: bytes, command: TokenCommand) -> None:
    sealed = encrypt_command(key, TOKEN, signer.public_key, COMMANDS.encode(command))
    await submit(rpc, signer, "Contracts", "push_command", contract_id=TOKEN, ciphertext=sealed)
