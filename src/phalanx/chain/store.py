"""`ChainStore`: the blocks of one chain and the states they commit to, kept in a `Database`.

Tables (caller tables of `phalanx.storage.Database`):

    chain.headers         block hash -> SCALE header
    chain.bodies          block hash -> SCALE Vec<extrinsic>
    chain.justifications  block hash -> finality proof (when the engine gave one)
    chain.numbers         block number (u32 BE) -> block hash
    chain.meta            b"genesis" -> genesis hash, b"spec_id" -> chain spec id, b"best" -> best hash

`commit` writes a block's state update, header, body, justification and the best pointer in one
LMDB write transaction: a crash leaves the whole block or none of it. The best block is also the
finalized one (both engines finalize every block). States are served at the best block from the
flat state and at older blocks through the archive trie, with proofs against any block's root.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from phalanx.codec import encode_compact
from phalanx.runtime.block import Block, Header
from phalanx.runtime.errors import InvalidBlock, UnknownBlock
from phalanx.runtime.runtime import BuiltBlock
from phalanx.runtime.state import CommittedState, StateReader
from phalanx.storage import Database, Snapshot, StateUpdate, Writer

HEADERS, BODIES, JUSTIFICATIONS, NUMBERS, META = (
    "chain.headers",
    "chain.bodies",
    "chain.justifications",
    "chain.numbers",
    "chain.meta",
)


class _HeadState:
    """The best block's committed state, read from the store's flat state."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, key: bytes) -> bytes | None:
        return self.db.get(key)

    def iter_prefix(self, prefix: bytes) -> Iterator[tuple[bytes, bytes]]:
        return self.db.iter_prefix(prefix)

    def compute_update(self, changes: Mapping[bytes, bytes | None]) -> StateUpdate:
        return self.db.compute_root(self.db.state_root, changes)


class _SnapshotState:
    """The best block's committed state through one consistent snapshot, for executing a block."""

    def __init__(self, db: Database, snapshot: Snapshot, root: bytes) -> None:
        self.db, self.snapshot, self.root = db, snapshot, root

    def get(self, key: bytes) -> bytes | None:
        return self.snapshot.get(key)

    def iter_prefix(self, prefix: bytes) -> Iterator[tuple[bytes, bytes]]:
        return self.snapshot.iter_prefix(prefix)

    def compute_update(self, changes: Mapping[bytes, bytes | None]) -> StateUpdate:
        return self.db.compute_root(self.root, changes)


class _AtRoot:
    """A committed historical state, read through the archive trie."""

    def __init__(self, db: Database, root: bytes) -> None:
        self.db, self.root = db, root

    def get(self, key: bytes) -> bytes | None:
        return self.db.get_at(self.root, key)

    def iter_prefix(self, prefix: bytes) -> Iterator[tuple[bytes, bytes]]:
        raise UnknownBlock("listing keys is only available at the best block")


class ChainStore:
    """Headers, bodies, justifications, the best/finalized pointer and the committed states."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.RLock()

    # -- genesis ---------------------------------------------------------------------------------------

    def genesis_hash(self) -> bytes | None:
        """The hash of the stored genesis block (None for an empty store)."""
        return self.db.read(META, b"genesis")

    def spec_id(self) -> bytes | None:
        """The id of the chain spec the store was created with."""
        return self.db.read(META, b"spec_id")

    def empty_state(self) -> CommittedState:
        """The committed state of an empty store, for building genesis on."""
        return _HeadState(self.db)

    def write_genesis(self, genesis: BuiltBlock, spec_id: str) -> None:
        """Commit the genesis block of chain `spec_id` into an empty store, atomically."""
        with self.db.write() as w:
            w.apply_update(genesis.update)
            _write_block(w, genesis.block, genesis.hash, None)
            w.put(META, b"genesis", genesis.hash)
            w.put(META, b"spec_id", spec_id.encode())

    # -- blocks ----------------------------------------------------------------------------------------

    def best_hash(self) -> bytes:
        best = self.db.read(META, b"best")
        if best is not None:
            return best
        genesis = self.genesis_hash()
        if genesis is None:
            raise UnknownBlock("the store holds no chain")
        return genesis

    def finalized_hash(self) -> bytes:
        return self.best_hash()

    def best_header(self) -> Header:
        header = self.header(self.best_hash())
        if header is None:
            raise UnknownBlock("the best block header is missing from the store")
        return header

    def block_hash(self, number: int) -> bytes | None:
        if not 0 <= number < 1 << 32:
            return None
        return self.db.read(NUMBERS, number.to_bytes(4, "big"))

    def header(self, block_hash: bytes) -> Header | None:
        raw = self.db.read(HEADERS, block_hash)
        return None if raw is None else Header.decode(raw)

    def block(self, block_hash: bytes) -> Block | None:
        header = self.header(block_hash)
        body = self.db.read(BODIES, block_hash)
        if header is None or body is None:
            return None
        return Block.decode(header.encode() + body)

    def justification(self, block_hash: bytes) -> bytes | None:
        return self.db.read(JUSTIFICATIONS, block_hash)

    def commit(self, built: BuiltBlock, justification: bytes | None = None) -> None:
        """Persist a built block and its state update atomically; it becomes the best and finalized
        block. Raises InvalidBlock if its parent is no longer the best block."""
        with self._lock:
            if built.block.header.parent_hash != self.best_hash():
                raise InvalidBlock("the block's parent is no longer the best block")
            with self.db.write() as w:
                w.apply_update(built.update)
                _write_block(w, built.block, built.hash, justification)

    # -- states ----------------------------------------------------------------------------------------

    @contextmanager
    def executing_on(self, parent: Header) -> Iterator[CommittedState]:
        """The committed state of `parent`, the best block, consistent while the `with` block runs."""
        with self.db.snapshot() as snapshot:
            yield _SnapshotState(self.db, snapshot, parent.state_root)

    def state_at(self, at: bytes | None) -> StateReader:
        """The committed state of block `at` (None: the best block); raises UnknownBlock."""
        if at is None or at == self.best_hash():
            return _HeadState(self.db)
        header = self.header(at)
        if header is None:
            raise UnknownBlock(f"unknown block 0x{at.hex()}")
        return _AtRoot(self.db, header.state_root)

    def state_get(self, key: bytes, at: bytes | None = None) -> bytes | None:
        return self.state_at(at).get(key)

    def state_keys_paged(
        self, prefix: bytes, count: int, start_key: bytes | None, at: bytes | None = None
    ) -> list[bytes]:
        if at is not None and at != self.best_hash():
            if self.header(at) is None:
                raise UnknownBlock(f"unknown block 0x{at.hex()}")
            raise UnknownBlock("listing keys is only available at the best block")
        return self.db.keys_paged(prefix, count, start_key)

    def state_proof(self, keys: Sequence[bytes], at: bytes | None = None) -> bytes:
        """Proofs of `keys` against the block's state root.

        Encoding: Vec<(key: Bytes, value: Option<Bytes>, proof: Bytes)>, each proof in
        `phalanx.storage.proof.StateProof` encoding."""
        header = self.header(at or self.best_hash())
        if header is None:
            raise UnknownBlock("unknown block")
        out = bytearray(encode_compact(len(keys)))
        for key in keys:
            value, proof = self.db.prove_with_value(header.state_root, key)
            raw = proof.encode()
            out += encode_compact(len(key)) + key
            out += b"\x00" if value is None else b"\x01" + encode_compact(len(value)) + value
            out += encode_compact(len(raw)) + raw
        return bytes(out)


def _write_block(w: Writer, block: Block, block_hash: bytes, justification: bytes | None) -> None:
    w.put(HEADERS, block_hash, block.header.encode())
    w.put(BODIES, block_hash, encode_compact(len(block.extrinsics)) + b"".join(block.extrinsics))
    w.put(NUMBERS, block.header.number.to_bytes(4, "big"), block_hash)
    if justification is not None:
        w.put(JUSTIFICATIONS, block_hash, justification)
    w.put(META, b"best", block_hash)
