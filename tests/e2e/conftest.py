"""One live development network for the end-to-end tests, shared by the module that uses it.

`phalanx dev` runs the chain and one worker (its own host and enclave processes); a second worker
runs in this test process (`WorkerHost`, with its enclave as a child process) so that the tests can
read the host's whole view of its enclave: the channel transcript and the enclave's log lines.
Then a gatekeeper process is started with `phalanx.node.devnet.Devnet` and made gatekeeper by sudo,
after both workers were assigned the token contract, and serves them its key.

Every process is stopped at teardown (and the dev network's worker processes die with it).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from phalanx.client.confidential import TOKEN_ID, ConfidentialClient
from phalanx.client.rpc import RpcClient
from phalanx.crypto import Keypair
from phalanx.node.devnet import Devnet, DevnetConfig
from phalanx.tee.host import WorkerConfig, WorkerHost

T = TypeVar("T")
READY = re.compile(r"phalanx dev ready: rpc=(?P<url>ws://\S+) genesis=(?P<genesis>0x[0-9a-f]{64})")
START_DEADLINE_S = 180.0


class BackgroundLoop:
    """An asyncio loop in a thread: the in-process worker host lives there; tests run coroutines on it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 300.0) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=30)


@dataclass
class Network:
    url: str
    base: Path  # the `phalanx dev` base path
    node: subprocess.Popen[bytes]
    loop: BackgroundLoop
    observer: WorkerHost
    observer_base: Path
    observer_log: Path
    gatekeepers: Devnet
    stop_observer: asyncio.Event = field(default_factory=asyncio.Event)

    def phalanx(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run the `phalanx` command against this network."""
        done = subprocess.run(
            [sys.executable, "-m", "phalanx.cli.main", *args, "--rpc", self.url],
            capture_output=True, text=True, timeout=180, env={**os.environ, "COLUMNS": "200"},
        )  # fmt: skip
        if check and done.returncode != 0:
            what = f"phalanx {' '.join(args)} failed ({done.returncode})"
            raise AssertionError(f"{what}:\n{done.stdout}{done.stderr}")
        return done

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 300.0) -> T:
        return self.loop.run(coroutine, timeout)

    def with_client(self, action: Any, timeout: float = 300.0) -> Any:
        """Run `action(client)` with a `ConfidentialClient` connected to the node."""

        async def main() -> Any:
            async with RpcClient.connect(self.url) as rpc, ConfidentialClient(rpc) as client:
                return await action(client)

        return self.run(main(), timeout)


def _wait_ready(log_path: Path, node: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + START_DEADLINE_S
    while time.monotonic() < deadline:
        text = log_path.read_text(errors="replace") if log_path.exists() else ""
        match = READY.search(text)
        if match:
            return match["url"]
        if node.poll() is not None:
            raise RuntimeError(f"phalanx dev exited with {node.returncode}:\n{text[-4000:]}")
        time.sleep(0.2)
    raise TimeoutError(f"phalanx dev was not ready in {START_DEADLINE_S:.0f} s")


async def _wait_token_workers(url: str, count: int, with_key: bool, deadline_s: float = 120.0) -> None:
    deadline = time.monotonic() + deadline_s
    async with RpcClient.connect(url) as rpc, ConfidentialClient(rpc) as client:
        while True:
            contract = await client.get_contract(TOKEN_ID)
            if len(contract.workers) >= count and (contract.public_key is not None or not with_key):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the token contract has {contract} after {deadline_s:.0f} s")
            await asyncio.sleep(0.2)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    root = tmp_path_factory.mktemp("devnet")
    base = root / "net"
    node_log = root / "node.log"
    command = [
        sys.executable, "-m", "phalanx.cli.main", "dev", "--base-path", str(base), "--rpc-port", "0",
        "--gatekeepers", "0", "--workers", "1", "--log-level", "info",
    ]  # fmt: skip
    with node_log.open("wb") as out:
        node = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})  # fmt: skip
    loop: BackgroundLoop | None = None
    observer_task: Any = None
    network: Network | None = None
    try:
        url = _wait_ready(node_log, node)
        loop = BackgroundLoop()
        # The in-process worker: same machine, so the same devnet attestation key.
        observer_base = root / "observer"
        (observer_base / "machine").mkdir(parents=True, mode=0o700)
        shutil.copyfile(base / "machine" / "attestation_key", observer_base / "machine" / "attestation_key")
        (observer_base / "machine" / "attestation_key").chmod(0o600)
        observer_log = root / "observer-host.log"
        handler = logging.FileHandler(observer_log)
        handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        logging.getLogger("phalanx").addHandler(handler)
        logging.getLogger("phalanx").setLevel(logging.DEBUG)
        authority = Keypair.from_suri("//Alice").public_key
        observer = WorkerHost(WorkerConfig(url, observer_base, Keypair.from_suri("//Dave"), authority))
        gatekeeper_base = root / "gatekeepers"
        (gatekeeper_base / "machine").mkdir(parents=True, mode=0o700)
        shutil.copyfile(base / "machine" / "attestation_key", gatekeeper_base / "machine" / "attestation_key")
        gatekeepers = Devnet(DevnetConfig(gatekeeper_base, gatekeepers=1, workers=0))
        network = Network(url, base, node, loop, observer, observer_base, observer_log, gatekeepers)

        async def start_observer() -> Any:
            network.stop_observer = asyncio.Event()
            return asyncio.ensure_future(observer.run(network.stop_observer))

        observer_task = loop.run(start_observer())
        loop.run(_wait_token_workers(url, 2, with_key=False))
        loop.run(gatekeepers.start(url))
        loop.run(_wait_token_workers(url, 2, with_key=True))
        yield network
    finally:
        if loop is not None:
            if network is not None:
                try:
                    loop.run(network.gatekeepers.stop(), timeout=60)
                finally:
                    loop.loop.call_soon_threadsafe(network.stop_observer.set)
            if observer_task is not None:

                async def finish() -> None:
                    await asyncio.wait_for(observer_task, 60)

                try:
                    loop.run(finish(), timeout=90)
                except Exception:  # the enclave child is killed below if the host did not stop it
                    network.observer.enclave.kill() if network is not None else None
            loop.close()
        _stop(node)
        print("--- phalanx dev log (last lines) ---")
        print("\n".join(node_log.read_text(errors="replace").splitlines()[-40:]))
