"""The state a block executes against: a write overlay over the parent's committed state.

`State` reads through to a `StateReader` (the committed state of the parent block) and keeps every
write of the block in `changes`. Nested transactions (`begin`, `commit`, `rollback`) journal the
previous overlay value of each key on its first write inside the transaction, so a rollback costs
as much as the writes it undoes. The executive opens one transaction per extrinsic call: a failed
call leaves no write but its fee and nonce, which are written outside that transaction.

Here the runtime meets the storage layer: a block executes on a
`CommittedState`, which the chain store (`phalanx.chain`) hands in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from phalanx.storage import StateUpdate

_ABSENT = object()


class StateReader(Protocol):
    """Committed state of one block, as the store serves it."""

    def get(self, key: bytes) -> bytes | None: ...

    def iter_prefix(self, prefix: bytes) -> Iterator[tuple[bytes, bytes]]:
        """(key, value) pairs whose key starts with `prefix`, in key order."""
        ...


class CommittedState(StateReader, Protocol):
    """The parent block's committed state a block executes on: reads, and the state update (new trie
    nodes and root) that the block's changes make on top of it, computed without committing it."""

    def compute_update(self, changes: Mapping[bytes, bytes | None]) -> StateUpdate: ...


class EmptyState:
    """The state before genesis."""

    def get(self, key: bytes) -> bytes | None:
        return None

    def iter_prefix(self, prefix: bytes) -> Iterator[tuple[bytes, bytes]]:
        return iter(())


class State:
    """Block-level overlay with nested transactions over a committed `StateReader`."""

    __slots__ = ("_base_get", "_cache", "_journals", "base", "changes")

    def __init__(self, base: StateReader) -> None:
        self.base = base
        self._base_get: Callable[[bytes], bytes | None] = base.get
        self.changes: dict[bytes, bytes | None] = {}
        self._cache: dict[bytes, bytes | None] = {}
        self._journals: list[dict[bytes, object]] = []

    # -- reads ---------------------------------------------------------------------------------------

    def get(self, key: bytes) -> bytes | None:
        changes = self.changes
        if key in changes:
            return changes[key]
        cache = self._cache
        if key in cache:
            return cache[key]
        value = self._base_get(key)
        cache[key] = value
        return value

    def iter_prefix(self, prefix: bytes) -> Iterator[tuple[bytes, bytes]]:
        """Current (key, value) pairs under `prefix`, in key order, overlay applied."""
        merged: dict[bytes, bytes | None] = dict(self.base.iter_prefix(prefix))
        for key, value in self.changes.items():
            if key.startswith(prefix):
                merged[key] = value
        for key in sorted(merged):
            value = merged[key]
            if value is not None:
                yield key, value

    # -- writes --------------------------------------------------------------------------------------

    def put(self, key: bytes, value: bytes) -> None:
        if self._journals:
            journal = self._journals[-1]
            if key not in journal:
                journal[key] = self.changes.get(key, _ABSENT)
        self.changes[key] = value

    def delete(self, key: bytes) -> None:
        if self._journals:
            journal = self._journals[-1]
            if key not in journal:
                journal[key] = self.changes.get(key, _ABSENT)
        self.changes[key] = None

    # -- transactions --------------------------------------------------------------------------------

    def begin(self) -> None:
        self._journals.append({})

    def commit(self) -> None:
        journal = self._journals.pop()
        if self._journals:
            outer = self._journals[-1]
            for key, previous in journal.items():
                if key not in outer:
                    outer[key] = previous

    def rollback(self) -> None:
        journal = self._journals.pop()
        changes = self.changes
        for key, previous in journal.items():
            if previous is _ABSENT:
                del changes[key]
            else:
                changes[key] = previous  # type: ignore[assignment]

    @property
    def depth(self) -> int:
        return len(self._journals)
