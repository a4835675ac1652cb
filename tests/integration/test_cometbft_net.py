"""A four-validator CometBFT network of real processes, with the key=value example application.

Checks the orchestration on its own (keys, genesis, config, start, crash, restart, stop) and what
BFT consensus promises: all validators agree on every app hash; one validator down, the rest go on
and it catches up when restarted; two of four down, nothing is finalized and nothing forks, and
the chain resumes when they return; the light client accepts the network's real commits. Every
process is stopped at the end, also when a test fails.
"""

from __future__ import annotations

import base64
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from phalanx.cli.net import net_app
from phalanx.engine.lightclient import LightClient, parse_signed_header, parse_validator_set
from phalanx.localnet.cometbft.errors import CometBftNotFound
from phalanx.localnet.cometbft.network import (
    ConsensusProgress,
    NetworkInfo,
    NetworkOptions,
    app_hashes,
    consensus_progress,
    create_network,
    find_cometbft,
    height_of,
    is_stalled,
    network_status,
    start_network,
    start_validator,
    stop_network,
    stop_validator,
    wait_for_height,
)
from phalanx.localnet.cometbft.process import is_alive, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DEADLINE = 120.0


def require_cometbft() -> None:
    try:
        find_cometbft()
    except CometBftNotFound as error:
        pytest.skip(error.message)


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetworkInfo]:
    require_cometbft()
    base = tmp_path_factory.mktemp("kvnet")
    try:
        info = create_network(base, 4, app="kvstore", chain_id="phalanx-kv-net",
                              options=NetworkOptions(timeout_commit="100ms"))
        yield start_network(info)
    finally:
        stop_network(base)
        nodes = NetworkInfo.load(base).validators
        assert not any(is_alive(p) for n in nodes for p in (n.app_pid, n.cometbft_pid))


def current(net: NetworkInfo) -> NetworkInfo:
    return NetworkInfo.load(Path(net.base_path))


def deadline() -> float:
    return time.monotonic() + DEADLINE


def assert_same_hashes(info: NetworkInfo, upto: int, indices: list[int] | None = None) -> None:
    hashes = app_hashes(info, range(1, upto + 1), indices)
    first = next(iter(hashes.values()))
    assert all(len(h) == 32 for h in first)
    for name, theirs in hashes.items():
        assert theirs == first, f"{name} disagrees"


def test_validators_agree_on_every_app_hash(net: NetworkInfo) -> None:
    for i in range(20):
        node = net.validators[i % 4]
        answer = node.rpc().broadcast_tx_sync(f"k{i}=v{i}".encode())
        assert answer["code"] == 0
    refused = net.validators[0].rpc().broadcast_tx_sync(b"not a pair")
    assert refused["code"] != 0 and refused["log"]
    wait_for_height(net, 25, deadline())
    assert_same_hashes(net, 25)
    statuses = network_status(net)
    assert all(s.app_running and s.cometbft_running and s.peers == 3 for s in statuses)
    answer = net.validators[2].rpc().call("abci_query", data=b"k19".hex())["response"]
    assert base64.b64decode(answer["value"]) == b"v19"


def test_one_validator_crashes_the_rest_go_on_and_it_catches_up(net: NetworkInfo) -> None:
    info = stop_validator(current(net), 3, crash=True)
    height = min(height_of(n) or 0 for n in info.validators[:3])
    wait_for_height(info, height + 5, deadline(), indices=[0, 1, 2])
    info = start_validator(info, 3, deadline())
    target = (height_of(info.validators[0]) or 0) + 2
    wait_for_height(info, target, deadline())
    assert_same_hashes(info, target)


def test_two_of_four_down_halts_without_forking_and_resumes(net: NetworkInfo) -> None:
    info = current(net)
    info = stop_validator(info, 2, crash=True)
    info = stop_validator(info, 3, crash=True)
    survivors = info.validators[:2]

    # Half the power cannot commit: once both survivors have voted in the same step of one round
    # they hold every vote they will ever see, and no block can follow until the others return.
    progress: dict[str, ConsensusProgress] = {}

    def stalled() -> bool:
        for node in survivors:
            progress[node.name] = consensus_progress(node)
        return is_stalled(list(progress.values()))

    wait_for(stalled, deadline(), "the two survivors to stall without a quorum")
    pending = next(iter(progress.values())).height
    heights = {node.name: height_of(node) for node in survivors}
    assert set(heights.values()) == {pending - 1}, (progress, heights)
    halted_at = pending - 1
    assert_same_hashes(info, halted_at, [0, 1])

    info = start_validator(info, 2, deadline())
    info = start_validator(info, 3, deadline())
    wait_for_height(info, halted_at + 3, deadline())
    assert_same_hashes(info, halted_at + 3)


def test_light_client_accepts_the_networks_commits(net: NetworkInfo) -> None:
    wait_for_height(net, 12, deadline(), indices=[1])
    node = net.validators[1]
    last = (height_of(node) or 0) - 1
    rpc = node.rpc()
    client = LightClient(net.chain_id, parse_validator_set(rpc.validators(1)))
    for height in range(1, last + 1):
        signed = parse_signed_header(rpc.commit(height))
        verified = client.advance(signed, parse_validator_set(rpc.validators(height)))
        assert verified.height == height


def test_net_cli_up_status_down(tmp_path: Path) -> None:
    require_cometbft()
    runner = CliRunner()
    base = tmp_path / "cli-net"
    try:
        args = ["--validators", "2", "--base-path", str(base), "--app", "kvstore"]
        result = runner.invoke(net_app, ["up", *args, "--timeout-commit", "100ms"])
        assert result.exit_code == 0, result.output
        info = NetworkInfo.load(base)
        assert len(info.validators) == 2 and all(is_alive(n.app_pid) for n in info.validators)
        for node in info.validators:
            assert node.substrate_rpc_url.startswith("ws://127.0.0.1:")
            assert node.cometbft_rpc_url.startswith("http://127.0.0.1:")
        status = runner.invoke(net_app, ["status", "--base-path", str(base)])
        assert status.exit_code == 0 and "validator-1" in status.output
        again = runner.invoke(net_app, ["up", *args])
        assert again.exit_code == 1 and "holds" in again.output
        # A process of the network that net.json does not list (e.g. left from an earlier run).
        stray = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)",
                                  str(base.resolve() / "validator-0" / "stray")])
    finally:
        down = runner.invoke(net_app, ["down", "--base-path", str(base)])
    assert down.exit_code == 0 and "stopped" in down.output
    assert not any(is_alive(p) for n in info.validators for p in (n.app_pid, n.cometbft_pid))
    assert stray.wait(timeout=30) is not None
    second = runner.invoke(net_app, ["down", "--base-path", str(base)])
    assert second.exit_code == 0 and "nothing was running" in second.output
