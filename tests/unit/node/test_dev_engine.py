"""The dev engine over a fake chain: sealing, timestamps, justifications, pool updates."""

from __future__ import annotations

from phalanx.crypto.keys import Keypair, KeyType
from phalanx.engine.dev import DevEngine
from phalanx.engine.finality import DevAuthority, verify_dev_justification
from phalanx.node.pool import TransactionPool, TxStatus
from tests.support.fake_chain import FakeChain

ALICE = Keypair.from_suri("//Alice")


def make(chain: FakeChain, clock: list[int]) -> tuple[TransactionPool, DevEngine]:
    pool = TransactionPool(chain.validate_transaction)
    engine = DevEngine(chain, pool, ALICE, clock=lambda: clock[0])
    return pool, engine


def test_seals_pool_transactions_and_signs(fake_chain: FakeChain) -> None:
    clock = [1_000]
    pool, engine = make(fake_chain, clock)
    statuses: list[object] = []
    h0 = pool.submit(b"XTa\x00\x01", lambda _h, s: statuses.append(s.to_json()))
    pool.submit(b"XTa\x01\x01")
    sealed = engine.seal_block()
    assert sealed.number == 1 and len(sealed.included) == 2 and len(pool) == 0
    block = "0x" + sealed.hash.hex()
    assert statuses == ["ready", {"inBlock": block}, {"finalized": block}]
    assert h0 in sealed.included
    proof = fake_chain.justification(sealed.hash)
    assert proof is not None
    verify_dev_justification(DevAuthority(KeyType.SR25519, ALICE.public_key), fake_chain.genesis_hash,
                             sealed.hash, proof)


def test_timestamps_never_go_backwards_also_after_restart(fake_chain: FakeChain) -> None:
    clock = [5_000]
    _, engine = make(fake_chain, clock)
    first = engine.seal_block().timestamp_ms
    clock[0] = 10  # the wall clock jumps back
    second = engine.seal_block().timestamp_ms
    assert first == 5_000 and second == 5_001
    _, restarted = make(fake_chain, clock)  # same chain, fresh engine: reads the parent timestamp
    assert restarted.seal_block().timestamp_ms == 5_002


def test_dropped_by_builder_become_invalid(fake_chain: FakeChain) -> None:
    clock = [1]
    pool, engine = make(fake_chain, clock)
    got: list[TxStatus] = []
    tx = pool.submit(b"XTa\x00\x01", lambda _h, s: got.append(s))
    fake_chain.states[fake_chain.best_hash()][b"nonce:a"] = b"\x05"  # the chain moved on under the pool
    sealed = engine.seal_block()
    assert sealed.dropped == 1 and tx not in pool
    assert got[-1].kind == "invalid"
