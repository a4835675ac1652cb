"""The ABCI server drives a real CometBFT node, and the light client verifies what that node signs.

One single-validator network (the example key=value application behind our ABCI server) serves
both tests; every process started here is killed at the end, also when a test fails. Set
PHALANX_RECORD_COMETBFT_VECTORS=1 to rewrite tests/data/cometbft/light_blocks.json from the run.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import ed25519_zebra
import pytest

from phalanx.engine.lightclient import (
    ChainIdMismatch,
    HeaderHashMismatch,
    InsufficientVotingPower,
    InvalidSignature,
    LightClient,
    compute_validator_set_hash,
    parse_signed_header,
    parse_validator_set,
    verify_signed_header,
)
from phalanx.engine.lightclient.types import BlockIdFlag, CommitSig, SignedHeader

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = pathlib.Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "data" / "cometbft" / "light_blocks.json"
START_DEADLINE = 60.0
POLL = 0.05


def find_cometbft() -> str | None:
    candidates = [os.environ.get("COMETBFT"), str(ROOT / ".tools" / "bin" / "cometbft"),
                  shutil.which("cometbft")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def require_cometbft() -> str:
    binary = find_cometbft()
    if binary is None:
        pytest.skip("cometbft binary not found: set COMETBFT, run tools/install-cometbft.sh, or extend PATH")
    return binary


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def configure(config: str, settings: dict[tuple[str, str], str]) -> str:
    """Set `key = value` in named [sections] ("" for the top) of a CometBFT config.toml."""
    section, out, seen = "", [], set()
    for line in config.splitlines():
        header = re.fullmatch(r"\[([\w.]+)\]\s*", line)
        if header:
            section = header.group(1)
        key = line.split("=", 1)[0].strip() if "=" in line and not line.lstrip().startswith("#") else None
        if key is not None and (section, key) in settings:
            line = f"{key} = {settings[(section, key)]}"
            seen.add((section, key))
        out.append(line)
    missing = set(settings) - seen
    if missing:
        raise RuntimeError(f"config.toml has no {sorted(missing)}")
    return "\n".join(out) + "\n"


def wait_for_line(proc: subprocess.Popen[str], pattern: str, deadline: float) -> re.Match[str]:
    """Read the process's stdout until a line matches (the process writes it once ready)."""
    if proc.stdout is None:
        raise RuntimeError("process was started without a stdout pipe")
    fd = proc.stdout.fileno()
    os.set_blocking(fd, False)
    buffer = ""
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            chunk = b""
        if chunk:
            buffer += chunk.decode(errors="replace")
            match = re.search(pattern, buffer)
            if match:
                return match
        elif proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before printing {pattern!r}: {buffer}")
        else:
            time.sleep(POLL)
    raise TimeoutError(f"no line matching {pattern!r}; output so far: {buffer}")


@dataclass
class Network:
    home: pathlib.Path
    rpc_port: int
    chain_id: str
    cometbft_log: pathlib.Path

    def rpc(self, method: str, **params: object) -> dict[str, object]:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.rpc_port}", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            reply = json.load(answer)
        if "error" in reply:
            raise RuntimeError(f"{method} failed: {reply['error']}")
        result: dict[str, object] = reply["result"]
        return result

    def latest_height(self) -> int:
        status = self.rpc("status")
        return int(status["sync_info"]["latest_block_height"])  # type: ignore[index]

    def wait_for_height(self, height: int, timeout: float = START_DEADLINE) -> None:
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            try:
                if self.latest_height() >= height:
                    return
            except (OSError, urllib.error.URLError, RuntimeError) as exc:
                last_error = exc
            time.sleep(POLL)
        raise TimeoutError(f"height {height} not reached ({last_error}); log: {self.cometbft_log}")

    def broadcast_tx_commit(self, tx: bytes) -> dict[str, object]:
        return self.rpc("broadcast_tx_commit", tx=base64.b64encode(tx).decode())

    def query(self, key: bytes) -> dict[str, object]:
        return self.rpc("abci_query", path="", data=key.hex())["response"]  # type: ignore[return-value]


def _stop(proc: subprocess.Popen[str] | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


@contextlib.contextmanager
def kvstore_network(tmp_path: pathlib.Path, chain_id: str = "phalanx-kv-test") -> Iterator[Network]:
    """CometBFT + the kvstore ABCI server, both stopped on exit (also when the body fails)."""
    binary = require_cometbft()
    home = tmp_path / "cometbft"
    subprocess.run([binary, "init", "--home", str(home)], check=True, capture_output=True, timeout=60)
    genesis_path = home / "config" / "genesis.json"
    genesis = json.loads(genesis_path.read_text())
    genesis["chain_id"] = chain_id
    genesis_path.write_text(json.dumps(genesis, indent=2))

    app: subprocess.Popen[str] | None = None
    node: subprocess.Popen[str] | None = None
    log_path = tmp_path / "cometbft.log"
    try:
        app = subprocess.Popen(
            [sys.executable, "-m", "phalanx.engine.abci.kvstore", "--listen", "tcp://127.0.0.1:0",
             "--state", str(tmp_path / "kv.json")],
            stdout=subprocess.PIPE, stderr=open(tmp_path / "abci.log", "w"), text=True, cwd=ROOT,  # noqa: SIM115
        )
        ready = wait_for_line(app, r"abci listening on (tcp://\S+)", time.monotonic() + START_DEADLINE)
        address = ready.group(1)
        rpc_port = free_port()
        config_path = home / "config" / "config.toml"
        config_path.write_text(configure(config_path.read_text(), {
            ("", "proxy_app"): json.dumps(address),
            ("rpc", "laddr"): json.dumps(f"tcp://127.0.0.1:{rpc_port}"),
            ("p2p", "laddr"): json.dumps(f"tcp://127.0.0.1:{free_port()}"),
            ("rpc", "pprof_laddr"): '""',
            ("consensus", "timeout_commit"): '"200ms"',
            ("consensus", "timeout_propose"): '"1s"',
        }))
        with open(log_path, "w") as log:
            node = subprocess.Popen([binary, "start", "--home", str(home)], stdout=log,
                                    stderr=subprocess.STDOUT, text=True)
        network = Network(home=home, rpc_port=rpc_port, chain_id=chain_id, cometbft_log=log_path)
        network.wait_for_height(1)
        yield network
    finally:
        _stop(node)
        _stop(app)


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    with kvstore_network(tmp_path_factory.mktemp("cometbft")) as network:
        yield network


def test_transactions_commit_and_are_queryable(net: Network) -> None:
    first = net.broadcast_tx_commit(b"name=alice")
    assert first["check_tx"]["code"] == 0  # type: ignore[index]
    assert first["tx_result"]["code"] == 0  # type: ignore[index]
    second = net.broadcast_tx_commit(b"city=zurich")
    assert int(second["height"]) >= int(first["height"])  # type: ignore[call-overload]
    refused = net.broadcast_tx_commit(b"no-equals-sign")
    assert refused["check_tx"]["code"] == 1  # type: ignore[index]

    net.wait_for_height(int(second["height"]) + 1)  # type: ignore[call-overload]
    answer = net.query(b"name")
    assert answer["code"] == 0
    assert base64.b64decode(answer["value"]) == b"alice"  # type: ignore[arg-type]
    assert net.query(b"missing")["code"] == 2


def test_light_client_follows_real_headers_across_a_validator_change(net: Network) -> None:
    # A second validator with 1 power (it never runs) joins: the running one keeps 10/11 > 2/3.
    newcomer = ed25519_zebra.ed_from_seed(hashlib.sha256(b"newcomer").digest())[1]
    added = net.broadcast_tx_commit(f"val:{bytes(newcomer).hex()}=1".encode())
    assert added["tx_result"]["code"] == 0  # type: ignore[index]
    last = int(added["height"]) + 3  # type: ignore[call-overload]
    net.wait_for_height(last + 1)
    recorded = [
        {"commit": net.rpc("commit", height=str(h)),
         "validators": net.rpc("validators", height=str(h), per_page="100")}
        for h in range(1, last + 1)
    ]
    if os.environ.get("PHALANX_RECORD_COMETBFT_VECTORS"):
        VECTORS.parent.mkdir(parents=True, exist_ok=True)
        VECTORS.write_text(json.dumps({"chain_id": net.chain_id, "blocks": recorded}, indent=1) + "\n")

    headers = [parse_signed_header(r["commit"]) for r in recorded]
    sets = [parse_validator_set(r["validators"]) for r in recorded]
    client = LightClient(net.chain_id, sets[0])
    for signed, validators in zip(headers, sets, strict=True):
        verified = client.advance(signed, validators)
        assert verified.height == signed.header.height
    assert len(sets[0].validators) == 1 and len(sets[-1].validators) == 2
    assert compute_validator_set_hash(sets[-1]) == headers[-1].header.validators_hash

    signed, validators = headers[-1], sets[-1]
    commit = signed.commit
    signer = next(i for i, s in enumerate(commit.signatures) if s.block_id_flag == BlockIdFlag.COMMIT)
    sig = commit.signatures[signer]
    flipped = dataclasses.replace(sig, signature=bytes([sig.signature[0] ^ 1]) + sig.signature[1:])
    with pytest.raises(InvalidSignature):
        verify_signed_header(net.chain_id, validators, _with_sig(signed, signer, flipped))
    absent = dataclasses.replace(sig, block_id_flag=BlockIdFlag.ABSENT, signature=b"")
    with pytest.raises(InsufficientVotingPower):
        verify_signed_header(net.chain_id, validators, _with_sig(signed, signer, absent))
    with pytest.raises(ChainIdMismatch):
        verify_signed_header("another-chain", validators, signed)
    forged = dataclasses.replace(signed, header=dataclasses.replace(signed.header, app_hash=b"\x01" * 32))
    with pytest.raises(HeaderHashMismatch):
        verify_signed_header(net.chain_id, validators, forged)


def _with_sig(signed: SignedHeader, index: int, sig: CommitSig) -> SignedHeader:
    signatures = list(signed.commit.signatures)
    signatures[index] = sig
    commit = dataclasses.replace(signed.commit, signatures=tuple(signatures))
    return dataclasses.replace(signed, commit=commit)
