"""Four validators running the chain runtime behind CometBFT: real `phalanx node` and cometbft processes.

- the stock substrate-interface tests (written against `phalanx dev`) pass against a validator;
- many blocks of random transfers submitted to random validators: every validator has the same
  block hash, Substrate state root and CometBFT app hash at every height, and every transfer lands
  (PHALANX_NET_BLOCKS sets how many blocks; 500 by default, as the network must show);
- undecodable and invalid transactions are refused in CheckTx with a log that says why;
- `kill -9` of one validator's two processes: the other three keep finalizing; restarted, it
  replays what it missed and reaches the same app hash;
- two of four down: the survivors cannot finalize and do not fork; restored, the chain resumes and
  the transfers submitted meanwhile land;
- the light client accepts the network's real commits, and CometBFT header H+1 carries the
  Substrate state root of block H (the one-block app-hash lag).

Every process is stopped at the end, also when a test fails.
"""

from __future__ import annotations

import base64
import os
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from phalanx.crypto import Keypair
from phalanx.engine.lightclient import LightClient, parse_signed_header, parse_validator_set
from phalanx.localnet.cometbft import rpc
from phalanx.localnet.cometbft.chain import runtime_app_state
from phalanx.localnet.cometbft.errors import CometBftNotFound
from phalanx.localnet.cometbft.keys import Ed25519Key
from phalanx.localnet.cometbft.network import (
    ConsensusProgress,
    NetworkInfo,
    NetworkOptions,
    ValidatorNode,
    consensus_progress,
    create_network,
    find_cometbft,
    height_of,
    is_stalled,
    start_network,
    start_validator,
    stop_network,
    stop_validator,
    wait_for_height,
)
from phalanx.localnet.cometbft.process import is_alive, wait_for
from phalanx.runtime.assembly import CALLS
from phalanx.runtime.extrinsic import sign_extrinsic
from phalanx.runtime.version import SPEC_VERSION, TRANSACTION_VERSION
from tests.support.substrate_interface_checks import (
    check_genesis_totals_through_rpc,
    check_transfer_follow_to_finality_and_refusals,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(1200)]

BLOCKS = int(os.environ.get("PHALANX_NET_BLOCKS", "500"))
DEADLINE = 120.0
PHA = 10**12
NAMES = ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie")


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetworkInfo]:
    try:
        find_cometbft()
    except CometBftNotFound as error:
        pytest.skip(error.message)
    base = tmp_path_factory.mktemp("runtime-net")
    try:
        keys = [Ed25519Key.generate() for _ in range(4)]
        options = NetworkOptions(timeout_commit="100ms")
        info = create_network(base, 4, app="runtime", chain_id="phalanx-test-net", keys=keys,
                              app_state=runtime_app_state(keys), options=options)
        yield start_network(info)
    finally:
        stop_network(base)
        nodes = NetworkInfo.load(base).validators
        assert not any(is_alive(p) for n in nodes for p in (n.app_pid, n.cometbft_pid))


def deadline() -> float:
    return time.monotonic() + DEADLINE


def current(net: NetworkInfo) -> NetworkInfo:
    return NetworkInfo.load(Path(net.base_path))


def substrate(node: ValidatorNode, method: str, *params: Any) -> Any:
    return rpc.call(node.substrate_http_url, method, list(params))


def test_stock_substrate_interface_client_against_a_validator(net: NetworkInfo) -> None:
    url = net.validators[1].substrate_rpc_url
    check_genesis_totals_through_rpc(url)  # first: it expects no fee paid yet
    check_transfer_follow_to_finality_and_refusals(url)


def next_index(node: ValidatorNode, key: Keypair) -> int:
    return int(substrate(node, "system_accountNextIndex", "0x" + key.public_key.hex()))


class Senders:
    """Dev accounts that sign transfers with nonces tracked here (the chain must take every one)."""

    def __init__(self, info: NetworkInfo, live: list[int]) -> None:
        self.keys = [Keypair.from_suri(f"//{name}") for name in NAMES]
        nodes = [info.validators[i] for i in live]
        self.genesis = bytes.fromhex(substrate(nodes[0], "chain_getBlockHash", 0)[2:])
        # A validator may be a block behind another: the highest next nonce is the one to use.
        self.nonces = {k.public_key: max(next_index(node, k) for node in nodes) for k in self.keys}

    def transfer(self, rng: random.Random) -> bytes:
        who, to = rng.sample(self.keys, 2)
        call = CALLS.encode(CALLS.call("Balances", "transfer_keep_alive", dest=("Id", to.public_key),
                                       value=rng.randrange(1, 100) * PHA))
        nonce = self.nonces[who.public_key]
        self.nonces[who.public_key] += 1
        return sign_extrinsic(who, call, nonce, genesis_hash=self.genesis, spec_version=SPEC_VERSION,
                              transaction_version=TRANSACTION_VERSION)


def wait_all_included(info: NetworkInfo, senders: Senders, indices: list[int]) -> None:
    def done() -> bool:
        for i in indices:
            node = info.validators[i]
            for key in senders.keys:
                if next_index(node, key) < senders.nonces[key.public_key]:
                    return False
        return True

    wait_for(done, deadline(), "every transfer to be finalized")


def assert_agreement(info: NetworkInfo, upto: int, indices: list[int]) -> None:
    """Same block hash, state root and CometBFT app hash on every chosen validator at every height."""
    seen: dict[int, tuple[str, str, bytes]] = {}
    for i in indices:
        node = info.validators[i]
        comet = node.rpc()
        for height in range(1, upto + 1):
            block_hash = substrate(node, "chain_getBlockHash", height)
            header = substrate(node, "chain_getHeader", block_hash)
            app_hash = comet.app_hash_at(height)
            assert app_hash.hex() == header["stateRoot"][2:], f"{node.name} at {height}: app hash != root"
            mine = (block_hash, header["stateRoot"], app_hash)
            assert seen.setdefault(height, mine) == mine, f"{node.name} disagrees at height {height}"


def test_random_transfers_every_validator_agrees_at_every_height(net: NetworkInfo) -> None:
    rng = random.Random(20261125)
    senders = Senders(net, [0, 1, 2, 3])
    start = height_of(net.validators[0]) or 0
    target = start + BLOCKS
    sent = 0
    while (height := height_of(net.validators[0]) or 0) < target:
        for _ in range(rng.randrange(0, 5)):
            node = net.validators[rng.randrange(4)]
            substrate(node, "author_submitExtrinsic", "0x" + senders.transfer(rng).hex())
            sent += 1
        wait_for_height(net, height + 1, deadline(), indices=[0])
    wait_all_included(net, senders, [0, 1, 2, 3])
    wait_for_height(net, target, deadline())
    top = min(height_of(n) or 0 for n in net.validators)
    assert top >= target and sent > BLOCKS
    assert_agreement(net, top, [0, 1, 2, 3])


def test_check_tx_refuses_undecodable_and_invalid_transactions(net: NetworkInfo) -> None:
    comet = net.validators[2].rpc()
    garbage = comet.check_tx(b"\x84\x00garbage")
    assert garbage["code"] != 0 and "decode" in garbage["log"].lower()
    senders = Senders(net, [0, 1, 2, 3])
    good = senders.transfer(random.Random(1))
    forged = good[:-40] + bytes(40)
    bad = comet.broadcast_tx_sync(forged)
    assert bad["code"] != 0 and bad["log"]
    stale_sender = next(k for k in senders.keys if senders.nonces[k.public_key] > 0)
    senders.nonces[stale_sender.public_key] = 0
    stale = comet.check_tx(sign_extrinsic(
        stale_sender, CALLS.encode(CALLS.call("System", "remark", remark=b"x")), 0,
        genesis_hash=senders.genesis, spec_version=SPEC_VERSION, transaction_version=TRANSACTION_VERSION))
    assert stale["code"] != 0 and "Stale" in stale["log"]
    answer = rpc.call(net.validators[2].cometbft_rpc_url, "broadcast_tx_sync",
                      {"tx": base64.b64encode(b"").decode()})
    assert answer["code"] != 0


def test_a_crashed_validator_catches_up_to_the_same_app_hash(net: NetworkInfo) -> None:
    info = stop_validator(current(net), 3, crash=True)
    rng = random.Random(3)
    senders = Senders(info, [0, 1, 2])
    height = height_of(info.validators[0]) or 0
    for step in range(5):
        for _ in range(3):
            substrate(info.validators[step % 3], "author_submitExtrinsic", "0x" + senders.transfer(rng).hex())
        wait_for_height(info, height + step + 1, deadline(), indices=[0, 1, 2])
    wait_all_included(info, senders, [0, 1, 2])
    info = start_validator(info, 3, deadline())
    top = height_of(info.validators[0]) or 0
    wait_for_height(info, top + 2, deadline())
    wait_all_included(info, senders, [3])
    assert_agreement(info, top + 1, [0, 1, 2, 3])


def test_two_of_four_down_nothing_is_finalized_then_the_chain_resumes(net: NetworkInfo) -> None:
    info = stop_validator(current(net), 0, crash=True)
    info = stop_validator(info, 1, crash=True)
    survivors = [2, 3]
    senders = Senders(info, survivors)
    substrate(info.validators[2], "author_submitExtrinsic", "0x" + senders.transfer(random.Random(5)).hex())
    progress: dict[int, ConsensusProgress] = {}

    def stalled() -> bool:
        for i in survivors:
            progress[i] = consensus_progress(info.validators[i])
        return is_stalled(list(progress.values()))

    wait_for(stalled, deadline(), "the two survivors to stall without a quorum")
    pending = progress[2].height
    assert {height_of(info.validators[i]) for i in survivors} == {pending - 1}
    assert_agreement(info, pending - 1, survivors)

    info = start_validator(info, 0, deadline())
    info = start_validator(info, 1, deadline())
    wait_for_height(info, pending + 2, deadline())
    wait_all_included(info, senders, [0, 1, 2, 3])
    assert_agreement(info, pending + 1, [0, 1, 2, 3])


def test_light_client_accepts_commits_and_header_h_plus_1_holds_the_root_of_h(net: NetworkInfo) -> None:
    node = net.validators[1]
    comet = node.rpc()
    last = (height_of(node) or 0) - 1
    client = LightClient(net.chain_id, parse_validator_set(comet.validators(1)))
    for height in range(1, last + 1):
        signed = parse_signed_header(comet.commit(height))
        assert client.advance(signed, parse_validator_set(comet.validators(height))).height == height
        if height >= 2:  # the one-block lag: header H carries the state root of block H - 1
            previous = substrate(node, "chain_getHeader", substrate(node, "chain_getBlockHash", height - 1))
            assert "0x" + signed.header.app_hash.hex() == previous["stateRoot"]
