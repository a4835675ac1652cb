"""The dev engine: one process orders, seals and finalizes blocks with one dev authority key.

Every `block_time` seconds (or, with instant seal, as soon as the pool has ready transactions) the
engine asks the chain to build a block on the best block with the pool's ready transactions,
signs the block hash with the dev authority key (the block's finality proof, see
`phalanx.engine.finality`) and commits block and proof in one atomic write. Finality is immediate.

Block timestamps come from the engine's clock but never go backwards: each block's timestamp is
at least its parent's plus one millisecond, also across restarts (the parent's is read from state).
The engine runs on the node's event loop; building a block is CPU work done between awaits, bounded
by `max_block_extrinsics` so the RPC stays responsive.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from phalanx.crypto.hashing import blake2_256, twox_128
from phalanx.crypto.keys import Keypair
from phalanx.engine.finality import sign_dev_justification
from phalanx.errors import PhalanxError

TIMESTAMP_NOW_KEY = twox_128(b"Timestamp") + twox_128(b"Now")

log = logging.getLogger(__name__)


class SealingChain(Protocol):
    """The chain calls the engine makes (`phalanx.chain.Blockchain` has them)."""

    @property
    def genesis_hash(self) -> bytes: ...
    def best_hash(self) -> bytes: ...
    def best_number(self) -> int: ...
    def build_block(
        self, parent_hash: bytes, timestamp_ms: int, extrinsics: Sequence[bytes], *,
        preverified: Collection[bytes] | None = None,
    ) -> Any: ...
    def commit(self, built: Any, justification: bytes | None = None) -> None: ...
    def state_get(self, key: bytes, at: bytes | None = None) -> bytes | None: ...


class ReadyQueue(Protocol):
    """What the engine needs of the transaction pool."""

    def ready_transactions(self, limit: int | None = None) -> Sequence[Any]: ...
    def block_imported(
        self, block_hash: bytes, number: int, included: Sequence[bytes],
        dropped: Sequence[tuple[bytes, PhalanxError]] = (),
    ) -> list[bytes]: ...
    def block_finalized(self, block_hash: bytes, included: Sequence[bytes]) -> None: ...
    def on_ready(self, callback: Callable[[], None]) -> None: ...
    def has_ready(self) -> bool: ...


@dataclass(frozen=True)
class SealedBlock:
    """What the engine reports after committing a block."""

    hash: bytes
    number: int
    timestamp_ms: int
    included: tuple[bytes, ...]
    dropped: int
    changed_keys: Collection[bytes]  # the storage keys the block wrote


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class DevEngine:
    """Seals blocks on a timer or on demand; see the module docstring."""

    def __init__(
        self,
        chain: SealingChain,
        pool: ReadyQueue,
        authority: Keypair,
        *,
        block_time: float = 1.0,
        instant_seal: bool = False,
        max_block_extrinsics: int = 4096,
        clock: Callable[[], int] = wall_clock_ms,
    ) -> None:
        self.chain = chain
        self.pool = pool
        self.authority = authority
        self.block_time = block_time
        self.instant_seal = instant_seal
        self.max_block_extrinsics = max_block_extrinsics
        self._clock = clock
        self._listeners: list[Callable[[SealedBlock], None]] = []
        self._wake = asyncio.Event()
        self._stopping = False
        self._last_timestamp = self._parent_timestamp()
        if instant_seal:
            pool.on_ready(self._wake.set)

    def _parent_timestamp(self) -> int:
        raw = self.chain.state_get(TIMESTAMP_NOW_KEY)
        return int.from_bytes(raw[:8], "little") if raw else 0

    def add_listener(self, listener: Callable[[SealedBlock], None]) -> None:
        """Call `listener(sealed)` after each committed block."""
        self._listeners.append(listener)

    def next_timestamp(self) -> int:
        return max(self._clock(), self._last_timestamp + 1)

    def seal_block(self) -> SealedBlock:
        """Build, sign and commit one block on top of the best block. Raises the chain's errors."""
        pending = self.pool.ready_transactions(self.max_block_extrinsics)
        extrinsics = [tx.data for tx in pending]
        timestamp = self.next_timestamp()
        parent = self.chain.best_hash()
        # The pool admitted these through this chain's `validate_transaction`: their signatures
        # need no second check.
        built = self.chain.build_block(
            parent, timestamp, extrinsics, preverified=frozenset(tx.hash for tx in pending))
        justification = sign_dev_justification(self.authority, self.chain.genesis_hash, built.hash)
        self.chain.commit(built, justification)
        self._last_timestamp = timestamp
        number = int(built.block.header.number)
        # The builder reports dropped extrinsics by their bytes; the pool knows them by hash.
        dropped = [(blake2_256(raw), error) for raw, error in built.dropped]
        dropped_hashes = {xt_hash for xt_hash, _ in dropped}
        included = [tx.hash for tx in pending if tx.hash not in dropped_hashes]
        in_pool = self.pool.block_imported(built.hash, number, included, dropped)
        self.pool.block_finalized(built.hash, in_pool)
        sealed = SealedBlock(built.hash, number, timestamp, tuple(included), len(dropped), built.changed_keys)
        for listener in self._listeners:
            listener(sealed)
        return sealed

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        """Seal blocks until `stop()`. With instant seal, a block follows each burst of ready
        transactions (and an empty block every `block_time`, keeping time moving)."""
        loop = asyncio.get_running_loop()
        next_due = loop.time() + self.block_time
        while not self._stopping:
            timeout = max(0.0, next_due - loop.time())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)
            self._wake.clear()
            if self._stopping:
                break
            if self.instant_seal and loop.time() < next_due and not self.pool.has_ready():
                continue
            try:
                sealed = self.seal_block()
            except PhalanxError:
                log.exception("sealing a block failed; retrying at the next slot")
                next_due = loop.time() + self.block_time
                continue
            if sealed.included:
                log.debug("sealed block #%d with %d extrinsics", sealed.number, len(sealed.included))
            next_due = loop.time() + self.block_time
            if self.instant_seal and self.pool.has_ready():
                self._wake.set()  # more arrived while sealing
            await asyncio.sleep(0)  # let the RPC run between blocks
