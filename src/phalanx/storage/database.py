"""The node's LMDB store: flat current state, the archive state trie, and caller tables.

One LMDB environment per node holds named tables. Four are the storage layer's own:

    _state   raw storage key -> value at the head (flat, ordered by raw key)
    _trie    state trie records under their node keys (see `phalanx.storage.trie`)
    _roots   state root -> version (u64 BE) of its root node, for every root ever committed
    _meta    b"head" -> head root (32) || head root version (u64 BE) || last version (u64 BE)

Every other table belongs to the caller (block headers, bodies, indexes, pointers), named by
lowercase letters, digits, '_', '.' and '-'. All writes of a block go through one `Writer`
(`with db.write() as w:`), whose operations are buffered and applied in a single LMDB write
transaction when the block exits, synced to disk before `write()` returns: a crash at any instant
leaves the whole block or none of it. The map is large and grows on demand (LMDB files grow only
as written). Open a store once per process (LMDB does not allow two environments on one path in
the same process); share the `Database` between threads.
"""

from __future__ import annotations

import re
import shutil
import struct
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from hashlib import blake2b
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import Any

import lmdb

from phalanx.storage.errors import (
    CorruptStore,
    DatabaseClosed,
    InvalidKey,
    InvalidTableName,
    StateRootMismatch,
    StorageError,
    StoreFull,
    UnknownRoot,
)
from phalanx.storage.proof import ProofKind, StateProof
from phalanx.storage.trie import EMPTY_ROOT, MAX_VERSION, compute_update, key_hash, lookup, walk_path

DEFAULT_MAP_SIZE = 64 << 30 if sys.maxsize > 2**32 else 1 << 30
"""64 GiB on 64-bit machines (address space only; the file grows as data is written)."""

MAX_KEY_SIZE = 511
_TABLE_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,62}")
_STATE, _TRIE, _ROOTS, _META = b"_state", b"_trie", b"_roots", b"_meta"
_HEAD = b"head"
_HEAD_FORMAT = struct.Struct(">32sQQ")
_GROW_ATTEMPTS = 8


def _check_key(key: bytes) -> None:
    if not isinstance(key, bytes) or not 0 < len(key) <= MAX_KEY_SIZE:
        raise InvalidKey(f"storage keys must be 1..{MAX_KEY_SIZE} bytes")


def _check_table(name: str) -> bytes:
    if not isinstance(name, str) or _TABLE_NAME.fullmatch(name) is None:
        raise InvalidTableName(f"table name {name!r} must match [a-z0-9][a-z0-9_.-]{{0,62}}")
    return name.encode()


@dataclass(frozen=True)
class StateUpdate:
    """A state change computed on top of `parent_root` and not yet committed.

    `nodes` are the new trie records; committing the update with `Writer.apply_update` reuses
    them, so the trie work is done once.
    """

    parent_root: bytes
    root: bytes
    root_version: int
    version: int
    changes: Mapping[bytes, bytes | None]
    nodes: Mapping[bytes, bytes] = field(repr=False)


class _Head:
    __slots__ = ("root", "root_version", "version")

    def __init__(self, raw: bytes | None) -> None:
        if raw is None:
            self.root, self.root_version, self.version = EMPTY_ROOT, 0, 0
        elif len(raw) != _HEAD_FORMAT.size:
            raise CorruptStore("head record has the wrong size")
        else:
            self.root, self.root_version, self.version = _HEAD_FORMAT.unpack(raw)


class Snapshot:
    """A consistent read view of the head state and all tables, open until `close()`.

    Cheaper than `Database` reads for many lookups (one LMDB read transaction for all of them), so a
    block executes on one. Close it promptly: an open snapshot keeps old pages alive.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._txn = db._env().begin(buffers=False)
        self._state_db = db._handles[_STATE]
        db._snapshots += 1
        self._open = True

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End the read transaction (idempotent)."""
        if self._open:
            self._open = False
            self._txn.abort()
            self._db._snapshots -= 1

    @property
    def state_root(self) -> bytes:
        """The state root of the head this snapshot sees."""
        return _Head(self._txn.get(_HEAD, db=self._db._handles[_META])).root

    def get(self, key: bytes) -> bytes | None:
        """The head value of `key`, or None."""
        value: bytes | None = self._txn.get(key, db=self._state_db)
        return value

    def iter_prefix(self, prefix: bytes, start_after: bytes | None = None) -> Iterator[tuple[bytes, bytes]]:
        """(key, value) of the head state with keys starting with `prefix`, ordered, after `start_after`."""
        return _iter_prefix(self._txn.cursor(db=self._state_db), prefix, start_after)

    def read(self, table: str, key: bytes) -> bytes | None:
        """The value under `key` in caller table `table`, or None."""
        handle = self._db._table(table, create=False)
        if handle is None:
            return None
        value: bytes | None = self._txn.get(key, db=handle)
        return value


def _iter_prefix(cursor: Any, prefix: bytes, start_after: bytes | None) -> Iterator[tuple[bytes, bytes]]:
    start = prefix
    if start_after is not None and start_after >= prefix:
        start = start_after
    positioned = cursor.set_range(start) if start else cursor.first()
    if not positioned:
        return
    for key, value in cursor.iternext():
        if not key.startswith(prefix):
            return
        if start_after is not None and key <= start_after:
            continue
        yield key, value


class Writer:
    """The writes of one block, applied atomically when the `with db.write()` block exits.

    Nothing reaches the store before the block exits without an exception; then everything does,
    in one LMDB transaction synced to disk.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._update: StateUpdate | None = None
        self._ops: list[tuple[str, bytes, bytes | None]] = []

    def apply_state(self, changes: Mapping[bytes, bytes | None], parent_root: bytes) -> bytes:
        """Apply `changes` (None = delete) on top of `parent_root` (the head); returns the new root.

        Raises StateRootMismatch if `parent_root` is not the head, InvalidKey for a bad key.
        """
        return self.apply_update(self._db.compute_root(parent_root, changes))

    def apply_update(self, update: StateUpdate) -> bytes:
        """Commit a state update from `Database.compute_root`; returns its root."""
        if self._update is not None:
            raise StorageError("a write applies at most one state update")
        self._update = update
        return update.root

    def put(self, table: str, key: bytes, value: bytes) -> None:
        """Store `value` under `key` in caller table `table` (created on first use)."""
        _check_table(table)
        _check_key(key)
        self._ops.append((table, key, bytes(value)))

    def delete(self, table: str, key: bytes) -> None:
        """Remove `key` from caller table `table` (no error if absent)."""
        _check_table(table)
        _check_key(key)
        self._ops.append((table, key, None))


class Database:
    """One LMDB environment: flat head state, archive state trie, and caller tables."""

    def __init__(self, env: Any, path: Path, temporary: bool) -> None:
        self._lmdb: Any = env
        self.path = path
        self._temporary = temporary
        self._lock = threading.Lock()
        self._handles: dict[bytes, Any] = {}
        self._snapshots = 0
        for name in (_STATE, _TRIE, _ROOTS, _META):
            self._handles[name] = env.open_db(name, create=True)

    @classmethod
    def open(cls, path: Path, map_size: int = DEFAULT_MAP_SIZE) -> Database:
        """Open (creating if needed) the store in directory `path`, with commits synced to disk."""
        return cls._open(Path(path), map_size, temporary=False)

    @classmethod
    def temporary(cls, map_size: int = DEFAULT_MAP_SIZE) -> Database:
        """A store in a fresh temporary directory, removed by `close()`."""
        return cls._open(Path(tempfile.mkdtemp(prefix="phalanx-db-")), map_size, temporary=True)

    @classmethod
    def _open(cls, path: Path, map_size: int, temporary: bool) -> Database:
        path.mkdir(parents=True, exist_ok=True)
        try:
            env = lmdb.open(
                str(path),
                map_size=map_size,
                max_dbs=64,
                subdir=True,
                sync=True,
                metasync=True,
                readahead=False,
                max_readers=256,
                lock=True,
            )
        except lmdb.Error as exc:
            if temporary:
                shutil.rmtree(path, ignore_errors=True)
            raise StorageError(f"cannot open store at {path}: {exc}") from exc
        return cls(env, path, temporary)

    def close(self) -> None:
        """Close the environment (idempotent); a temporary store's directory is removed."""
        if self._lmdb is None:
            return
        self._lmdb.close()
        self._lmdb = None
        if self._temporary:
            shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _env(self) -> Any:
        if self._lmdb is None:
            raise DatabaseClosed("the store is closed")
        return self._lmdb

    def _table(self, name: str, create: bool) -> Any:
        raw = _check_table(name)
        handle = self._handles.get(raw)
        if handle is None:
            with self._lock:
                handle = self._handles.get(raw)
                if handle is None:
                    try:
                        handle = self._env().open_db(raw, create=create)
                    except lmdb.NotFoundError:
                        return None
                    self._handles[raw] = handle
        return handle

    # ---- head state -----------------------------------------------------------------------

    def _head(self, txn: Any) -> _Head:
        return _Head(txn.get(_HEAD, db=self._handles[_META]))

    @property
    def state_root(self) -> bytes:
        """The root of the head state (EMPTY_ROOT for a new store)."""
        with self._env().begin() as txn:
            return self._head(txn).root

    def get(self, key: bytes) -> bytes | None:
        """The head value of `key`, or None."""
        with self._env().begin(buffers=False) as txn:
            value: bytes | None = txn.get(key, db=self._handles[_STATE])
            return value

    def iter_prefix(self, prefix: bytes, start_after: bytes | None = None) -> Iterator[tuple[bytes, bytes]]:
        """(key, value) of the head state with keys starting with `prefix`, ordered, after `start_after`."""
        with self._env().begin(buffers=False) as txn:
            yield from _iter_prefix(txn.cursor(db=self._handles[_STATE]), prefix, start_after)

    def keys_paged(self, prefix: bytes, count: int, start_after: bytes | None = None) -> list[bytes]:
        """Up to `count` head keys starting with `prefix`, in key order, strictly after `start_after`."""
        if count <= 0:
            return []
        return [key for key, _value in islice(self.iter_prefix(prefix, start_after), count)]

    def snapshot(self) -> Snapshot:
        """A consistent read view of the head (close it, or use it in a `with`)."""
        return Snapshot(self)

    # ---- archive reads and proofs -----------------------------------------------------------

    def _root_version(self, txn: Any, root: bytes) -> int:
        raw = txn.get(root, db=self._handles[_ROOTS])
        if raw is None:
            raise UnknownRoot(f"state root {root.hex()} is not in this store")
        return int.from_bytes(raw, "big")

    def has_root(self, root: bytes) -> bool:
        """True if `root` is the empty root or a committed state root."""
        if root == EMPTY_ROOT:
            return True
        with self._env().begin() as txn:
            return txn.get(root, db=self._handles[_ROOTS]) is not None

    def get_at(self, root: bytes, key: bytes) -> bytes | None:
        """The value of `key` in the committed state `root`; raises UnknownRoot for an unknown root."""
        if root == EMPTY_ROOT:
            return None
        with self._env().begin(buffers=False) as txn:
            version = self._root_version(txn, root)
            trie = self._handles[_TRIE]
            return lookup(txn.cursor(db=trie).get, root, version, key)

    def prove(self, root: bytes, key: bytes) -> StateProof:
        """A proof of the value (or absence) of `key` under the committed state `root`."""
        return self.prove_with_value(root, key)[1]

    def prove_with_value(self, root: bytes, key: bytes) -> tuple[bytes | None, StateProof]:
        """The value of `key` under `root` (None if absent) and its proof."""
        kh = key_hash(key)
        if root == EMPTY_ROOT:
            return None, StateProof(ProofKind.ABSENT_EMPTY, ())
        with self._env().begin(buffers=False) as txn:
            version = self._root_version(txn, root)
            trie = self._handles[_TRIE]
            siblings, rec = walk_path(txn.cursor(db=trie).get, root, version, kh)
        if rec is None:
            return None, StateProof(ProofKind.ABSENT_EMPTY, tuple(siblings))
        if rec[1:33] == kh:
            return rec[33:], StateProof(ProofKind.PRESENT, tuple(siblings))
        value_hash = blake2b(rec[33:], digest_size=32).digest()
        return None, StateProof(ProofKind.ABSENT_OTHER_LEAF, tuple(siblings), rec[1:33], value_hash)

    # ---- caller tables ----------------------------------------------------------------------

    def read(self, table: str, key: bytes) -> bytes | None:
        """The value under `key` in caller table `table`, or None."""
        handle = self._table(table, create=False)
        if handle is None:
            return None
        with self._env().begin(buffers=False) as txn:
            value: bytes | None = txn.get(key, db=handle)
            return value

    def iter_table(
        self, table: str, prefix: bytes = b"", start_after: bytes | None = None
    ) -> Iterator[tuple[bytes, bytes]]:
        """(key, value) in caller table `table` with keys starting with `prefix`, ordered."""
        handle = self._table(table, create=False)
        if handle is None:
            return
        with self._env().begin(buffers=False) as txn:
            yield from _iter_prefix(txn.cursor(db=handle), prefix, start_after)

    def last(self, table: str) -> tuple[bytes, bytes] | None:
        """The entry with the greatest key in caller table `table`, or None if it is empty."""
        handle = self._table(table, create=False)
        if handle is None:
            return None
        with self._env().begin(buffers=False) as txn:
            cursor = txn.cursor(db=handle)
            if not cursor.last():
                return None
            return cursor.key(), cursor.value()

    # ---- writes -----------------------------------------------------------------------------

    def compute_root(self, parent_root: bytes, changes: Mapping[bytes, bytes | None]) -> StateUpdate:
        """The state update of `changes` on top of the head `parent_root`, without committing it.

        Raises StateRootMismatch if `parent_root` is not the head, InvalidKey for a bad key.
        """
        changes = dict(changes)
        for key, value in changes.items():
            _check_key(key)
            if value is not None and not isinstance(value, bytes):
                raise StorageError("state values must be bytes or None")
        with self._env().begin(buffers=False) as txn:
            head = self._head(txn)
            if parent_root != head.root:
                raise StateRootMismatch(
                    f"parent root {parent_root.hex()} is not the head root {head.root.hex()}"
                )
            if head.version >= MAX_VERSION:
                raise StoreFull("state trie versions exhausted")
            trie = self._handles[_TRIE]
            version = head.version + 1
            root, root_version, nodes = compute_update(
                txn.cursor(db=trie).get, head.root, head.root_version, version, changes
            )
        return StateUpdate(parent_root, root, root_version, version, changes, nodes)

    def write(self) -> _WriteContext:
        """`with db.write() as w:` collects one block's writes and commits them atomically."""
        self._env()
        return _WriteContext(self)

    def _commit(self, writer: Writer) -> None:
        env = self._env()
        handles = {table: self._table(table, create=True) for table, _k, _v in writer._ops}
        for attempt in range(_GROW_ATTEMPTS):
            try:
                with env.begin(write=True) as txn:
                    if writer._update is not None:
                        self._write_update(txn, writer._update)
                    for table, key, value in writer._ops:
                        if value is None:
                            txn.delete(key, db=handles[table])
                        else:
                            txn.put(key, value, db=handles[table])
                return
            except lmdb.MapFullError as exc:
                if attempt + 1 == _GROW_ATTEMPTS or self._snapshots:
                    raise StoreFull(f"store map of {env.info()['map_size']} bytes is full") from exc
                env.set_mapsize(env.info()["map_size"] * 2)

    def _write_update(self, txn: Any, update: StateUpdate) -> None:
        head = self._head(txn)
        if update.parent_root != head.root or update.version != head.version + 1:
            raise StateRootMismatch(
                f"state update on {update.parent_root.hex()} no longer applies to the head {head.root.hex()}"
            )
        trie = self._handles[_TRIE]
        if update.nodes:
            cursor = txn.cursor(db=trie)
            nodes = update.nodes
            cursor.putmulti([(key, nodes[key]) for key in sorted(nodes)], dupdata=False, append=True)
        if update.root != EMPTY_ROOT:
            txn.put(
                update.root, update.root_version.to_bytes(8, "big"), db=self._handles[_ROOTS], overwrite=False
            )
        state = self._handles[_STATE]
        changes = update.changes
        for key in sorted(changes):
            value = changes[key]
            if value is None:
                txn.delete(key, db=state)
            else:
                txn.put(key, value, db=state)
        txn.put(
            _HEAD,
            _HEAD_FORMAT.pack(update.root, update.root_version, update.version),
            db=self._handles[_META],
        )


class _WriteContext:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._writer = Writer(db)

    def __enter__(self) -> Writer:
        return self._writer

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self._db._commit(self._writer)
