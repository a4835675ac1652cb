"""Typed errors of the runtime: transaction validity (pool and block), block import, and dispatch.

Two families, kept apart on purpose:

- *Validity* errors (`CannotDecode`, `InvalidTransaction`, `UnknownTransaction`) say an extrinsic may
  not enter a block at all: nothing is charged. Their `reason` is Substrate's `InvalidTransaction` /
  `UnknownTransaction` variant name (BadProof, Stale, Future, Payment, ...), which the RPC layer puts
  into JSON-RPC error 1010 as "Invalid Transaction: <reason>: <message>".
- *Dispatch* errors (`DispatchFailure` and its subclasses, among them every module's errors) say a
  call ran and failed inside a block: the fee is kept, the nonce moves on, every other write of the
  call is rolled back and `System.ExtrinsicFailed` records the error.
"""

from __future__ import annotations

from typing import Any

from phalanx.errors import PhalanxError


class RuntimeError_(PhalanxError):
    """Base class of runtime errors (the trailing underscore keeps Python's builtin visible)."""

    module = "runtime"
    code = 0


# ----------------------------------------------------------------------------------------------------
# Transaction validity


class TransactionValidityError(RuntimeError_):
    """An extrinsic that may not be included; `reason` is the Substrate variant name."""

    code = 1
    reason: str = "Custom"

    def __init__(self, message: str = "", reason: str | None = None) -> None:
        if reason is not None:
            self.reason = reason
        super().__init__(message or self.reason)

    def rpc_text(self) -> str:
        """The `data` text of JSON-RPC error 1010, e.g. "Invalid Transaction: Stale: nonce 3 < 5"."""
        kind = "Invalid" if isinstance(self, InvalidTransaction) else "Unknown"
        return f"{kind} Transaction: {self.reason}: {self.message}"


class CannotDecode(TransactionValidityError):
    """The bytes are not a well-formed extrinsic (Substrate: "Could not decode")."""

    code = 2
    reason = "CannotDecode"

    def rpc_text(self) -> str:
        return f"Could not decode: {self.message}"


class InvalidTransaction(TransactionValidityError):
    """Substrate's `InvalidTransaction`: Call, Payment, Future, Stale, BadProof, AncientBirthBlock,
    ExhaustsResources, BadMandatory, MandatoryValidation, BadSigner."""

    code = 3
    reason = "Custom"


class UnknownTransaction(TransactionValidityError):
    """Substrate's `UnknownTransaction`: CannotLookup, NoUnsignedValidator."""

    code = 4
    reason = "CannotLookup"


REASON_CODES = {
    "Call": 0,
    "Payment": 1,
    "Future": 2,
    "Stale": 3,
    "BadProof": 4,
    "AncientBirthBlock": 5,
    "ExhaustsResources": 6,
    "Custom": 7,
    "BadMandatory": 8,
    "MandatoryValidation": 9,
    "BadSigner": 10,
}
"""Index of each reason in Substrate's `InvalidTransaction` enum (for SCALE-encoded validity answers)."""


# ----------------------------------------------------------------------------------------------------
# Blocks


class InvalidBlock(RuntimeError_):
    """A block that does not match its parent, its state root, its extrinsics root, or has a bad inherent."""

    code = 5


class UnknownBlock(RuntimeError_):
    """A block hash the chain does not know."""

    code = 6


class UnknownRuntimeApi(RuntimeError_):
    """`call()` with a method name the runtime does not implement, or with undecodable arguments."""

    code = 7


class GenesisError(RuntimeError_):
    """A chain spec whose genesis is inconsistent (allocations, keys)."""

    code = 8


# ----------------------------------------------------------------------------------------------------
# Dispatch


class DispatchFailure(RuntimeError_):
    """A call that failed inside a block. `dispatch_error()` is its `sp_runtime::DispatchError` value.

    Subclasses either name a fixed DispatchError variant (`variant`, `payload`) or are module errors
    (`ModuleError` below) whose pallet index and error index the module framework fills in.
    """

    code = 20
    variant: str = "Other"

    def dispatch_error(self) -> tuple[str, Any]:
        return (self.variant, None)


class BadOrigin(DispatchFailure):
    """The call needs another origin (e.g. root, or a signed account)."""

    code = 21
    variant = "BadOrigin"


class CannotLookup(DispatchFailure):
    """An address that cannot be resolved to an account (only `MultiAddress::Id` is supported)."""

    code = 22
    variant = "CannotLookup"


class ArithmeticOverflow(DispatchFailure):
    code = 23
    variant = "Arithmetic"

    def dispatch_error(self) -> tuple[str, Any]:
        return ("Arithmetic", ("Overflow", None))


class ModuleError(DispatchFailure):
    """An error declared by a module: `module` names it, `code` is its error index in the module.

    `pallet_index` is set when the module is declared. Encoded as
    `DispatchError::Module(ModuleError { index: pallet_index, error: [code, 0, 0, 0] })`.
    """

    code = 30
    variant = "Module"
    pallet_index: int = 0

    def dispatch_error(self) -> tuple[str, Any]:
        return ("Module", {"index": self.pallet_index, "error": bytes((self.code, 0, 0, 0))})
