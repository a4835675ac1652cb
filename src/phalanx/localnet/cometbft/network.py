"""A local CometBFT network: N validators, each one cometbft process beside one application process.

Layout under the base path:

    net.json                       what `phalanx net status|down` read (see `NetworkInfo`)
    validator-<i>/cometbft/        CometBFT home (config.toml, genesis.json, keys, block store)
    validator-<i>/app/             the application's data (LMDB for the runtime)
    validator-<i>/app.log, cometbft.log

`create_network` writes keys, genesis and config for every validator on free loopback ports;
`start_validator` starts the application, waits until it accepts ABCI connections, then starts
cometbft; `stop_validator` stops both (or kills them, as a crash). Ports are fixed at creation, so
a restarted validator comes back at the same addresses and its peers reconnect to it.

Applications: "runtime" (`phalanx node`, the chain runtime behind ABCI plus Substrate RPC) and
"kvstore" (the example key=value application, for checking the orchestration on its own).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from phalanx.localnet.cometbft.config import LOOPBACK, configure, free_ports, toml_str
from phalanx.localnet.cometbft.errors import CometBftNotFound, NetworkExists, NetworkNotFound, RpcFailed
from phalanx.localnet.cometbft.genesis import GenesisValidator, build_genesis, write_genesis
from phalanx.localnet.cometbft.keys import Ed25519Key, write_node_key, write_validator_key
from phalanx.localnet.cometbft.process import (
    is_alive,
    kill_pid,
    pids_mentioning,
    spawn,
    stop_pid,
    wait_for,
    wait_for_log_line,
)
from phalanx.localnet.cometbft.rpc import CometRpc

NET_FILE = "net.json"
APPS = ("runtime", "kvstore")
ABCI_READY = r"abci listening on (tcp://\S+)"
DEFAULT_POWER = 10
START_DEADLINE = 60.0


def find_cometbft(explicit: str | None = None) -> str:
    """The cometbft binary: `explicit`, $COMETBFT, ./.tools/bin/cometbft, or PATH."""
    from shutil import which

    candidates = [explicit, os.environ.get("COMETBFT"), str(Path.cwd() / ".tools" / "bin" / "cometbft"),
                  str(Path(__file__).resolve().parents[4] / ".tools" / "bin" / "cometbft"), which("cometbft")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise CometBftNotFound("cometbft not found: set COMETBFT, run tools/install-cometbft.sh, or extend PATH")


@dataclass(frozen=True)
class NetworkOptions:
    """Consensus timing and logging for every validator of a new network."""

    timeout_propose: str = "1s"
    timeout_commit: str = "200ms"
    log_level: str = "state:info,*:error"
    power: int = DEFAULT_POWER


@dataclass(frozen=True)
class ValidatorNode:
    """One validator: where its files are, its ports, and the pids of its two processes (0 = not started)."""

    name: str
    index: int
    dir: str
    node_id: str
    validator_address: str
    abci_port: int
    p2p_port: int
    cometbft_rpc_port: int
    substrate_rpc_port: int
    app_pid: int = 0
    cometbft_pid: int = 0

    @property
    def home(self) -> Path:
        return Path(self.dir) / "cometbft"

    @property
    def app_dir(self) -> Path:
        return Path(self.dir) / "app"

    @property
    def app_log(self) -> Path:
        return Path(self.dir) / "app.log"

    @property
    def cometbft_log(self) -> Path:
        return Path(self.dir) / "cometbft.log"

    @property
    def cometbft_rpc_url(self) -> str:
        return f"http://{LOOPBACK}:{self.cometbft_rpc_port}"

    @property
    def substrate_rpc_url(self) -> str:
        return f"ws://{LOOPBACK}:{self.substrate_rpc_port}"

    @property
    def substrate_http_url(self) -> str:
        return f"http://{LOOPBACK}:{self.substrate_rpc_port}"

    @property
    def p2p_address(self) -> str:
        return f"{self.node_id}@{LOOPBACK}:{self.p2p_port}"

    def rpc(self, timeout: float = 10.0) -> CometRpc:
        return CometRpc(self.cometbft_rpc_url, timeout)

    def to_json(self) -> dict[str, Any]:
        body = asdict(self)
        body["substrate_rpc_url"] = self.substrate_rpc_url
        body["cometbft_rpc_url"] = self.cometbft_rpc_url
        return body

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ValidatorNode:
        names = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in raw.items() if k in names})


@dataclass(frozen=True)
class NetworkInfo:
    """The contents of net.json."""

    base_path: str
    chain_id: str
    app: str
    cometbft: str
    validators: tuple[ValidatorNode, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {"base_path": self.base_path, "chain_id": self.chain_id, "app": self.app,
                "cometbft": self.cometbft, "validators": [v.to_json() for v in self.validators]}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> NetworkInfo:
        return cls(base_path=raw["base_path"], chain_id=raw["chain_id"], app=raw["app"],
                   cometbft=raw["cometbft"],
                   validators=tuple(ValidatorNode.from_json(v) for v in raw["validators"]))

    def save(self) -> None:
        path = Path(self.base_path) / NET_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=2) + "\n")
        os.replace(tmp, path)

    @classmethod
    def load(cls, base_path: Path) -> NetworkInfo:
        path = base_path / NET_FILE
        if not path.exists():
            raise NetworkNotFound(f"no {NET_FILE} in {base_path}: start one there with `phalanx net up`")
        return cls.from_json(json.loads(path.read_text()))

    def with_validator(self, node: ValidatorNode) -> NetworkInfo:
        nodes = list(self.validators)
        nodes[node.index] = node
        return replace(self, validators=tuple(nodes))

    @property
    def process_marker(self) -> str:
        """A string in the command line of every process of this network (for finding strays)."""
        return str(Path(self.base_path) / "validator-")


def create_network(
    base_path: Path,
    validators: int,
    *,
    app: str = "runtime",
    chain_id: str = "phalanx-local",
    app_state: object = None,
    options: NetworkOptions | None = None,
    cometbft: str | None = None,
    keys: Sequence[Ed25519Key] | None = None,
) -> NetworkInfo:
    """Write keys, genesis and config for `validators` validators; starts nothing.

    `app_state` goes into genesis.json's app_state (the runtime's chain spec JSON). `keys`, if
    given, are the validators' consensus keys (one per validator)."""
    if app not in APPS:
        raise ValueError(f"unknown application {app!r}; choose one of {APPS}")
    if validators < 1:
        raise ValueError("a network needs at least one validator")
    options = options or NetworkOptions()
    binary = find_cometbft(cometbft)
    base = base_path.resolve()
    if (base / NET_FILE).exists():
        raise NetworkExists(f"{base} holds a network; `phalanx net down --base-path {base}` and remove it")
    base.mkdir(parents=True, exist_ok=True)

    ports = free_ports(4 * validators)
    consensus_keys = list(keys) if keys is not None else [Ed25519Key.generate() for _ in range(validators)]
    nodes: list[ValidatorNode] = []
    node_keys: list[Ed25519Key] = []
    for i in range(validators):
        directory = base / f"validator-{i}"
        home = directory / "cometbft"
        subprocess.run([binary, "init", "--home", str(home)], check=True, capture_output=True, timeout=60)
        (directory / "app").mkdir(parents=True, exist_ok=True)
        node_key = Ed25519Key.generate()
        write_validator_key(home / "config" / "priv_validator_key.json", consensus_keys[i])
        write_node_key(home / "config" / "node_key.json", node_key)
        node_keys.append(node_key)
        abci, p2p, rpc, substrate = ports[4 * i: 4 * i + 4]
        nodes.append(ValidatorNode(
            name=f"validator-{i}", index=i, dir=str(directory), node_id=node_key.node_id,
            validator_address=consensus_keys[i].address.hex().upper(), abci_port=abci, p2p_port=p2p,
            cometbft_rpc_port=rpc, substrate_rpc_port=substrate))

    template = json.loads((nodes[0].home / "config" / "genesis.json").read_text())
    genesis = build_genesis(
        template, chain_id,
        [GenesisValidator(n.name, consensus_keys[n.index], options.power) for n in nodes],
        app_state if app_state is not None else {})
    for node in nodes:
        write_genesis(node.home / "config" / "genesis.json", genesis)
        peers = ",".join(other.p2p_address for other in nodes if other.index != node.index)
        config_path = node.home / "config" / "config.toml"
        config_path.write_text(configure(config_path.read_text(), {
            ("", "moniker"): toml_str(node.name),
            ("", "proxy_app"): toml_str(f"tcp://{LOOPBACK}:{node.abci_port}"),
            ("", "log_level"): toml_str(options.log_level),
            ("rpc", "laddr"): toml_str(f"tcp://{LOOPBACK}:{node.cometbft_rpc_port}"),
            ("rpc", "pprof_laddr"): toml_str(""),
            ("p2p", "laddr"): toml_str(f"tcp://{LOOPBACK}:{node.p2p_port}"),
            ("p2p", "persistent_peers"): toml_str(peers),
            ("p2p", "addr_book_strict"): "false",
            ("p2p", "allow_duplicate_ip"): "true",
            ("p2p", "pex"): "false",
            ("consensus", "timeout_propose"): toml_str(options.timeout_propose),
            ("consensus", "timeout_commit"): toml_str(options.timeout_commit),
            ("tx_index", "indexer"): toml_str("null"),
        }))
    info = NetworkInfo(base_path=str(base), chain_id=chain_id, app=app, cometbft=binary,
                       validators=tuple(nodes))
    info.save()
    return info


def add_node(info: NetworkInfo, key: Ed25519Key | None = None) -> NetworkInfo:
    """Write a new node of the network: a full node (its consensus key `key`, fresh by default, is in no
    genesis) that follows the chain and becomes a validator when the chain gives its key power (the
    runtime's Staking, through `Session.set_keys`). Same genesis and consensus settings as
    validator-0, its own ports, every existing node as a persistent peer. Starts nothing: start it
    with `start_validator(info, index)`. Saves and returns the new net.json."""
    index = len(info.validators)
    base = Path(info.base_path)
    directory = base / f"validator-{index}"
    home = directory / "cometbft"
    if directory.exists():
        raise NetworkExists(f"{directory} exists; remove it to add a node there")
    subprocess.run([info.cometbft, "init", "--home", str(home)], check=True, capture_output=True, timeout=60)
    (directory / "app").mkdir(parents=True, exist_ok=True)
    consensus_key = key or Ed25519Key.generate()
    node_key = Ed25519Key.generate()
    write_validator_key(home / "config" / "priv_validator_key.json", consensus_key)
    write_node_key(home / "config" / "node_key.json", node_key)
    abci, p2p, rpc, substrate = free_ports(4)
    node = ValidatorNode(
        name=f"validator-{index}", index=index, dir=str(directory), node_id=node_key.node_id,
        validator_address=consensus_key.address.hex().upper(), abci_port=abci, p2p_port=p2p,
        cometbft_rpc_port=rpc, substrate_rpc_port=substrate)
    first = info.validators[0].home / "config"
    (home / "config" / "genesis.json").write_text((first / "genesis.json").read_text())
    peers = ",".join(other.p2p_address for other in info.validators)
    (home / "config" / "config.toml").write_text(configure((first / "config.toml").read_text(), {
        ("", "moniker"): toml_str(node.name),
        ("", "proxy_app"): toml_str(f"tcp://{LOOPBACK}:{node.abci_port}"),
        ("rpc", "laddr"): toml_str(f"tcp://{LOOPBACK}:{node.cometbft_rpc_port}"),
        ("p2p", "laddr"): toml_str(f"tcp://{LOOPBACK}:{node.p2p_port}"),
        ("p2p", "persistent_peers"): toml_str(peers),
    }))
    info = replace(info, validators=(*info.validators, node))
    info.save()
    return info


def app_command(info: NetworkInfo, node: ValidatorNode) -> list[str]:
    """The application process's command line."""
    listen = f"tcp://{LOOPBACK}:{node.abci_port}"
    if info.app == "kvstore":
        return [sys.executable, "-m", "phalanx.engine.abci.kvstore", "--listen", listen,
                "--state", str(node.app_dir / "kv.json")]
    return [sys.executable, "-m", "phalanx.cli.node_cmd", "--base-path", str(node.app_dir),
            "--genesis", str(node.home / "config" / "genesis.json"), "--abci", listen,
            "--rpc-port", str(node.substrate_rpc_port), "--cometbft-rpc", node.cometbft_rpc_url]


def start_validator(info: NetworkInfo, index: int, deadline: float | None = None) -> NetworkInfo:
    """Start validator `index` (application first, then cometbft); saves and returns the new net.json."""
    deadline = deadline if deadline is not None else time.monotonic() + START_DEADLINE
    node = info.validators[index]
    if node.app_pid and is_alive(node.app_pid) and node.cometbft_pid and is_alive(node.cometbft_pid):
        return info
    stop_validator(info, index)
    offset = node.app_log.stat().st_size if node.app_log.exists() else 0
    app = spawn(app_command(info, node), node.app_log, env=_child_env())
    node = replace(node, app_pid=app.pid, cometbft_pid=0)
    info = info.with_validator(node)
    info.save()
    wait_for_log_line(node.app_log, ABCI_READY, deadline, pid=app.pid, offset=offset)
    comet = spawn([info.cometbft, "start", "--home", str(node.home)], node.cometbft_log)
    node = replace(node, cometbft_pid=comet.pid)
    info = info.with_validator(node)
    info.save()
    return info


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[3])
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def stop_validator(info: NetworkInfo, index: int, *, crash: bool = False) -> NetworkInfo:
    """Stop validator `index`'s two processes (cometbft first); `crash` kills both with SIGKILL at once."""
    node = info.validators[index]
    for pid in (node.cometbft_pid, node.app_pid):
        if pid and is_alive(pid):
            if crash:
                kill_pid(pid)
            else:
                stop_pid(pid)
    for pid in pids_mentioning(node.dir + os.sep):
        kill_pid(pid) if crash else stop_pid(pid)
    node = replace(node, app_pid=0, cometbft_pid=0)
    info = info.with_validator(node)
    info.save()
    return info


def start_network(info: NetworkInfo, deadline: float | None = None) -> NetworkInfo:
    """Start every validator, then wait until all of them have committed a block."""
    if deadline is None:
        deadline = time.monotonic() + START_DEADLINE + 10 * len(info.validators)
    for node in info.validators:
        info = start_validator(info, node.index, deadline)
    wait_for_height(info, 1, deadline)
    return info


def stop_network(base_path: Path) -> list[int]:
    """Stop every process of the network at `base_path` (those in net.json and strays mentioning its
    path). Idempotent; returns the pids that were running."""
    base = base_path.resolve()
    stopped: list[int] = []
    try:
        info: NetworkInfo | None = NetworkInfo.load(base)
    except NetworkNotFound:
        info = None
    if info is not None:
        for node in info.validators:
            for pid in (node.cometbft_pid, node.app_pid):
                if pid and stop_pid(pid):
                    stopped.append(pid)
            info = info.with_validator(replace(node, app_pid=0, cometbft_pid=0))
        info.save()
    for pid in pids_mentioning(str(base / "validator-")):
        if stop_pid(pid):
            stopped.append(pid)
    return stopped


def height_of(node: ValidatorNode) -> int | None:
    """The validator's latest committed height, or None when its RPC does not answer."""
    try:
        return node.rpc(timeout=2.0).latest_height()
    except RpcFailed:
        return None


def wait_for_height(info: NetworkInfo, height: int, deadline: float,
                    indices: Sequence[int] | None = None) -> None:
    """Wait until each chosen validator (all by default) reports at least `height`."""
    chosen = [info.validators[i] for i in (indices if indices is not None else range(len(info.validators)))]

    def reached() -> bool:
        return all((height_of(node) or 0) >= height for node in chosen)

    wait_for(reached, deadline, f"height {height} on {', '.join(n.name for n in chosen)}")


@dataclass(frozen=True)
class ValidatorStatus:
    name: str
    app_running: bool
    cometbft_running: bool
    height: int | None
    app_hash: str | None
    peers: int | None
    catching_up: bool | None


def network_status(info: NetworkInfo) -> list[ValidatorStatus]:
    """Each validator's processes, height, last app hash and peer count (None where RPC is down)."""
    statuses = []
    for node in info.validators:
        height = app_hash = peers = catching_up = None
        try:
            status = node.rpc(timeout=2.0).status()
            sync = status["sync_info"]
            height = int(sync["latest_block_height"])
            app_hash = str(sync["latest_app_hash"]).lower()
            catching_up = bool(sync["catching_up"])
            peers = int(node.rpc(timeout=2.0).net_info()["n_peers"])
        except (RpcFailed, KeyError, TypeError, ValueError):
            pass
        statuses.append(ValidatorStatus(
            name=node.name, app_running=bool(node.app_pid) and is_alive(node.app_pid),
            cometbft_running=bool(node.cometbft_pid) and is_alive(node.cometbft_pid),
            height=height, app_hash=app_hash, peers=peers, catching_up=catching_up))
    return statuses


def app_hashes(info: NetworkInfo, heights: Sequence[int], indices: Sequence[int] | None = None
               ) -> dict[str, list[bytes]]:
    """Per validator name, the app hash its own application returned at each height."""
    chosen = [info.validators[i] for i in (indices if indices is not None else range(len(info.validators)))]
    return {node.name: [node.rpc().app_hash_at(h) for h in heights] for node in chosen}


PREVOTE_STEP = 4
PRECOMMIT_STEP = 6


@dataclass(frozen=True)
class ConsensusProgress:
    """Where a validator's consensus stands: height, round, step (4 prevote, 6 precommit) and the
    prevotes and precommits it holds for that round."""

    height: int
    round: int
    step: int
    prevotes: int
    precommits: int


def consensus_progress(node: ValidatorNode) -> ConsensusProgress:
    state = node.rpc().call("consensus_state")["round_state"]
    height, round_, step = (int(part) for part in str(state["height/round/step"]).split("/"))
    prevotes = precommits = 0
    for votes in state.get("height_vote_set") or []:
        if int(votes.get("round", -1)) == round_:
            prevotes = sum(1 for vote in votes.get("prevotes") or [] if str(vote).startswith("Vote{"))
            precommits = sum(1 for vote in votes.get("precommits") or [] if str(vote).startswith("Vote{"))
    return ConsensusProgress(height=height, round=round_, step=step, prevotes=prevotes, precommits=precommits)


def is_stalled(progress: Sequence[ConsensusProgress]) -> bool:
    """Whether validators (of equal power, the only ones up) wait for votes that cannot come: all at
    one height and round, each has voted in its step, and they hold no vote but their own. Without
    more than 2/3 of the power, Tendermint neither times out of that step nor commits."""
    live = len(progress)
    if len({(p.height, p.round, p.step) for p in progress}) != 1:
        return False
    step = progress[0].step
    if step == PREVOTE_STEP:
        return all(p.prevotes == live for p in progress)
    if step == PRECOMMIT_STEP:
        return all(p.precommits == live for p in progress)
    return False
