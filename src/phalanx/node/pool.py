"""The transaction pool: validated transactions waiting for a block, ordered by tags and priority.

A transaction enters only after `validate(xt)` (the runtime's `validate_transaction` against the best
state) accepts it. The runtime answers with `requires` and `provides` tags (for a signed transfer:
provides `(sender, nonce)`, requires `(sender, nonce - 1)` when the nonce is ahead of the chain).
A transaction whose required tags are all provided by ready transactions is *ready*; otherwise it
waits in the *future* queue until a transaction providing the missing tag arrives or the chain
catches up. Two transactions providing the same tag conflict: the one with the higher priority wins.

After each block the pool prunes what the block included, drops what the block builder refused,
drops transactions whose provided tags the chain now holds (their nonce is used), re-validates a
bounded batch of the rest against the new state, and recomputes ready and future. What the builder
left out only because the block was full (`ExhaustsResources`) stays for the next block, and so do
the transactions it left out only because they come after such a one (`Future`, with a required tag
still provided in the pool); neither is banned.

Each change of a transaction's state is reported to listeners as a `TxStatus` shaped like the
`author_extrinsicUpdate` results of Substrate: "future", "ready", {"inBlock": hash},
{"finalized": hash}, {"usurped": hash}, "dropped", "invalid".
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from phalanx.crypto.hashing import blake2_256
from phalanx.errors import PhalanxError
from phalanx.node.errors import (
    AlreadyImported,
    PoolFull,
    PriorityTooLow,
    TemporarilyBanned,
    TransactionTooLarge,
)
from phalanx.runtime.errors import InvalidTransaction


class ValidityInfo(Protocol):
    """What the pool reads of the runtime's `ValidTransaction`."""

    @property
    def sender(self) -> bytes: ...
    @property
    def nonce(self) -> int: ...
    @property
    def priority(self) -> int: ...
    @property
    def requires(self) -> tuple[bytes, ...]: ...
    @property
    def provides(self) -> tuple[bytes, ...]: ...
    @property
    def longevity(self) -> int: ...


Validator = Callable[[bytes], ValidityInfo]


@dataclass(frozen=True)
class TxStatus:
    """One state change of a pooled transaction. `block` is set for inBlock / finalized; `by` for usurped."""

    kind: str
    block: bytes | None = None
    by: bytes | None = None
    reason: str | None = None

    def to_json(self) -> str | dict[str, str]:
        if self.kind in ("inBlock", "finalized") and self.block is not None:
            return {self.kind: "0x" + self.block.hex()}
        if self.kind == "usurped" and self.by is not None:
            return {"usurped": "0x" + self.by.hex()}
        return self.kind

    @property
    def is_final(self) -> bool:
        """No further status will follow for this transaction."""
        return self.kind in ("finalized", "usurped", "dropped", "invalid")


Listener = Callable[[bytes, TxStatus], None]


@dataclass(frozen=True)
class PoolLimits:
    max_count: int = 32_768
    max_bytes: int = 64 * 1024 * 1024
    max_tx_bytes: int = 4 * 1024 * 1024
    revalidate_per_block: int = 512
    ban_blocks: int = 30


@dataclass
class PooledTransaction:
    """A transaction in the pool with what its validation said."""

    hash: bytes
    data: bytes
    sender: bytes
    nonce: int
    priority: int
    requires: tuple[bytes, ...]
    provides: tuple[bytes, ...]
    valid_till: int
    seq: int
    validated_at: int = 0
    ready: bool = field(default=False)


class TransactionPool:
    """Ready and future queues over validated transactions. Not thread-safe: use from one event loop."""

    retries_unfitted = True
    """Keep what a full block had no room for, for the next block built from this pool."""

    def __init__(self, validate: Validator, limits: PoolLimits | None = None, best_number: int = 0) -> None:
        self._validate = validate
        self.limits = limits or PoolLimits()
        self._txs: dict[bytes, PooledTransaction] = {}
        self._provider: dict[bytes, bytes] = {}  # tag -> hash of the pooled tx providing it
        self._requirers: dict[bytes, set[bytes]] = {}  # tag -> hashes of pooled txs requiring it
        self._by_sender: dict[bytes, dict[int, bytes]] = {}
        self._banned: dict[bytes, int] = {}  # hash -> block number until which it is refused
        self._bytes = 0
        self._seq = 0
        self._best_number = best_number
        self._watchers: dict[bytes, list[Listener]] = {}
        self._listeners: list[Listener] = []
        self._ready_listeners: list[Callable[[], None]] = []

    # -- reading ---------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._txs)

    def __contains__(self, tx_hash: object) -> bool:
        return tx_hash in self._txs

    @property
    def ready_count(self) -> int:
        return sum(1 for tx in self._txs.values() if tx.ready)

    @property
    def future_count(self) -> int:
        return len(self._txs) - self.ready_count

    def has_ready(self) -> bool:
        return any(tx.ready for tx in self._txs.values())

    def get(self, tx_hash: bytes) -> PooledTransaction | None:
        return self._txs.get(tx_hash)

    def pending(self) -> list[bytes]:
        """Every pooled extrinsic, ready ones first, in arrival order."""
        txs = sorted(self._txs.values(), key=lambda tx: (not tx.ready, tx.seq))
        return [tx.data for tx in txs]

    def next_nonce(self, sender: bytes, chain_nonce: int) -> int:
        """The nonce a new transaction of `sender` should use, counting its pooled transactions."""
        nonces = self._by_sender.get(sender, {})
        nonce = chain_nonce
        while nonce in nonces:
            nonce += 1
        return nonce

    def ready_transactions(self, limit: int | None = None) -> list[PooledTransaction]:
        """Ready transactions in an order a block can include them: every transaction after those
        providing its required tags; among the unlocked ones, highest priority first, then oldest."""
        ready = [tx for tx in self._txs.values() if tx.ready]
        waiting: dict[bytes, int] = {}
        dependents: dict[bytes, list[PooledTransaction]] = {}
        heap: list[tuple[int, int, bytes]] = []
        for tx in ready:
            unmet = [tag for tag in tx.requires if tag in self._provider]
            waiting[tx.hash] = len(unmet)
            for tag in unmet:
                dependents.setdefault(tag, []).append(tx)
            if not unmet:
                heap.append((-tx.priority, tx.seq, tx.hash))
        heapq.heapify(heap)
        out: list[PooledTransaction] = []
        while heap and (limit is None or len(out) < limit):
            _, _, tx_hash = heapq.heappop(heap)
            tx = self._txs[tx_hash]
            out.append(tx)
            for tag in tx.provides:
                for dependent in dependents.get(tag, ()):
                    waiting[dependent.hash] -= 1
                    if waiting[dependent.hash] == 0:
                        heapq.heappush(heap, (-dependent.priority, dependent.seq, dependent.hash))
        return out

    # -- listeners -------------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        """Call `listener(tx_hash, status)` on every status change of every transaction."""
        self._listeners.append(listener)

    def on_ready(self, callback: Callable[[], None]) -> None:
        """Call `callback()` whenever a transaction becomes ready (the instant-seal trigger)."""
        self._ready_listeners.append(callback)

    def watch(self, tx_hash: bytes, listener: Listener) -> None:
        """Call `listener` on status changes of one transaction, until its final status."""
        self._watchers.setdefault(tx_hash, []).append(listener)

    def unwatch(self, tx_hash: bytes, listener: Listener) -> None:
        listeners = self._watchers.get(tx_hash)
        if listeners and listener in listeners:
            listeners.remove(listener)
            if not listeners:
                del self._watchers[tx_hash]

    def _emit(self, tx_hash: bytes, status: TxStatus) -> None:
        for listener in list(self._watchers.get(tx_hash, ())):
            listener(tx_hash, status)
        if status.is_final:
            self._watchers.pop(tx_hash, None)
        for listener in self._listeners:
            listener(tx_hash, status)

    # -- submission ------------------------------------------------------------------------------

    def submit(self, xt: bytes, watcher: Listener | None = None) -> bytes:
        """Validate and insert an extrinsic; returns its hash.

        Raises the runtime's validation errors unchanged (`CannotDecode`, `InvalidTransaction`,
        `UnknownTransaction`), and `TransactionTooLarge`, `AlreadyImported`, `TemporarilyBanned`,
        `PriorityTooLow` or `PoolFull` for the pool's own refusals. `watcher`, if given, is attached
        before the first status is emitted.
        """
        if len(xt) > self.limits.max_tx_bytes:
            limit = self.limits.max_tx_bytes
            raise TransactionTooLarge(f"the extrinsic has {len(xt)} bytes, the pool accepts {limit}")
        tx_hash = blake2_256(xt)
        if tx_hash in self._txs:
            raise AlreadyImported("Transaction Already Imported")
        if self._banned.get(tx_hash, -1) >= self._best_number:
            raise TemporarilyBanned("Transaction is temporarily banned")
        info = self._validate(xt)
        replaced = self._conflicts(info)
        if not replaced and (
            len(self._txs) >= self.limits.max_count or self._bytes + len(xt) > self.limits.max_bytes
        ):
            raise PoolFull("Immediately Dropped: the pool is full")
        self._seq += 1
        tx = PooledTransaction(
            hash=tx_hash,
            data=xt,
            sender=info.sender,
            nonce=info.nonce,
            priority=info.priority,
            requires=tuple(info.requires),
            provides=tuple(info.provides),
            valid_till=self._best_number + max(1, info.longevity),
            seq=self._seq,
            validated_at=self._best_number,
        )
        for old in replaced:
            self._remove(old)
            self._emit(old.hash, TxStatus("usurped", by=tx_hash))
        if watcher is not None:
            self.watch(tx_hash, watcher)
        self._insert(tx)
        return tx_hash

    def _conflicts(self, info: ValidityInfo) -> list[PooledTransaction]:
        replaced: dict[bytes, PooledTransaction] = {}
        for tag in info.provides:
            other_hash = self._provider.get(tag)
            if other_hash is None:
                continue
            other = self._txs[other_hash]
            if other.priority >= info.priority:
                raise PriorityTooLow("Priority is too low: a transaction with the same tag is in the pool")
            replaced[other.hash] = other
        return list(replaced.values())

    def _insert(self, tx: PooledTransaction) -> None:
        self._txs[tx.hash] = tx
        self._bytes += len(tx.data)
        for tag in tx.provides:
            self._provider[tag] = tx.hash
        for tag in tx.requires:
            self._requirers.setdefault(tag, set()).add(tx.hash)
        self._by_sender.setdefault(tx.sender, {})[tx.nonce] = tx.hash
        if self._requirements_met(tx):
            self._make_ready([tx])
        else:
            self._emit(tx.hash, TxStatus("future"))

    def _requirements_met(self, tx: PooledTransaction) -> bool:
        for tag in tx.requires:
            provider = self._provider.get(tag)
            if provider is None or not self._txs[provider].ready:
                return False
        return True

    def _make_ready(self, txs: Iterable[PooledTransaction]) -> None:
        queue = list(txs)
        promoted = False
        while queue:
            tx = queue.pop()
            if tx.ready:
                continue
            tx.ready = True
            promoted = True
            self._emit(tx.hash, TxStatus("ready"))
            for tag in tx.provides:
                for other_hash in self._requirers.get(tag, ()):
                    other = self._txs[other_hash]
                    if not other.ready and self._requirements_met(other):
                        queue.append(other)
        if promoted:
            for callback in self._ready_listeners:
                callback()

    def _remove(self, tx: PooledTransaction) -> None:
        del self._txs[tx.hash]
        self._bytes -= len(tx.data)
        for tag in tx.provides:
            if self._provider.get(tag) == tx.hash:
                del self._provider[tag]
        self._forget_requires(tx)
        nonces = self._by_sender.get(tx.sender)
        if nonces is not None and nonces.get(tx.nonce) == tx.hash:
            del nonces[tx.nonce]
            if not nonces:
                del self._by_sender[tx.sender]

    def _forget_requires(self, tx: PooledTransaction) -> None:
        for tag in tx.requires:
            requirers = self._requirers.get(tag)
            if requirers is not None:
                requirers.discard(tx.hash)
                if not requirers:
                    del self._requirers[tag]

    def _set_requires(self, tx: PooledTransaction, requires: tuple[bytes, ...]) -> None:
        self._forget_requires(tx)
        tx.requires = requires
        for tag in requires:
            self._requirers.setdefault(tag, set()).add(tx.hash)

    def reject(self, xt_hash: bytes, status: TxStatus) -> bool:
        """Remove a pooled transaction that the consensus engine refused, telling its watchers why
        (`status` is `invalid` or `dropped`). Returns False when it is not in the pool."""
        tx = self._txs.get(xt_hash)
        if tx is None:
            return False
        self._remove(tx)
        if status.kind == "invalid":
            self._banned[xt_hash] = self._best_number + self.limits.ban_blocks
        self._emit(xt_hash, status)
        return True

    # -- after a block ---------------------------------------------------------------------------

    def block_imported(
        self,
        block_hash: bytes,
        number: int,
        included: Sequence[bytes],
        dropped: Sequence[tuple[bytes, PhalanxError]] = (),
    ) -> list[bytes]:
        """Update the pool after block `number` was imported: prune the included transactions
        (status inBlock), remove those the builder dropped (invalid) except those it had no room
        for (see `_kept_for_next_block`), drop stale and expired ones, re-validate a bounded batch
        against the new best state. Returns the hashes of the pooled transactions the block included
        (for `block_finalized`)."""
        self._best_number = number
        pruned_tags: set[bytes] = set()
        included_here: list[bytes] = []
        for xt_hash in included:
            tx = self._txs.get(xt_hash)
            if tx is None:
                continue
            pruned_tags.update(tx.provides)
            self._remove(tx)
            included_here.append(xt_hash)
            self._banned[xt_hash] = number + self.limits.ban_blocks
            self._emit(xt_hash, TxStatus("inBlock", block=block_hash))
        for xt_hash, error in dropped:
            tx = self._txs.get(xt_hash)
            if tx is not None and not self._kept_for_next_block(tx, error, block_was_empty=not included_here):
                self._remove(tx)
                self._banned[xt_hash] = number + self.limits.ban_blocks
                self._emit(xt_hash, TxStatus("invalid", reason=error.message))
        for tx in list(self._txs.values()):
            if pruned_tags.intersection(tx.provides):
                self._remove(tx)
                self._emit(tx.hash, TxStatus("invalid", reason="Transaction is outdated"))
            elif tx.valid_till < number:
                self._remove(tx)
                self._emit(tx.hash, TxStatus("dropped", reason="Transaction longevity expired"))
            elif pruned_tags.intersection(tx.requires):
                self._set_requires(tx, tuple(tag for tag in tx.requires if tag not in pruned_tags))
        self._revalidate(number)
        self._recompute_readiness()
        self._banned = {h: until for h, until in self._banned.items() if until >= number}
        return included_here

    def _kept_for_next_block(self, tx: PooledTransaction, error: PhalanxError, block_was_empty: bool) -> bool:
        """Whether a transaction the builder left out waits for the next block instead of being dropped:
        the block was full (unless it held no other transaction: then this one never fits), or it
        was left out as `Future` while a transaction it requires is still in the pool (kept for the
        same reason). Called in the builder's order, so a kept predecessor is already decided."""
        if not self.retries_unfitted or not isinstance(error, InvalidTransaction):
            return False
        if error.reason == "ExhaustsResources":
            return not block_was_empty
        if error.reason == "Future":
            return any(tag in self._provider for tag in tx.requires)
        return False

    def block_finalized(self, block_hash: bytes, included: Sequence[bytes]) -> None:
        """Report `finalized` for the transactions a finalized block included."""
        for xt_hash in included:
            self._emit(xt_hash, TxStatus("finalized", block=block_hash))

    def _revalidate(self, number: int) -> None:
        batch = sorted(self._txs.values(), key=lambda tx: (tx.validated_at, tx.seq))
        for tx in batch[: self.limits.revalidate_per_block]:
            try:
                info = self._validate(tx.data)
            except PhalanxError as error:
                self._remove(tx)
                self._banned[tx.hash] = number + self.limits.ban_blocks
                self._emit(tx.hash, TxStatus("invalid", reason=error.message))
                continue
            for tag in tx.provides:
                if self._provider.get(tag) == tx.hash:
                    del self._provider[tag]
            self._set_requires(tx, tuple(info.requires))
            tx.provides, tx.priority = tuple(info.provides), info.priority
            tx.validated_at = number
            for tag in tx.provides:
                self._provider.setdefault(tag, tx.hash)

    def _recompute_readiness(self) -> None:
        was_ready = {h for h, tx in self._txs.items() if tx.ready}
        for tx in self._txs.values():
            tx.ready = False
        # A worklist over the tags: first those needing nothing, then what they unlock.
        queue = [tx for tx in self._txs.values() if self._requirements_met(tx)]
        while queue:
            tx = queue.pop()
            if tx.ready:
                continue
            tx.ready = True
            for tag in tx.provides:
                for other_hash in self._requirers.get(tag, ()):
                    other = self._txs[other_hash]
                    if not other.ready and self._requirements_met(other):
                        queue.append(other)
        newly_ready = False
        for tx in sorted(self._txs.values(), key=lambda tx: tx.seq):
            if tx.ready and tx.hash not in was_ready:
                newly_ready = True
                self._emit(tx.hash, TxStatus("ready"))
        if newly_ready:
            for callback in self._ready_listeners:
                callback()
