"""The development network of `phalanx dev`: the dev node, and gatekeeper and worker processes beside it.

    devnet = Devnet(DevnetConfig(base_path, gatekeepers=1, workers=2))
    await serve_dev_network(dev_config, devnet)   # all of the below, until SIGINT or SIGTERM

    spec_path = devnet.prepare_chain_spec(user_spec)   # genesis that accepts this machine's simulated quotes
    ... start the dev node with spec_path ...
    await devnet.start(rpc_url)       # processes started, registered, token keys on the workers
    await devnet.stop()               # SIGINT to every host (it stops its enclave), kill after a deadline

Each worker (and gatekeeper) is its own `phalanx worker` process with its own enclave process and base
path `BASE/workers/<name>`; its host logs go to `BASE/workers/<name>/host.log`. Startup order:
1. fund one host account per process from //Ferdie (the hosts pay registration and egress fees);
2. start the workers and wait until the chain registered them (the chain assigns them the token
   contract, up to `Contracts.REPLICAS`);
3. start the gatekeepers, wait until registered, and make them gatekeepers with `Sudo.sudo(
   Registry.force_register_gatekeeper)`: the first makes the master key and serves the contract keys
   of the assignments made before it;
4. wait until every worker assigned to the token contract reports its key, then write `BASE/dev.json`.

Attestation is SIMULATED: all processes share the machine's platform directory `BASE/machine`, so
they quote with its devnet attestation key, whose public key and the enclave code measurement the
genesis allows (`phalanx.localnet.registry.prepare_dev_genesis`). Restart on the same base path: the
chain spec, query ports and the processes' sealed state are reused; nothing is registered twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import logging
import signal
import socket
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from phalanx.client.chain import compose_call
from phalanx.client.confidential import TOKEN_ID, ConfidentialClient
from phalanx.client.rpc import RpcClient
from phalanx.client.tx import compose_signed_extrinsic, fetch_chain_context, next_nonce, submit
from phalanx.crypto import Keypair
from phalanx.errors import PhalanxError
from phalanx.localnet.registry import prepare_dev_genesis
from phalanx.node.config import DevConfig
from phalanx.node.service import DevNode
from phalanx.runtime.chain_spec import ChainSpec

log = logging.getLogger("phalanx.devnet")

CHAIN_SPEC_FILE = "chain-spec.json"
DEV_JSON = "dev.json"
MACHINE_DIR = "machine"
WORKERS_DIR = "workers"
HOST_LOG = "host.log"
QUERY_PORT_FILE = "query-port"
SUDO_SURI = "//Alice"  # the development chain spec's sudo key
FUNDER_SURI = "//Ferdie"
HOST_FUNDS = 10_000 * 10**12
MIN_HOST_BALANCE = 100 * 10**12
STOP_DEADLINE_S = 20.0
PR_SET_PDEATHSIG = 1


class DevnetError(PhalanxError):
    """The development network could not start."""

    module = "devnet"
    code = 0


class DevnetTimeout(DevnetError):
    """A step of the start-up did not finish before its deadline."""

    code = 1


class WorkerExited(DevnetError):
    """A worker or gatekeeper process exited during start-up."""

    code = 2


@dataclass(frozen=True)
class DevnetConfig:
    base_path: Path
    gatekeepers: int = 1
    workers: int = 2
    authority_suri: str = "//Alice"
    ready_timeout_s: float = 180.0
    platform_dir: Path | None = None
    """The machine's platform directory all processes share; default `BASE/machine`."""

    def check(self) -> None:
        if not (0 <= self.gatekeepers <= 8 and 0 <= self.workers <= 16):
            raise DevnetError("--gatekeepers is 0..8 and --workers 0..16")


@dataclass
class WorkerProcess:
    """One supervised `phalanx worker` process (its enclave is its own child process)."""

    name: str
    role: str  # "worker" or "gatekeeper"
    base_path: Path
    host_suri: str
    query_port: int
    process: asyncio.subprocess.Process | None = None
    identity: bytes = b""
    log_file: Any = field(default=None, repr=False)

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.query_port}/query"

    @property
    def info_url(self) -> str:
        return f"http://127.0.0.1:{self.query_port}/info"

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "pid": self.pid,
            "query": self.query_url,
            "identity": "0x" + self.identity.hex(),
            "base_path": str(self.base_path),
            "log": str(self.base_path / HOST_LOG),
        }


def _die_with_parent() -> None:
    """Run in the child before exec: Linux sends it SIGINT when the supervisor dies, even by SIGKILL, so
    no worker outlives its `phalanx dev`."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGINT))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Devnet:
    """Starts, watches and stops the worker processes of a dev network."""

    def __init__(self, config: DevnetConfig) -> None:
        config.check()
        self.config = config
        self.base = config.base_path
        self.processes: list[WorkerProcess] = []
        self.rpc_url = ""

    @property
    def enabled(self) -> bool:
        return self.config.gatekeepers + self.config.workers > 0

    @property
    def machine_dir(self) -> Path:
        return self.config.platform_dir or self.base / MACHINE_DIR

    # -- genesis -----------------------------------------------------------------------------------

    def prepare_chain_spec(self, source: Path | None) -> Path:
        """The chain spec file to start the node with: the user's (or the development) spec, changed so
        that it accepts this machine's simulated workers. Written once; a restart reuses it."""
        path = self.base / CHAIN_SPEC_FILE
        if path.exists():
            return path
        if source is None:
            spec = ChainSpec.development()
        else:
            spec = ChainSpec.from_json(json.loads(source.read_text()))
        prepared = prepare_dev_genesis(spec, self.machine_dir)
        self.base.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(prepared.to_json(), indent=2))
        tmp.replace(path)
        return path

    # -- start -------------------------------------------------------------------------------------

    async def start(self, rpc_url: str, genesis: str = "") -> None:
        """Start every process and wait (with the config's deadline) until the network is ready."""
        self.rpc_url = rpc_url
        deadline = time.monotonic() + self.config.ready_timeout_s
        self.processes = [self._plan("worker", i) for i in range(self.config.workers)]
        gatekeepers = [self._plan("gatekeeper", i) for i in range(self.config.gatekeepers)]
        self.processes += gatekeepers
        async with RpcClient.connect(rpc_url) as rpc, ConfidentialClient(rpc) as client:
            await self._fund_hosts(rpc, client, deadline)
            for proc in self.processes:
                if proc.role == "worker":
                    await self._launch(proc)
            await self._wait_registered(client, [p for p in self.processes if p.role == "worker"], deadline)
            for proc in gatekeepers:
                await self._launch(proc)
            await self._wait_registered(client, gatekeepers, deadline)
            await self._make_gatekeepers(rpc, client, gatekeepers, deadline)
            if gatekeepers:
                await self._wait_contract_keys(client, deadline)
        self._write_dev_json(genesis)

    def _plan(self, role: str, index: int) -> WorkerProcess:
        name = f"{role}-{index}"
        base = self.base / WORKERS_DIR / name
        base.mkdir(parents=True, exist_ok=True)
        port_file = base / QUERY_PORT_FILE
        if port_file.exists():
            port = int(port_file.read_text().strip())
        else:
            port = _free_port()
            port_file.write_text(str(port))
        return WorkerProcess(name, role, base, f"{FUNDER_SURI}//{name}", port)

    async def _fund_hosts(self, rpc: RpcClient, client: ConfidentialClient, deadline: float) -> None:
        funder = Keypair.from_suri(FUNDER_SURI)
        chain = await fetch_chain_context(rpc)
        nonce = await next_nonce(rpc, funder.public_key)
        needy = []
        for proc in self.processes:
            account = Keypair.from_suri(proc.host_suri).public_key
            if await client.get_free_balance(account) < MIN_HOST_BALANCE:
                call = compose_call("Balances", "transfer_keep_alive", dest=("Id", account), value=HOST_FUNDS)
                await submit(rpc, compose_signed_extrinsic(funder, call, nonce, chain))
                nonce += 1
                needy.append(account)
        for account in needy:
            while await client.get_free_balance(account) < MIN_HOST_BALANCE:
                self._check_deadline(deadline, "funding the worker host accounts")
                await asyncio.sleep(0.2)

    async def _launch(self, proc: WorkerProcess) -> None:
        authority = Keypair.from_suri(self.config.authority_suri).public_key
        command = [
            sys.executable, "-m", "phalanx.cli.main", "worker",
            "--node", self.rpc_url,
            "--base-path", str(proc.base_path),
            "--account", proc.host_suri,
            "--dev-authority", "0x" + authority.hex(),
            "--query-port", str(proc.query_port),
            "--platform-dir", str(self.machine_dir),
        ]  # fmt: skip
        if proc.role == "gatekeeper":
            command.append("--gatekeeper")
        proc.log_file = (proc.base_path / HOST_LOG).open("ab")
        proc.process = await asyncio.create_subprocess_exec(
            *command, stdin=asyncio.subprocess.DEVNULL, stdout=proc.log_file, stderr=proc.log_file,
            start_new_session=True, preexec_fn=_die_with_parent,
        )  # fmt: skip
        log.info("started %s (pid %d), query endpoint %s", proc.name, proc.process.pid, proc.query_url)

    async def _wait_registered(
        self, client: ConfidentialClient, procs: list[WorkerProcess], deadline: float
    ) -> None:
        session = client.http_session()
        for proc in procs:
            while not proc.identity:
                self._check_alive(proc)
                self._check_deadline(deadline, f"{proc.name} to serve its query endpoint")
                with contextlib.suppress(OSError, asyncio.TimeoutError, ValueError):
                    async with session.get(proc.info_url) as response:
                        if response.status == 200:
                            proc.identity = bytes.fromhex(str((await response.json())["identity"])[2:])
                            continue
                await asyncio.sleep(0.2)
            while await client.get_worker(proc.identity) is None:
                self._check_alive(proc)
                self._check_deadline(deadline, f"{proc.name} to be registered on chain")
                await asyncio.sleep(0.2)
            log.info("%s registered as 0x%s", proc.name, proc.identity.hex())

    async def _make_gatekeepers(
        self, rpc: RpcClient, client: ConfidentialClient, gatekeepers: list[WorkerProcess], deadline: float
    ) -> None:
        from phalanx.localnet.registry import force_register_gatekeeper

        sudo = Keypair.from_suri(SUDO_SURI)
        for proc in gatekeepers:
            record = await client.get_worker(proc.identity)
            if record is not None and record.is_gatekeeper:
                continue
            await force_register_gatekeeper(rpc, sudo, proc.identity)
            while True:
                record = await client.get_worker(proc.identity)
                if record is not None and record.is_gatekeeper:
                    break
                self._check_deadline(deadline, f"{proc.name} to become a gatekeeper")
                await asyncio.sleep(0.2)
            log.info("%s is a gatekeeper", proc.name)

    async def _wait_contract_keys(self, client: ConfidentialClient, deadline: float) -> None:
        """Until the token contract's key is published and every assigned worker holds it."""
        by_identity = {p.identity: p for p in self.processes}
        session = client.http_session()
        while True:
            contract = await client.get_contract(TOKEN_ID)
            pending = [] if contract.public_key is not None else ["the published contract key"]
            for identity in contract.workers:
                proc = by_identity.get(identity)
                if proc is None:
                    continue  # a worker this supervisor does not run
                self._check_alive(proc)
                with contextlib.suppress(OSError, asyncio.TimeoutError, ValueError):
                    async with session.get(proc.info_url) as response:
                        contracts = (await response.json()).get("contracts", [])
                        if "0x" + TOKEN_ID.hex() in contracts:
                            continue
                pending.append(proc.name)
            if not pending:
                return
            self._check_deadline(deadline, "the token contract key on " + ", ".join(pending))
            await asyncio.sleep(0.25)

    def _check_alive(self, proc: WorkerProcess) -> None:
        if proc.process is not None and proc.process.returncode is not None:
            raise WorkerExited(
                f"{proc.name} exited with code {proc.process.returncode}; see {proc.base_path / HOST_LOG}"
            )

    def _check_deadline(self, deadline: float, what: str) -> None:
        if time.monotonic() >= deadline:
            raise DevnetTimeout(f"timed out after {self.config.ready_timeout_s:.0f} s waiting for {what}")

    def _write_dev_json(self, genesis: str) -> None:
        data = {
            "rpc": self.rpc_url,
            "genesis": genesis,
            "base_path": str(self.base),
            "platform_dir": str(self.machine_dir),
            "workers": [p.describe() for p in self.processes if p.role == "worker"],
            "gatekeepers": [p.describe() for p in self.processes if p.role == "gatekeeper"],
        }
        path = self.base / DEV_JSON
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2) + "\n")
        tmp.replace(path)

    # -- watch and stop ----------------------------------------------------------------------------

    async def watch(self) -> None:
        """Log (once) every process that exits while the network runs; returns when all have exited."""
        waits = [p.process.wait() for p in self.processes if p.process is not None]
        for finished in asyncio.as_completed(waits):
            code = await finished
            log.warning("a worker process exited with code %d", code)

    async def stop(self) -> None:
        """Interrupt every host (it stops its enclave), then kill what is left after the deadline."""
        running = [p for p in self.processes if p.process is not None and p.process.returncode is None]
        for proc in running:
            with contextlib.suppress(ProcessLookupError):
                proc.process.send_signal(signal.SIGINT)  # type: ignore[union-attr]
        for proc in running:
            process = proc.process
            if process is None:
                continue
            try:
                await asyncio.wait_for(process.wait(), STOP_DEADLINE_S)
            except TimeoutError:
                log.warning("%s did not stop in %.0f s; killing it", proc.name, STOP_DEADLINE_S)
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        for proc in self.processes:
            if proc.log_file is not None:
                proc.log_file.close()
                proc.log_file = None



async def serve_dev_network(config: DevConfig, devnet: Devnet) -> None:
    """Run the dev node of `config` and, beside it, the processes of `devnet` until the node stops.

    Prints `phalanx dev: N worker processes, see BASE/dev.json` once the workers are ready, then the
    ready line `phalanx dev ready: rpc=ws://HOST:PORT genesis=0x...`. SIGINT or SIGTERM stops the node;
    then (also when the start-up failed) the worker processes are stopped and the node closed.
    """
    if devnet.enabled:
        config = replace(config, chain_spec=devnet.prepare_chain_spec(config.chain_spec))
    node = DevNode(config)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, node.stop)
    watcher: asyncio.Task[None] | None = None
    try:
        await node.start()
        backend = node.backend
        genesis = "0x" + backend.genesis_hash.hex() if backend is not None else ""
        if devnet.enabled:
            starting = asyncio.ensure_future(devnet.start(node.rpc_url, genesis))
            stopped = asyncio.ensure_future(node.wait_stopped())
            await asyncio.wait((starting, stopped), return_when=asyncio.FIRST_COMPLETED)
            if not starting.done():  # stopped while starting
                starting.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await starting
                return
            stopped.cancel()
            starting.result()
            watcher = asyncio.ensure_future(devnet.watch())
            print(f"phalanx dev: {len(devnet.processes)} worker processes, see {devnet.base / DEV_JSON}",
                  flush=True)  # fmt: skip
        print(f"phalanx dev ready: rpc={node.rpc_url} genesis={genesis}", flush=True)
        await node.wait_stopped()
    finally:
        if watcher is not None:
            watcher.cancel()
        await devnet.stop()
        await node.close()


__all__ = [
    "DEV_JSON", "Devnet", "DevnetConfig", "DevnetError", "DevnetTimeout", "WorkerExited", "WorkerProcess",
    "serve_dev_network",
]  # fmt: skip
