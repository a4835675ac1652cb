"""The runtime ABCI application driven directly, as CometBFT would: real runtime, real LMDB, real crypto.

Covers the handshake (Info before and after blocks, InitChain), CheckTx refusals with their logs,
PrepareProposal dropping invalid transactions, ProcessProposal rejecting crafted proposals, the
one-block app-hash lag, restart from the store, and determinism: two applications fed the same
blocks agree on every app hash.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from phalanx.chain import Blockchain
from phalanx.crypto import Keypair
from phalanx.engine.abci.types import (
    CheckTxRequest,
    FinalizeBlockRequest,
    InfoRequest,
    InitChainRequest,
    PrepareProposalRequest,
    ProcessProposalRequest,
    ValidatorUpdate,
)
from phalanx.engine.cometbft.app import (
    CODE_CANNOT_DECODE,
    CODE_DROPPED,
    CODE_INVALID,
    CommittedBlock,
    RuntimeApplication,
)
from phalanx.engine.cometbft.errors import InvalidGenesis
from phalanx.runtime import ChainSpec
from phalanx.runtime.assembly import CALLS
from phalanx.runtime.extrinsic import sign_extrinsic
from phalanx.runtime.version import SPEC_VERSION, TRANSACTION_VERSION
from phalanx.storage import Database

PHA = 10**12
GENESIS_NS = 1_700_000_000_000_000_000
BLOCK_NS = 500_000_000
ALICE, BOB, CHARLIE, DAVE = (Keypair.from_suri(f"//{n}") for n in ("Alice", "Bob", "Charlie", "Dave"))
VALIDATOR = ValidatorUpdate(pub_key=bytes(range(32)), power=10)


class Node:
    """One application over its own temporary store, with CometBFT's calls as methods."""

    def __init__(self, db: Database | None = None) -> None:
        self.db = db if db is not None else Database.temporary()
        self.spec = ChainSpec.development()
        self.runtime = Blockchain(self.db, self.spec)
        self.app = RuntimeApplication(self.runtime)
        self.committed: list[CommittedBlock] = []
        self.app.add_listener(self.committed.append)

    def init(self) -> bytes:
        request = InitChainRequest(time_ns=GENESIS_NS, chain_id="test", validators=(VALIDATOR,),
                                   app_state_bytes=json.dumps(self.spec.to_json()).encode(), initial_height=1)
        return self.app.init_chain(request).app_hash

    def propose(self, height: int, txs: list[bytes]) -> tuple[bytes, ...]:
        request = PrepareProposalRequest(max_tx_bytes=1 << 20, txs=tuple(txs), height=height,
                                         time_ns=block_time(height), next_validators_hash=b"",
                                         proposer_address=b"")
        return self.app.prepare_proposal(request).txs

    def accepts(self, height: int, txs: tuple[bytes, ...]) -> bool:
        request = ProcessProposalRequest(txs=txs, hash=bytes(32), height=height, time_ns=block_time(height),
                                         next_validators_hash=b"", proposer_address=b"")
        return self.app.process_proposal(request).accept

    def finalize(self, height: int, txs: tuple[bytes, ...]) -> bytes:
        request = FinalizeBlockRequest(txs=txs, hash=bytes(32), height=height, time_ns=block_time(height),
                                       next_validators_hash=b"", proposer_address=b"")
        response = self.app.finalize_block(request)
        self.last_results = response.tx_results
        self.app.commit()
        return response.app_hash

    def close(self) -> None:
        self.db.close()


def block_time(height: int) -> int:
    return GENESIS_NS + height * BLOCK_NS


def transfer(node: Node, who: Keypair, to: Keypair, amount: int, nonce: int) -> bytes:
    decoded = CALLS.call("Balances", "transfer_allow_death", dest=("Id", to.public_key), value=amount)
    call = CALLS.encode(decoded)
    return sign_extrinsic(who, call, nonce, genesis_hash=node.runtime.genesis_hash, spec_version=SPEC_VERSION,
                          transaction_version=TRANSACTION_VERSION)


@pytest.fixture
def node() -> Iterator[Node]:
    n = Node()
    yield n
    n.close()


def test_handshake_reports_genesis_then_the_last_block(node: Node) -> None:
    info = node.app.info(InfoRequest())
    assert info.last_block_height == 0 and info.last_block_app_hash == b""
    genesis_root = node.init()
    assert genesis_root == node.runtime.header(node.runtime.genesis_hash).state_root
    app_hash = node.finalize(1, node.propose(1, [transfer(node, ALICE, BOB, PHA, 0)]))
    info = node.app.info(InfoRequest())
    assert info.last_block_height == 1
    # FinalizeBlock H answers the state after H: the Substrate stateRoot of block H, which
    # CometBFT commits in header H+1.
    assert info.last_block_app_hash == app_hash == node.runtime.best_header().state_root
    assert node.committed[0].number == 1 and len(node.committed[0].included) == 1


def test_init_chain_refuses_a_different_chain_spec(node: Node) -> None:
    other = dict(node.spec.to_json(), name="another chain")
    request = InitChainRequest(time_ns=GENESIS_NS, chain_id="test", validators=(VALIDATOR,),
                               app_state_bytes=json.dumps(other).encode(), initial_height=1)
    with pytest.raises(InvalidGenesis):
        node.app.init_chain(request)


def test_check_tx_refuses_with_a_clear_log_and_writes_nothing(node: Node) -> None:
    node.init()
    root = node.runtime.best_header().state_root
    undecodable = node.app.check_tx(CheckTxRequest(tx=b"\x01\x02garbage"))
    assert undecodable.code == CODE_CANNOT_DECODE and "decode" in undecodable.log.lower()
    good = transfer(node, ALICE, BOB, PHA, 0)
    forged = good[:-1] + bytes([good[-1] ^ 1])
    bad = node.app.check_tx(CheckTxRequest(tx=forged))
    assert bad.code in (CODE_INVALID, CODE_CANNOT_DECODE) and bad.log
    broke = Keypair.from_suri("//Nobody")
    poor = node.app.check_tx(CheckTxRequest(tx=transfer(node, broke, BOB, PHA, 0)))
    assert poor.code == CODE_INVALID and "Payment" in poor.log
    assert node.app.check_tx(CheckTxRequest(tx=good)).code == 0
    assert node.runtime.best_header().state_root == root

    node.finalize(1, (good,))
    stale = node.app.check_tx(CheckTxRequest(tx=good, is_recheck=True))
    assert stale.code == CODE_INVALID and "Stale" in stale.log


def test_prepare_proposal_drops_invalid_and_process_proposal_rejects_them(node: Node) -> None:
    node.init()
    good = transfer(node, ALICE, BOB, PHA, 0)
    replay = transfer(node, ALICE, CHARLIE, PHA, 0)  # same nonce: invalid once `good` ran
    other = transfer(node, BOB, ALICE, PHA, 0)
    proposal = node.propose(1, [b"\x00junk", good, replay, other])
    assert proposal == (good, other)
    assert node.accepts(1, proposal)
    assert not node.accepts(1, (good, b"\x00junk"))
    assert not node.accepts(1, (good, replay))
    assert not node.accepts(1, (good, good))
    # A decided block is executed whatever it holds: the invalid one is reported, not applied.
    node.finalize(1, (good, replay))
    assert [r.code for r in node.last_results] == [0, CODE_DROPPED]
    assert node.runtime.account_nonce(ALICE.public_key) == 1


def test_restart_continues_from_the_store(tmp_path: Path) -> None:
    first = Node(Database.open(tmp_path / "chain"))
    first.init()
    hashes = []
    for height in (1, 2, 3):
        proposal = first.propose(height, [transfer(first, ALICE, BOB, PHA, height - 1)])
        hashes.append(first.finalize(height, proposal))
    first.close()
    db = Database.open(tmp_path / "chain")
    try:
        app = RuntimeApplication(Blockchain(db, ChainSpec.development()))
        info = app.info(InfoRequest())
        assert info.last_block_height == 3 and info.last_block_app_hash == hashes[-1]
    finally:
        db.close()


def test_two_applications_fed_the_same_blocks_agree_on_every_hash() -> None:
    a, b = Node(), Node()
    try:
        assert a.init() == b.init()
        rng = random.Random(7)
        people = [ALICE, BOB, CHARLIE, DAVE]
        nonces = {p.public_key: 0 for p in people}
        for height in range(1, 31):
            txs = []
            for _ in range(rng.randrange(0, 6)):
                who, to = rng.sample(people, 2)
                txs.append(transfer(a, who, to, rng.randrange(1, 1000) * PHA, nonces[who.public_key]))
                nonces[who.public_key] += 1
            if rng.random() < 0.2:
                txs.append(b"\x84" + rng.randbytes(40))
            proposal = a.propose(height, txs)
            assert b.accepts(height, proposal)
            hash_a, hash_b = a.finalize(height, proposal), b.finalize(height, proposal)
            assert hash_a == hash_b, f"app hashes diverge at height {height}"
            assert a.runtime.best_hash() == b.runtime.best_hash()
    finally:
        a.close()
        b.close()
