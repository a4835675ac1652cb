"""One live development network for the end-to-end tests, shared by the module that uses it
(see `e2e_network` for what runs)."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from e2e_network import START_DEADLINE_S, BackgroundLoop, Network, wait_token_workers

from phalanx.crypto import Keypair
from phalanx.localnet.dev import Devnet, DevnetConfig
from phalanx.tee.host import WorkerConfig, WorkerHost
from tests.support.dev_process import stop_process, wait_ready


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
        url = wait_ready(node_log, node, START_DEADLINE_S)
        loop = BackgroundLoop()
        # The in-process worker and the gatekeeper: same machine, so the same platform directory.
        platform_dir = base / "machine"
        observer_base = root / "observer"
        observer_base.mkdir()
        observer_log = root / "observer-host.log"
        handler = logging.FileHandler(observer_log)
        handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        logging.getLogger("phalanx").addHandler(handler)
        logging.getLogger("phalanx").setLevel(logging.DEBUG)
        authority = Keypair.from_suri("//Alice").public_key
        observer = WorkerHost(WorkerConfig(url, observer_base, Keypair.from_suri("//Dave"), authority,
                                           platform_dir=platform_dir))  # fmt: skip
        gatekeepers = Devnet(DevnetConfig(root / "gatekeepers", gatekeepers=1, workers=0,
                                          platform_dir=platform_dir))  # fmt: skip
        network = Network(url, base, node, loop, observer, observer_base, observer_log, gatekeepers)

        async def start_observer() -> Any:
            network.stop_observer = asyncio.Event()
            return asyncio.ensure_future(observer.run(network.stop_observer))

        observer_task = loop.run(start_observer())
        loop.run(wait_token_workers(url, 2, with_key=False))
        loop.run(gatekeepers.start(url))
        loop.run(wait_token_workers(url, 2, with_key=True))
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
        stop_process(node)
        print("--- phalanx dev log (last lines) ---")
        print("\n".join(node_log.read_text(errors="replace").splitlines()[-40:]))
