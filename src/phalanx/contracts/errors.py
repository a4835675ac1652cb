"""Typed errors of the contract SDK and the built-in contracts (module "contracts").

A contract raises one of these when a command or query is refused; the command then changed
nothing. Codes are fixed per condition and never reused. Any other exception escaping a contract
is a bug in that contract, not a refusal.
"""

from __future__ import annotations

from phalanx.errors import PhalanxError


class ContractError(PhalanxError):
    """Base of every error raised by `phalanx.contracts`."""

    module = "contracts"
    code = 0


class BadCommand(ContractError):
    """A command's bytes do not decode as one of the contract's commands."""

    code = 1


class BadQuery(ContractError):
    """A query's bytes do not decode as one of the contract's queries."""

    code = 2


class BadOrigin(ContractError):
    """A command came from the wrong kind of origin (a user sent a chain-only command, or the reverse)."""

    code = 3


class Unauthorized(ContractError):
    """The origin may not read what it asked for (e.g. another account's private balance)."""

    code = 4


class InsufficientBalance(ContractError):
    """The origin's private balance is lower than the amount it tried to spend."""

    code = 5


class InvalidAmount(ContractError):
    """An amount was zero, or would push a total beyond the range of a u128."""

    code = 6


class MemoTooLong(ContractError):
    """A transfer memo is longer than the contract keeps."""

    code = 7


class BadSnapshot(ContractError):
    """Snapshot bytes do not decode as a valid, canonical state of this contract."""

    code = 8


class InvalidContext(ContractError):
    """A block context was built with a wrong-length id or hash, or a negative number."""

    code = 9


class UnknownBuiltin(ContractError):
    """No built-in contract has the given name or id."""

    code = 10


class InvariantViolation(ContractError):
    """A contract's state broke one of its invariants: a bug, never a user's fault."""

    code = 11


class BadEffect(ContractError):
    """Egress effect bytes do not decode, or an effect was built with invalid fields."""

    code = 12
