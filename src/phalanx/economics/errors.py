"""Typed errors of the economics math (module "economics").

Codes are fixed per condition and never reused.
"""

from __future__ import annotations

from phalanx.errors import PhalanxError


class EconomicsError(PhalanxError):
    """Base of every error raised by `phalanx.economics`."""

    module = "economics"
    code = 0


class FixedPointOverflow(EconomicsError):
    """A fixed-point result does not fit its type's range."""

    code = 1


class DivisionByZero(EconomicsError):
    """A fixed-point or rational division had a zero divisor."""

    code = 2


class InvalidFraction(EconomicsError):
    """A per-thing was built from a value outside [0, 1] or a negative number was given."""

    code = 3


class InvalidParameters(EconomicsError):
    """Economic parameters (inflation curve, mining model) fail their sanity checks."""

    code = 4


class InvalidElection(EconomicsError):
    """An election was asked with inconsistent input (negative stake, negative seat count)."""

    code = 5


class InvalidVote(EconomicsError):
    """A vote or tally was built with a negative balance or an unknown conviction."""

    code = 6
