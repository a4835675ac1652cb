"""The live development network of the end-to-end tests: what it runs and how tests talk to it.

`phalanx dev` runs the chain and one worker (its own host and enclave processes); a second worker
runs in this test process (`WorkerHost`, with its enclave as a child process) so that the tests can
read the host's whole view of its enclave: the channel transcript and the enclave's log lines.
Then a gatekeeper process is started with `phalanx.localnet.dev.Devnet` and made gatekeeper by sudo,
after both workers were assigned the token contract, and serves them its key.

Every process is stopped at teardown (and the dev network's worker processes die with it).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from phalanx.client.confidential import TOKEN_ID, ConfidentialClient
from phalanx.client.rpc import RpcClient
from phalanx.localnet.dev import Devnet
from phalanx.tee.host import WorkerHost

T = TypeVar("T")
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


async def wait_token_workers(url: str, count: int, with_key: bool, deadline_s: float = 120.0) -> None:
    deadline = time.monotonic() + deadline_s
    async with RpcClient.connect(url) as rpc, ConfidentialClient(rpc) as client:
        while True:
            contract = await client.get_contract(TOKEN_ID)
            if len(contract.workers) >= count and (contract.public_key is not None or not with_key):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the token contract has {contract} after {deadline_s:.0f} s")
            await asyncio.sleep(0.2)
