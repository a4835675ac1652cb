"""Staking drives a real CometBFT validator set: four validators from `phalanx net up`'s genesis (each
stash //Alice..//Dave bonded and keyed), sessions of 5 blocks, 2 sessions per era.

A fifth node joins as a full node (`network.add_node`); //Eve bonds, sets the node's consensus key
with `phalanx staking set-keys`, validates, and //Ferdie nominates her: at the next era CometBFT's
`/validators` lists the node with Eve's exposure as its power. Eve chills: at the next era the node
leaves the set, and the chain keeps finalizing. Block proposers earn the era's reward points.
Every process is stopped at the end, also when the test fails.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from phalanx.crypto import Keypair
from phalanx.localnet.cometbft import rpc
from phalanx.localnet.cometbft.chain import runtime_app_state
from phalanx.localnet.cometbft.errors import CometBftNotFound, RpcFailed
from phalanx.localnet.cometbft.keys import Ed25519Key, read_key_file
from phalanx.localnet.cometbft.network import (
    NetworkInfo,
    NetworkOptions,
    ValidatorNode,
    add_node,
    create_network,
    find_cometbft,
    height_of,
    start_network,
    start_validator,
    stop_network,
    wait_for_height,
)
from phalanx.localnet.cometbft.process import is_alive, wait_for
from phalanx.runtime.assembly import CALLS
from phalanx.runtime.extrinsic import sign_extrinsic
from phalanx.runtime.modules.staking import declarations as staking_d
from phalanx.runtime.modules.validators import power_of
from phalanx.runtime.version import SPEC_VERSION, TRANSACTION_VERSION

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(300)]

PHA = 10**12
STAKE = 1_000 * PHA
EVE, FERDIE = Keypair.from_suri("//Eve"), Keypair.from_suri("//Ferdie")
STASHES = [Keypair.from_suri(f"//{n}").public_key for n in ("Alice", "Bob", "Charlie", "Dave")]
DEADLINE = 90.0


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetworkInfo]:
    try:
        find_cometbft()
    except CometBftNotFound as error:
        pytest.skip(error.message)
    base = tmp_path_factory.mktemp("staking-net")
    try:
        keys = [Ed25519Key.generate() for _ in range(4)]
        power = power_of(STAKE)
        app_state = runtime_app_state(keys, power, stake=STAKE, session_length=5, sessions_per_era=2,
                                      validator_count=5)  # fmt: skip
        options = NetworkOptions(timeout_commit="100ms", power=power)
        info = create_network(base, 4, app="runtime", chain_id="phalanx-staking-net", keys=keys,
                              app_state=app_state, options=options)
        yield start_network(info)
    finally:
        stop_network(base)
        nodes = NetworkInfo.load(base).validators
        assert not any(is_alive(p) for n in nodes for p in (n.app_pid, n.cometbft_pid))


def deadline() -> float:
    return time.monotonic() + DEADLINE


def substrate(node: ValidatorNode, method: str, *params: Any) -> Any:
    return rpc.call(node.substrate_http_url, method, list(params))


def storage(node: ValidatorNode, key: bytes) -> bytes | None:
    raw = substrate(node, "state_getStorage", "0x" + key.hex())
    return None if raw is None else bytes.fromhex(raw[2:])


def next_index(node: ValidatorNode, who: Keypair) -> int:
    return int(substrate(node, "system_accountNextIndex", "0x" + who.public_key.hex()))


def submit(node: ValidatorNode, who: Keypair, module: str, function: str, **args: Any) -> int:
    """Sign with the account's next nonce, submit, and return the nonce the chain must pass."""
    nonce = next_index(node, who)
    genesis = bytes.fromhex(substrate(node, "chain_getBlockHash", 0)[2:])
    xt = sign_extrinsic(who, CALLS.encode(CALLS.call(module, function, **args)), nonce, genesis_hash=genesis,
                        spec_version=SPEC_VERSION, transaction_version=TRANSACTION_VERSION)  # fmt: skip
    substrate(node, "author_submitExtrinsic", "0x" + xt.hex())
    return nonce + 1


def wait_nonce(node: ValidatorNode, who: Keypair, nonce: int) -> None:
    wait_for(lambda: next_index(node, who) >= nonce, deadline(), f"nonce {nonce} of {who.ss58_address()}")


def comet_validators(node: ValidatorNode) -> dict[str, int]:
    """CometBFT's validator set at its latest height: address (upper hex) -> voting power."""
    try:
        height = node.rpc().latest_height()
        listed = node.rpc().validators(height)["validators"]
    except (RpcFailed, KeyError):
        return {}
    return {v["address"]: int(v["voting_power"]) for v in listed}


def phalanx(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "phalanx.cli.main", *args], capture_output=True, text=True,
                          timeout=DEADLINE)  # fmt: skip


def test_a_fifth_node_is_elected_into_the_cometbft_set_and_chilling_removes_it(net: NetworkInfo) -> None:
    first = net.validators[0]
    genesis_set = comet_validators(first)
    assert sorted(genesis_set.values()) == [1_000] * 4
    # a full node that the network knows, following the chain
    info = add_node(net)
    fifth = info.validators[4]
    info = start_validator(info, 4)
    wait_for_height(info, (height_of(first) or 0) + 1, deadline(), indices=[4])
    assert fifth.validator_address not in comet_validators(first)

    # Eve bonds and registers the fifth node's consensus key (signed by that key) from the CLI
    wait_nonce(first, EVE, submit(first, EVE, "Staking", "bond", value=2_000 * PHA))
    key_file = fifth.home / "config" / "priv_validator_key.json"
    done = phalanx("staking", "set-keys", str(key_file), "--from", "//Eve", "--rpc", first.substrate_rpc_url)
    assert done.returncode == 0, done.stdout + done.stderr
    prefs = {"commission": 0, "blocked": False}
    wait_nonce(first, EVE, submit(first, EVE, "Staking", "validate", prefs=prefs))
    wait_nonce(first, FERDIE, submit(first, FERDIE, "Staking", "bond", value=500 * PHA))
    wait_nonce(first, FERDIE, submit(first, FERDIE, "Staking", "nominate", targets=[("Id", EVE.public_key)]))
    assert read_key_file(key_file).address.hex().upper() == fifth.validator_address

    # elected at the next era: CometBFT lists the fifth node with Eve's exposure (2,500 PHA) as power
    wait_for(lambda: comet_validators(first).get(fifth.validator_address) == 2_500, deadline(),
             "the fifth node in CometBFT's validator set")  # fmt: skip
    assert len(comet_validators(first)) == 5
    joined = height_of(first) or 0
    wait_for_height(info, joined + 3, deadline(), indices=[0, 1, 2, 3, 4])

    # block proposers earn points: the era's points are spread over the elected stashes
    era = staking_d.ACTIVE_ERA_INFO.decode(storage(first, staking_d.ActiveEra.key) or b"").index
    raw_points = storage(first, staking_d.ErasRewardPoints.key(era - 1)) or b""
    points = staking_d.ERA_REWARD_POINTS.decode(raw_points)
    earners = {bytes(who) for who, _ in points.individual}
    assert len(earners) >= 2 and earners <= {*STASHES, EVE.public_key}

    # Eve chills: at the next era the node leaves the set; blocks keep finalizing
    wait_nonce(first, EVE, submit(first, EVE, "Staking", "chill"))
    def left_the_set() -> bool:
        current = comet_validators(first)
        return len(current) == 4 and fifth.validator_address not in current

    wait_for(left_the_set, deadline(), "the fifth node to leave CometBFT's validator set")
    left = height_of(first) or 0
    wait_for_height(info, left + 5, deadline(), indices=[0, 1, 2, 3, 4])
