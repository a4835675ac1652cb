"""Typed errors of the enclave runtime (module "enclave"): what a lying host or a bad client is told.

Every refusal leaves the enclave state unchanged. Codes are fixed per condition, never reused.
The base and the errors raised on the wire formats themselves (`MalformedInput` 1, `InvalidQuery`
10) are defined in `phalanx.wire.errors`, below the enclave, and re-exported here.
"""

from __future__ import annotations

from phalanx.wire.errors import EnclaveError, InvalidQuery, MalformedInput

__all__ = [
    "AppHashMismatch", "BlockNotLinked", "BlockReplayed", "BlockSkipped", "ContractNotHosted", "EnclaveError",
    "InvalidChainData", "InvalidFinality", "InvalidQuery", "InvalidSealedState", "InvalidStateProof",
    "MalformedInput", "MissingStateProof", "NotInitialized", "QueryReplayed", "StateMismatch",
]  # fmt: skip


class BlockReplayed(EnclaveError):
    """The block's number is at or below the last block the enclave applied."""

    code = 2


class BlockSkipped(EnclaveError):
    """The block's number skips ahead: the blocks in between must be fed first, in order."""

    code = 3


class BlockNotLinked(EnclaveError):
    """The block's parent hash is not the hash of the last block the enclave applied (another fork)."""

    code = 4


class InvalidFinality(EnclaveError):
    """The finality proof does not show that the block is final (forged, wrong signer, too little power)."""

    code = 5


class MissingStateProof(EnclaveError):
    """The proof bundle lacks a proof for a storage key the enclave must read."""

    code = 6


class InvalidStateProof(EnclaveError):
    """A state proof does not lead to the block's state root for the claimed value."""

    code = 7


class InvalidChainData(EnclaveError):
    """Proven chain state does not decode: the runtime and the enclave disagree on a format."""

    code = 8


class NotInitialized(EnclaveError):
    """The enclave has no chain trust root yet (send Init first), or already has another one."""

    code = 9


class QueryReplayed(EnclaveError):
    """A query's nonce was seen already, or its timestamp is outside the accepted window."""

    code = 11


class ContractNotHosted(EnclaveError):
    """This worker does not run the contract (not assigned, or its key has not arrived yet)."""

    code = 12


class InvalidSealedState(EnclaveError):
    """A sealed state opened but does not decode as a state of this enclave (another identity, bad form)."""

    code = 13


class AppHashMismatch(EnclaveError):
    """The CometBFT header that finalizes a block commits another app hash than the block's state root."""

    code = 14


class StateMismatch(EnclaveError):
    """Proven chain state contradicts the header (System.Number or System.ParentHash differ)."""

    code = 15
