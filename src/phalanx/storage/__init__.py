"""Storage: the LMDB store, the Merkle state trie and its proofs.

db = Database.open(path)                       # or Database.temporary()
with db.snapshot() as head: ...                # execute a block against the head, collecting changes
update = db.compute_root(db.state_root, changes)   # root before committing
with db.write() as w:                          # one atomic, synced transaction
    w.apply_update(update)
    w.put("headers", block_hash, header_bytes)
db.get_at(root, key); db.prove(root, key)      # archive reads and proofs
verify_proof(root, key, value, proof)          # pure; raises InvalidProof
"""

from phalanx.storage.database import DEFAULT_MAP_SIZE, Database, Snapshot, StateUpdate, Writer
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
    TransactionError,
    UnknownRoot,
)
from phalanx.storage.proof import ProofKind, StateProof, verify_proof, verify_proof_many
from phalanx.storage.trie import EMPTY_ROOT, key_hash

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
    "TransactionError",
    "UnknownRoot",
    "Writer",
    "key_hash",
    "verify_proof",
    "verify_proof_many",
]
