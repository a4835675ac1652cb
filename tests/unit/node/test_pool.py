"""Transaction pool: ready/future by tags, conflicts by priority, pruning and re-validation after a block."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from phalanx.crypto.hashing import blake2_256
from phalanx.errors import PhalanxError
from phalanx.node.errors import (
    AlreadyImported,
    PoolFull,
    PriorityTooLow,
    TemporarilyBanned,
    TransactionTooLarge,
)
from phalanx.node.pool import PoolLimits, TransactionPool, TxStatus
from phalanx.runtime.errors import InvalidTransaction


class Refused(PhalanxError):
    module = "test"
    code = 1


@dataclass(frozen=True)
class Valid:
    sender: bytes
    nonce: int
    priority: int
    requires: tuple[bytes, ...]
    provides: tuple[bytes, ...]
    longevity: int = 64


class Chain:
    """Nonce-based validation like the runtime's: xt = sender(1) ++ nonce(1) ++ priority(1) ++ salt."""

    def __init__(self) -> None:
        self.nonces: dict[bytes, int] = {}
        self.refuse: set[bytes] = set()

    def validate(self, xt: bytes) -> Valid:
        sender, nonce, priority = xt[:1], xt[1], xt[2]
        if xt in self.refuse:
            raise Refused("refused")
        chain_nonce = self.nonces.get(sender, 0)
        if nonce < chain_nonce:
            raise Refused("Transaction is outdated")
        requires = (sender + bytes([nonce - 1]),) if nonce > chain_nonce else ()
        return Valid(sender, nonce, priority, requires, (sender + bytes([nonce]),))


def xt(sender: str, nonce: int, priority: int = 0, salt: bytes = b"") -> bytes:
    return sender.encode() + bytes([nonce, priority]) + salt


@pytest.fixture
def chain() -> Chain:
    return Chain()


def test_future_becomes_ready_when_gap_fills(chain: Chain) -> None:
    pool = TransactionPool(chain.validate)
    seen: list[tuple[bytes, object]] = []
    pool.add_listener(lambda h, s: seen.append((h, s.to_json())))
    h2 = pool.submit(xt("a", 2))
    h1 = pool.submit(xt("a", 1))
    assert pool.ready_count == 0 and pool.future_count == 2
    h0 = pool.submit(xt("a", 0))
    assert pool.ready_count == 3
    assert [tx.hash for tx in pool.ready_transactions()] == [h0, h1, h2]
    assert (h2, "future") in seen and (h2, "ready") in seen
    assert pool.next_nonce(b"a", 0) == 3


def test_priority_orders_independent_senders(chain: Chain) -> None:
    pool = TransactionPool(chain.validate)
    low = pool.submit(xt("a", 0, priority=1))
    high = pool.submit(xt("b", 0, priority=9))
    assert [tx.hash for tx in pool.ready_transactions()] == [high, low]
    assert [tx.hash for tx in pool.ready_transactions(limit=1)] == [high]


def test_duplicates_conflicts_and_limits(chain: Chain) -> None:
    pool = TransactionPool(chain.validate, PoolLimits(max_count=2, max_tx_bytes=16))
    first = pool.submit(xt("a", 0, priority=1))
    with pytest.raises(AlreadyImported):
        pool.submit(xt("a", 0, priority=1))
    with pytest.raises(PriorityTooLow):
        pool.submit(xt("a", 0, priority=1, salt=b"x"))
    statuses: list[object] = []
    pool.watch(first, lambda h, s: statuses.append(s.to_json()))
    better = pool.submit(xt("a", 0, priority=5))
    assert first not in pool and better in pool
    assert statuses == [{"usurped": "0x" + better.hex()}]
    pool.submit(xt("b", 0))
    with pytest.raises(PoolFull):
        pool.submit(xt("c", 0))
    with pytest.raises(TransactionTooLarge):
        pool.submit(b"c" * 17)
    with pytest.raises(Refused):
        chain.refuse.add(xt("d", 0))
        pool.submit(xt("d", 0))


def test_block_prunes_included_and_stale_and_reports_statuses(chain: Chain) -> None:
    pool = TransactionPool(chain.validate)
    a0, a1 = pool.submit(xt("a", 0)), pool.submit(xt("a", 1))
    b0 = pool.submit(xt("b", 0))
    rival = xt("b", 0, priority=0, salt=b"r")  # same tag as b0, lower-or-equal priority: refused
    with pytest.raises(PriorityTooLow):
        pool.submit(rival)
    log: dict[bytes, list[object]] = {}
    for h in (a0, a1, b0):
        pool.watch(h, lambda h, s: log.setdefault(h, []).append(s.to_json()))
    block = b"\x01" * 32
    chain.nonces[b"a"] = 1
    chain.refuse.add(xt("b", 0))  # e.g. the sender can no longer pay
    included = pool.block_imported(block, 1, [a0])
    pool.block_finalized(block, included)
    assert log[a0] == [{"inBlock": "0x" + block.hex()}, {"finalized": "0x" + block.hex()}]
    assert log[b0] == ["invalid"]
    assert a1 in pool and pool.get(a1) is not None and pool.get(a1).requires == ()  # type: ignore[union-attr]
    assert [tx.hash for tx in pool.ready_transactions()] == [a1]


def test_builder_dropped_is_invalid_and_banned(chain: Chain) -> None:
    pool = TransactionPool(chain.validate)
    h = pool.submit(xt("a", 0))
    got: list[TxStatus] = []
    pool.watch(h, lambda _h, s: got.append(s))
    pool.block_imported(b"\x02" * 32, 1, [], dropped=[(h, Refused("Transaction has a bad signature"))])
    assert got[0].kind == "invalid" and got[0].reason == "Transaction has a bad signature"
    assert len(pool) == 0


def test_rejected_by_the_engine_leaves_the_pool_with_its_status(chain: Chain) -> None:
    pool = TransactionPool(chain.validate)
    a0, a1 = pool.submit(xt("a", 0)), pool.submit(xt("a", 1))
    got: list[TxStatus] = []
    pool.watch(a0, lambda _h, s: got.append(s))
    assert pool.reject(a0, TxStatus("invalid", reason="refused by CheckTx"))
    assert [s.kind for s in got] == ["invalid"] and a0 not in pool and a1 in pool
    with pytest.raises(PhalanxError):  # an invalid transaction is banned for a while
        pool.submit(xt("a", 0))
    assert pool.reject(a1, TxStatus("dropped", reason="not handed over"))
    assert not pool.reject(a1, TxStatus("dropped"))
    assert len(pool) == 0


def test_ready_listener_fires(chain: Chain) -> None:
    pool = TransactionPool(chain.validate)
    fired: list[int] = []
    pool.on_ready(lambda: fired.append(1))
    pool.submit(xt("a", 1))
    assert not fired
    pool.submit(xt("a", 0))
    assert fired
    assert blake2_256(xt("a", 0)) in pool


def test_no_room_in_a_full_block_keeps_the_transaction_for_the_next(chain: Chain) -> None:
    pool = TransactionPool(chain.validate)
    a0, a1, a2 = (pool.submit(xt("a", nonce)) for nonce in range(3))
    b0 = pool.submit(xt("b", 0))
    got: list[TxStatus] = []
    pool.add_listener(lambda _h, s: got.append(s))
    full = InvalidTransaction("the block is full", "ExhaustsResources")
    after_it = InvalidTransaction("nonce 2 is ahead of 1", "Future")
    chain.nonces[b"a"] = 1
    pool.block_imported(b"\x03" * 32, 1, [a0], dropped=[(a1, full), (a2, after_it), (b0, full)])
    assert [s.kind for s in got] == ["inBlock"]  # neither invalid nor banned
    assert [tx.hash for tx in pool.ready_transactions()] == [a1, a2, b0]
    chain.nonces[b"a"] = 3
    chain.nonces[b"b"] = 1
    pool.block_imported(b"\x04" * 32, 2, [a1, a2, b0])
    assert len(pool) == 0 and [s.kind for s in got].count("inBlock") == 4


def test_a_transaction_too_large_for_an_empty_block_is_dropped(chain: Chain) -> None:
    pool = TransactionPool(chain.validate)
    huge, after_it = pool.submit(xt("a", 0)), pool.submit(xt("a", 1))
    full = InvalidTransaction("the block is full", "ExhaustsResources")
    future = InvalidTransaction("nonce 1 is ahead of 0", "Future")
    pool.block_imported(b"\x05" * 32, 1, [], dropped=[(huge, full), (after_it, future)])
    assert len(pool) == 0  # it never fits: the block held nothing else
    with pytest.raises(TemporarilyBanned):
        pool.submit(xt("a", 0))
