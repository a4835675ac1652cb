"""A referendum changes a parameter on a real dev chain; a failed one changes nothing.

`phalanx dev --chain-spec FILE --tmp --rpc-port 0 --instant-seal` runs a chain whose democracy
periods are a few blocks. Blocks come only with transactions (remarks move the chain on), so every
period is counted in blocks the test controls, whatever the machine's speed.

//Alice proposes `Staking.set_validator_count(7)` with `phalanx gov propose`, //Bob seconds with
`phalanx gov second`; at the launch block it becomes referendum 0, which //Alice, //Bob and
//Charlie vote aye through the RPC. ValidatorCount stays 10 until exactly the enactment delay after
the vote ends, then it is 7. //Dave's proposal `set_validator_count(3)` becomes referendum 1, which
//Eve and //Charlie vote down: it is not enacted, and the count stays 7."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pytest

from phalanx.crypto import Keypair
from phalanx.economics.voting import Conviction
from phalanx.localnet.cometbft import rpc
from phalanx.localnet.cometbft.process import wait_for
from phalanx.runtime import ChainSpec
from phalanx.runtime.assembly import CALLS
from phalanx.runtime.extrinsic import sign_extrinsic
from phalanx.runtime.modules.democracy import declarations as democracy_d
from phalanx.runtime.modules.democracy.genesis_config import DemocracyConfig
from phalanx.runtime.modules.democracy.logic import encode_vote
from phalanx.runtime.modules.staking import declarations as staking_d
from phalanx.runtime.version import SPEC_VERSION, TRANSACTION_VERSION
from tests.support.dev_nodes import DevNodes, DevProcess

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

PHA = 10**12
LAUNCH, VOTING, ENACTMENT = 10, 6, 4
KEYS = {n: Keypair.from_suri(f"//{n}") for n in ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie")}
DEADLINE = 90.0


def chain_spec_file(directory: Path) -> Path:
    dev = ChainSpec.development()
    democracy = DemocracyConfig(launch_period=LAUNCH, voting_period=VOTING, enactment_period=ENACTMENT,
                                vote_locking_period=5, minimum_deposit=10 * PHA)  # fmt: skip
    economics = replace(dev.genesis.economics, democracy=democracy)
    spec = replace(dev, genesis=replace(dev.genesis, economics=economics))
    path = directory / "short-democracy.json"
    path.write_text(json.dumps(spec.to_json(), indent=2))
    return path


def phalanx(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "phalanx.cli.main", *args], capture_output=True, text=True,
                          timeout=DEADLINE, env={**os.environ, "COLUMNS": "200"})  # fmt: skip


def deadline() -> float:
    return time.monotonic() + DEADLINE


class Node:
    def __init__(self, dev: DevProcess) -> None:
        self.url = dev.http_url
        self.genesis = bytes.fromhex(dev.genesis[2:])

    def call(self, method: str, *params: Any) -> Any:
        return rpc.call(self.url, method, list(params))

    def number(self) -> int:
        return int(self.call("chain_getHeader")["number"], 16)

    def read(self, item: Any, key: Any = None, at: int | None = None) -> Any:
        storage_key = item.key if key is None else item.key(key)
        block = None if at is None else self.call("chain_getBlockHash", at)
        raw = self.call("state_getStorage", "0x" + storage_key.hex(), block)
        return item.default if raw is None else item.codec.decode(bytes.fromhex(raw[2:]))

    def submit(self, who: str, module: str, function: str, **args: Any) -> None:
        signer = KEYS[who]
        nonce = int(self.call("system_accountNextIndex", "0x" + signer.public_key.hex()))
        call = CALLS.encode(CALLS.call(module, function, **args))
        xt = sign_extrinsic(signer, call, nonce, genesis_hash=self.genesis, spec_version=SPEC_VERSION,
                            transaction_version=TRANSACTION_VERSION)  # fmt: skip
        self.call("author_submitExtrinsic", "0x" + xt.hex())

    def advance_to(self, number: int) -> None:
        """Seal blocks with remarks (from //Ferdie) until the best block is at least `number`."""
        while (before := self.number()) < number:
            self.submit("Ferdie", "System", "remark", remark=b"tick")
            wait_for(lambda: self.number() > before, deadline(), f"a block after #{before}")

    def vote(self, who: str, ref_index: int, aye: bool, pha: int) -> None:
        packed = encode_vote(aye, Conviction.LOCKED_1X)
        self.submit(who, "Democracy", "vote", ref_index=ref_index,
                    vote=("Standard", {"vote": packed, "balance": pha * PHA}))  # fmt: skip

    def referendum(self, index: int) -> Any:
        return self.read(democracy_d.ReferendumInfoOf, index)

    def wait_referendum(self, index: int, state: str) -> Any:
        def reached() -> bool:
            return bool((self.referendum(index) or ("",))[0] == state)

        wait_for(reached, deadline(), f"referendum {index} {state}")
        return self.referendum(index)[1]


def tally(node: Node, index: int) -> dict[str, int]:
    info = node.referendum(index)
    return asdict(info[1]["tally"]) if info is not None and info[0] == "Ongoing" else {}


def test_referenda_through_the_rpc_change_a_parameter_or_nothing(dev_nodes: DevNodes, tmp_path: Path) -> None:
    spec = chain_spec_file(tmp_path)
    dev = dev_nodes.start("--chain-spec", str(spec), "--instant-seal", "--block-time", "600")
    node = Node(dev)
    rpc_url = ("--rpc", dev.url)
    assert node.read(staking_d.ValidatorCount) == 10

    proposed = phalanx("gov", "propose", "Staking.set_validator_count", "10", "--args", '{"new": 7}',
                       "--from", "//Alice", *rpc_url)  # fmt: skip
    assert proposed.returncode == 0 and "Democracy.Proposed" in proposed.stdout, proposed.stderr
    seconded = phalanx("gov", "second", "0", "--from", "//Bob", *rpc_url)
    assert seconded.returncode == 0 and "Democracy.Seconded" in seconded.stdout, seconded.stderr
    assert node.number() < LAUNCH

    # referendum 0 starts at the launch block; three accounts vote aye through the RPC
    node.advance_to(LAUNCH)
    assert node.wait_referendum(0, "Ongoing")["end"] == LAUNCH + VOTING
    node.vote("Alice", 0, True, 1_000)
    node.vote("Bob", 0, True, 500)
    node.vote("Charlie", 0, True, 100)
    node.submit("Dave", "Democracy", "propose", proposal=CALLS.call("Staking", "set_validator_count", new=3),
                value=10 * PHA)  # fmt: skip
    wait_for(lambda: tally(node, 0).get("ayes") == 1_600 * PHA, deadline(), "the three votes counted")
    assert node.number() < LAUNCH + VOTING

    node.advance_to(LAUNCH + VOTING)
    end = node.wait_referendum(0, "Finished")
    assert end["approved"] and end["end"] == LAUNCH + VOTING
    enacted = end["end"] + ENACTMENT
    node.advance_to(enacted)
    assert node.read(staking_d.ValidatorCount, at=end["end"]) == 10
    assert node.read(staking_d.ValidatorCount, at=enacted - 1) == 10
    assert node.read(staking_d.ValidatorCount, at=enacted) == 7

    # referendum 1 (Dave's proposal) is voted down: nothing changes, even after its enactment delay
    node.advance_to(2 * LAUNCH)
    node.wait_referendum(1, "Ongoing")
    node.vote("Dave", 1, True, 10)
    node.vote("Eve", 1, False, 5_000)
    node.vote("Charlie", 1, False, 5_000)
    wait_for(lambda: tally(node, 1).get("turnout") == 10_010 * PHA, deadline(), "the three votes counted")
    node.advance_to(2 * LAUNCH + VOTING)
    end = node.wait_referendum(1, "Finished")
    assert not end["approved"]
    node.advance_to(end["end"] + ENACTMENT + 1)
    assert node.read(staking_d.ValidatorCount) == 7
    assert node.read(democracy_d.DispatchQueue) == []
