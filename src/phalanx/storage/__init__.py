"""Storage: the LMDB store, the Merkle state trie and its proofs.

db = Database.open(path)                       # or Database.temporary()
with db.snapshot() as head: ...                # execute a block against the head, collecting changes
update = db.compute_root(db.state_root, changes)   # root before committing
with db.write() as w:                          # one atomic, synced transaction
    w.apply_update(update)
    w.put("headers", block_hash, header_bytes)
db.get_at(root, key); db.prove(root, key)      # archive reads and proofs
verify_proof(root, key, value, proof)          # pure; raises InvalidProof

The LMDB store (`database`) is imported on first use of one of its names, so that code which only
checks proofs (the enclave) imports the pure trie and proof verifier without LMDB.
"""

from typing import TYPE_CHECKING, Any

from phalanx.storage.errors import (
    CorruptStore,
    DatabaseClosed,
    InvalidKey,
    InvalidProof,
    InvalidTableName,
    MalformedProof,
    ProofError,
    StateRootMismatch,
    StorageError,
    StoreFull,
    UnknownRoot,
)
from phalanx.storage.proof import ProofKind, StateProof, verify_proof, verify_proof_many
from phalanx.storage.trie import EMPTY_ROOT, key_hash

if TYPE_CHECKING:
    from phalanx.storage.database import DEFAULT_MAP_SIZE, Database, Snapshot, StateUpdate, Writer

_DATABASE_NAMES = frozenset({"DEFAULT_MAP_SIZE", "Database", "Snapshot", "StateUpdate", "Writer"})


def __getattr__(name: str) -> Any:
    if name in _DATABASE_NAMES:
        from phalanx.storage import database

        return getattr(database, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "DEFAULT_MAP_SIZE",
    "EMPTY_ROOT",
    "CorruptStore",
    "Database",
    "DatabaseClosed",
    "InvalidKey",
    "InvalidProof",
    "InvalidTableName",
    "MalformedProof",
    "ProofError",
    "ProofKind",
    "Snapshot",
    "StateProof",
    "StateRootMismatch",
    "StateUpdate",
    "StorageError",
    "StoreFull",
    "UnknownRoot",
    "Writer",
    "key_hash",
    "verify_proof",
    "verify_proof_many",
]
