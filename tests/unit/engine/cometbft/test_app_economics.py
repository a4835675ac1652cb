"""The ABCI application meets staking: the proposer earns the block's points, committed duplicate-vote
evidence slashes the offender, and era elections come back from FinalizeBlock as validator updates.

Real runtime and LMDB; the ABCI requests are crafted as CometBFT would send them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest

from phalanx.chain import Blockchain
from phalanx.crypto import Keypair
from phalanx.engine.abci.types import (
    FinalizeBlockRequest,
    InitChainRequest,
    Misbehavior,
    MisbehaviorKind,
    PrepareProposalRequest,
    ProcessProposalRequest,
    ValidatorUpdate,
)
from phalanx.engine.cometbft.app import RuntimeApplication
from phalanx.localnet.cometbft.keys import Ed25519Key
from phalanx.runtime import ChainSpec
from phalanx.runtime.chain_spec import EconomicsGenesis
from phalanx.runtime.modules import treasury, validators
from phalanx.runtime.modules.session.genesis_config import SessionConfig
from phalanx.runtime.modules.staking import Staker
from phalanx.runtime.modules.staking import declarations as staking_d
from phalanx.runtime.modules.staking.genesis_config import StakingConfig
from phalanx.runtime.state import State
from phalanx.storage import Database

PHA = 10**12
GENESIS_NS = 1_700_000_000_000_000_000
BLOCK_NS = 1_000_000_000
ALICE, BOB = Keypair.from_suri("//Alice").public_key, Keypair.from_suri("//Bob").public_key
KEY_A, KEY_B = Ed25519Key.from_seed(b"\x0a" * 32), Ed25519Key.from_seed(b"\x0b" * 32)
SESSION_LENGTH = 4  # one session per era: era 1 starts at block 5


def chain_spec() -> ChainSpec:
    dev = ChainSpec.development()
    economics = EconomicsGenesis(
        StakingConfig(validator_count=4, sessions_per_era=1,
                      stakers=(Staker(ALICE, 3_000 * PHA), Staker(BOB, 1_000 * PHA))),
        SessionConfig(SESSION_LENGTH, keys=((ALICE, KEY_A.public_key), (BOB, KEY_B.public_key))))  # fmt: skip
    genesis = replace(
        dev.genesis, economics=economics, validators=((KEY_A.public_key, 10), (KEY_B.public_key, 10))
    )
    return replace(dev, genesis=genesis)


class Node:
    def __init__(self) -> None:
        self.db = Database.temporary()
        self.spec = chain_spec()
        self.runtime = Blockchain(self.db, self.spec)
        self.app = RuntimeApplication(self.runtime)
        request = InitChainRequest(
            time_ns=GENESIS_NS, chain_id="test", initial_height=1,
            validators=(ValidatorUpdate(KEY_A.public_key, 10), ValidatorUpdate(KEY_B.public_key, 10)),
            app_state_bytes=json.dumps(self.spec.to_json()).encode())  # fmt: skip
        self.app.init_chain(request)

    def block(
        self, proposer: Ed25519Key, misbehavior: tuple[Misbehavior, ...] = ()
    ) -> tuple[ValidatorUpdate, ...]:
        """Prepare, process and finalize an empty block the way CometBFT drives one; commit it."""
        height = self.runtime.best_number() + 1
        time_ns = GENESIS_NS + height * BLOCK_NS
        address = proposer.address
        txs = self.app.prepare_proposal(
            PrepareProposalRequest(
                max_tx_bytes=1 << 20,
                txs=(),
                height=height,
                time_ns=time_ns,
                next_validators_hash=b"",
                proposer_address=address,
                misbehavior=misbehavior,
            )
        ).txs
        assert self.app.process_proposal(
            ProcessProposalRequest(
                txs=txs,
                hash=bytes(32),
                height=height,
                time_ns=time_ns,
                next_validators_hash=b"",
                proposer_address=address,
                misbehavior=misbehavior,
            )
        ).accept
        response = self.app.finalize_block(FinalizeBlockRequest(
            txs=txs, hash=bytes(32), height=height, time_ns=time_ns, next_validators_hash=b"",
            proposer_address=address, misbehavior=misbehavior))  # fmt: skip
        self.app.commit()
        assert response.app_hash == self.runtime.best_header().state_root
        return response.validator_updates

    def state(self) -> State:
        return State(self.runtime.state_at(None))

    def events(self) -> list[tuple[str, str, dict[str, object]]]:
        return [(e.module, e.name, e.fields) for e in self.runtime.events()]


@pytest.fixture
def node() -> Iterator[Node]:
    n = Node()
    yield n
    n.db.close()


def test_proposer_reaches_the_header_digest_and_earns_the_points(node: Node) -> None:
    node.block(KEY_B)
    node.block(KEY_B)
    node.block(KEY_A)
    digest = node.runtime.best_header().digest
    assert [(d.kind, d.engine, d.data) for d in digest] == [("PreRuntime", b"cmbt", KEY_A.address)]
    kept = validators.ConsensusDigest.get(node.state())
    assert kept == validators.Digest([("PreRuntime", (b"cmbt", KEY_A.address))])
    points = staking_d.ErasRewardPoints.get(node.state(), 0)
    assert {bytes(who): p for who, p in points.individual} == {BOB: 40, ALICE: 20}


def test_duplicate_vote_evidence_slashes_and_the_next_era_removes_the_offender(node: Node) -> None:
    assert node.block(KEY_A) == ()
    treasury_before = treasury.balance(node.state())
    evidence = Misbehavior(
        kind=MisbehaviorKind.DUPLICATE_VOTE,
        validator_address=KEY_B.address,
        validator_power=10,
        height=1,
        time_ns=GENESIS_NS + BLOCK_NS,
        total_voting_power=20,
    )
    assert node.block(KEY_A, (evidence,)) == ()
    events = node.events()
    slashes = {bytes(f["staker"]): f["amount"] for m, n, f in events if n == "Slashed" and m == "Staking"}
    assert slashes == {BOB: 100 * PHA}  # 10% of Bob's own exposure
    assert ("Staking", "Chilled") in [(m, n) for m, n, _ in events]
    (reported,) = [f for _, n, f in events if n == "Misbehavior"]
    assert reported["offender"] == BOB and reported["slashed"] == 100 * PHA and reported["height"] == 1
    assert treasury.balance(node.state()) == treasury_before + 100 * PHA
    assert staking_d.Ledger.get(node.state(), BOB).active == 900 * PHA
    # the era starting at block 5 elects Alice alone: CometBFT is told Bob's power is 0, Alice's is her stake
    updates = [node.block(KEY_A) for _ in range(3)]
    assert updates[:2] == [(), ()]
    assert sorted(updates[2], key=lambda u: u.power) == [
        ValidatorUpdate(KEY_B.public_key, 0),
        ValidatorUpdate(KEY_A.public_key, 3_000),
    ]


def test_evidence_against_an_unknown_validator_is_recorded_only(node: Node) -> None:
    stranger = Ed25519Key.from_seed(b"\x0c" * 32)
    evidence = Misbehavior(
        kind=MisbehaviorKind.DUPLICATE_VOTE,
        validator_address=stranger.address,
        validator_power=1,
        height=1,
        time_ns=GENESIS_NS,
        total_voting_power=21,
    )
    node.block(KEY_A, (evidence,))
    names = [n for _, n, _ in node.events()]
    assert "Misbehavior" in names and "Slashed" not in names
