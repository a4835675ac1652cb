"""Typed errors of the storage layer: the LMDB store, the state trie and its proofs.

Every error has the module "storage" and a code fixed per condition. Proof errors form their own
branch: `ProofError` > `InvalidProof` > `MalformedProof`, so a caller that verifies proofs from an
untrusted source catches `InvalidProof` and is sure to see every refusal, garbage bytes included.
"""

from __future__ import annotations

from phalanx.errors import PhalanxError


class StorageError(PhalanxError):
    """Base class of every storage error."""

    module = "storage"
    code = 0


class DatabaseClosed(StorageError):
    """The database was used after `close()`."""

    code = 1


class UnknownRoot(StorageError):
    """A state root was asked for that this store never committed (or has not yet committed)."""

    code = 2


class StateRootMismatch(StorageError):
    """A state change was applied on top of a root that is not the store's current state root."""

    code = 3



class InvalidTableName(StorageError):
    """A table name is empty, too long, reserved, or has characters outside [a-z0-9_.-]."""

    code = 5


class CorruptStore(StorageError):
    """A stored record does not have the shape this code writes: the store is damaged or foreign."""

    code = 6


class InvalidKey(StorageError):
    """A storage key is empty or longer than the store accepts (511 bytes)."""

    code = 7


class StoreFull(StorageError):
    """The store could not grow its map any further to hold a write."""

    code = 8


class ProofError(StorageError):
    """Base class of state-proof errors."""

    code = 10


class InvalidProof(ProofError):
    """A proof does not show that the key maps to the value (or is absent) under the root."""

    code = 11


class MalformedProof(InvalidProof):
    """Proof bytes or fields do not follow the proof format (length, depth, bitmap, kind)."""

    code = 12
