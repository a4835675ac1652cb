"""A journaled write overlay over a read-only state backend, with nested transactions.

The runtime executes a block against an `Overlay` whose backend is the head state (a `Database`
or, faster, a `Snapshot`). Each extrinsic runs inside `begin()` ... `commit()` or `rollback()`;
transactions nest as a stack, and a rollback undoes every write made since its `begin()`,
including those of inner transactions already committed. `changes()` hands the block's writes to
`Writer.apply_state`.

Cost model: outside a transaction a write is one dict store; inside one it also appends the
previous entry to a journal. A nested commit is O(1) (its journal entries now belong to the
enclosing transaction) and the outermost commit drops the journal. A read is a dict lookup in the
writes, then in a cache of backend reads, then the backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Protocol

from phalanx.storage.errors import TransactionError


class StateReader(Protocol):
    """What an overlay reads through to: point reads and ordered prefix iteration."""

    def get(self, key: bytes) -> bytes | None: ...

    def iter_prefix(
        self, prefix: bytes, start_after: bytes | None = None
    ) -> Iterator[tuple[bytes, bytes]]: ...


def page_of_keys(reader: StateReader, prefix: bytes, count: int, start_after: bytes | None) -> list[bytes]:
    """Up to `count` keys of `reader` starting with `prefix`, in key order, strictly after `start_after`."""
    if count <= 0:
        return []
    return [key for key, _value in islice(reader.iter_prefix(prefix, start_after), count)]


class _Missing:
    """Journal marker: the key had no entry in the overlay before the write."""


_MISSING = _Missing()


class Overlay:
    """Pending writes over `backend`; None as a value means deleted."""

    __slots__ = ("_backend", "_cache", "_journal", "_marks", "_writes")

    def __init__(self, backend: StateReader) -> None:
        self._backend = backend
        self._writes: dict[bytes, bytes | None] = {}
        self._cache: dict[bytes, bytes | None] = {}
        self._journal: list[tuple[bytes, bytes | _Missing | None]] = []
        self._marks: list[int] = []

    # ---- reads --------------------------------------------------------------------------------

    def get(self, key: bytes) -> bytes | None:
        """The current value of `key` (None if absent or deleted)."""
        writes = self._writes
        if key in writes:
            return writes[key]
        cache = self._cache
        if key in cache:
            return cache[key]
        value = self._backend.get(key)
        cache[key] = value
        return value

    def contains(self, key: bytes) -> bool:
        """True if `key` currently has a value."""
        return self.get(key) is not None

    def iter_prefix(self, prefix: bytes, start_after: bytes | None = None) -> Iterator[tuple[bytes, bytes]]:
        """(key, value) with keys starting with `prefix`, in key order, strictly after `start_after`.

        Merges the overlay with the backend; deleted keys are hidden. The overlay part is taken
        when iteration starts; do not write while iterating.
        """
        pending = {
            key: value
            for key, value in self._writes.items()
            if key.startswith(prefix) and (start_after is None or key > start_after)
        }
        mine = sorted((key, value) for key, value in pending.items() if value is not None)
        i = 0
        for key, value in self._backend.iter_prefix(prefix, start_after):
            while i < len(mine) and mine[i][0] < key:
                yield mine[i]
                i += 1
            if key in pending:
                continue
            yield key, value
        yield from mine[i:]

    def keys_paged(self, prefix: bytes, count: int, start_after: bytes | None = None) -> list[bytes]:
        """Up to `count` keys starting with `prefix`, in order, strictly after `start_after`."""
        return page_of_keys(self, prefix, count, start_after)

    # ---- writes -------------------------------------------------------------------------------

    def set(self, key: bytes, value: bytes) -> None:
        """Write `value` under `key`."""
        writes = self._writes
        if self._marks:
            self._journal.append((key, writes.get(key, _MISSING)))
        writes[key] = value

    def delete(self, key: bytes) -> None:
        """Delete `key` (a no-op on the backend if it was absent)."""
        writes = self._writes
        if self._marks:
            self._journal.append((key, writes.get(key, _MISSING)))
        writes[key] = None

    # ---- transactions -------------------------------------------------------------------------

    @property
    def depth(self) -> int:
        """Number of open transactions."""
        return len(self._marks)

    def begin(self) -> None:
        """Open a transaction (nested inside any open one)."""
        self._marks.append(len(self._journal))

    def commit(self) -> None:
        """Keep the writes of the innermost transaction; raises TransactionError if none is open."""
        if not self._marks:
            raise TransactionError("commit without an open transaction")
        self._marks.pop()
        if not self._marks:
            self._journal.clear()

    def rollback(self) -> None:
        """Undo every write of the innermost transaction; raises TransactionError if none is open."""
        if not self._marks:
            raise TransactionError("rollback without an open transaction")
        mark = self._marks.pop()
        journal = self._journal
        writes = self._writes
        for index in range(len(journal) - 1, mark - 1, -1):
            key, previous = journal[index]
            if isinstance(previous, _Missing):
                del writes[key]
            else:
                writes[key] = previous
        del journal[mark:]

    def changes(self) -> dict[bytes, bytes | None]:
        """Every committed write (None = delete); raises TransactionError while a transaction is open."""
        if self._marks:
            raise TransactionError("changes() with a transaction still open")
        return dict(self._writes)
