"""Conviction voting and adaptive quorum biasing, in integers (after Substrate's democracy).

A vote locks `balance` for `lock_periods(conviction)` voting periods after the referendum ends and
counts `balance * multiplier` (None: balance / 10, no lock):

    conviction  None  1x  2x  3x  4x  5x  6x
    votes       0.1x  1x  2x  3x  4x  5x  6x
    lock        0     1   2   4   8   16  32  periods

A tally sums conviction-weighted ayes and nays, and the turnout (capital without conviction).
Whether it passes depends on the referendum's threshold (adaptive quorum biasing):

    SuperMajorityApprove:  nays / sqrt(turnout)    < ayes / sqrt(electorate)
    SuperMajorityAgainst:  nays / sqrt(electorate) < ayes / sqrt(turnout)
    SimpleMajority:        ayes > nays

Square roots are integer square roots (rounded down) and the comparisons are exact, by
cross-multiplying, as in Substrate. A tally with zero turnout (or a zero electorate) never passes.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from math import isqrt

from phalanx.economics.errors import InvalidVote


class Conviction(enum.IntEnum):
    """How strongly a voter backs its vote; the value is the SCALE index used on the wire."""

    NONE = 0
    LOCKED_1X = 1
    LOCKED_2X = 2
    LOCKED_3X = 3
    LOCKED_4X = 4
    LOCKED_5X = 5
    LOCKED_6X = 6

    def lock_periods(self) -> int:
        """Voting periods the balance stays locked after the referendum (0, 1, 2, 4, ..., 32)."""
        return 0 if self is Conviction.NONE else 1 << (self.value - 1)

    def votes(self, balance: int) -> int:
        """Conviction-weighted votes for `balance` (None: a tenth, rounded down)."""
        _check_balance(balance)
        return balance // 10 if self is Conviction.NONE else balance * self.value

    def lock_duration(self, voting_period_blocks: int) -> int:
        """Lock length in blocks for a given voting (enactment) period."""
        if voting_period_blocks < 0:
            raise InvalidVote("voting period must not be negative")
        return self.lock_periods() * voting_period_blocks


def _check_balance(balance: int) -> None:
    if isinstance(balance, bool) or not isinstance(balance, int) or balance < 0:
        raise InvalidVote(f"a vote's balance must be a non-negative int, got {balance!r}")


@dataclass(frozen=True)
class Vote:
    """A standard vote: aye or nay, with a conviction, backed by `balance` planck."""

    aye: bool
    conviction: Conviction
    balance: int

    def __post_init__(self) -> None:
        _check_balance(self.balance)
        if not isinstance(self.conviction, Conviction):
            raise InvalidVote(f"unknown conviction {self.conviction!r}")


@dataclass(frozen=True)
class Tally:
    """Running totals of a referendum: weighted ayes and nays, and the raw turnout."""

    ayes: int = 0
    nays: int = 0
    turnout: int = 0

    def __post_init__(self) -> None:
        for value in (self.ayes, self.nays, self.turnout):
            _check_balance(value)

    def add(self, vote: Vote) -> Tally:
        votes = vote.conviction.votes(vote.balance)
        if vote.aye:
            return Tally(self.ayes + votes, self.nays, self.turnout + vote.balance)
        return Tally(self.ayes, self.nays + votes, self.turnout + vote.balance)

    def remove(self, vote: Vote) -> Tally:
        """Undo `add(vote)` (a vote changed or withdrawn); raises `InvalidVote` if it was not in."""
        votes = vote.conviction.votes(vote.balance)
        ayes = self.ayes - votes if vote.aye else self.ayes
        nays = self.nays if vote.aye else self.nays - votes
        turnout = self.turnout - vote.balance
        if min(ayes, nays, turnout) < 0:
            raise InvalidVote("removing a vote that is not part of the tally")
        return Tally(ayes, nays, turnout)


def compute_tally(votes: Iterable[Vote]) -> Tally:
    tally = Tally()
    for vote in votes:
        tally = tally.add(vote)
    return tally


def _less_than(n1: int, d1: int, n2: int, d2: int) -> bool:
    """n1/d1 < n2/d2 for non-negative integers with positive denominators, exactly."""
    return n1 * d2 < n2 * d1


class VoteThreshold(enum.IntEnum):
    """Adaptive quorum biasing; the value is the SCALE index used on the wire."""

    SUPER_MAJORITY_APPROVE = 0
    SUPER_MAJORITY_AGAINST = 1
    SIMPLE_MAJORITY = 2

    def is_approved(self, tally: Tally, electorate: int) -> bool:
        """Whether `tally` passes this threshold given the total issuance `electorate`."""
        _check_balance(electorate)
        sqrt_voters = isqrt(tally.turnout)
        sqrt_electorate = isqrt(electorate)
        if sqrt_voters == 0 or sqrt_electorate == 0:
            return False
        if self is VoteThreshold.SIMPLE_MAJORITY:
            return tally.ayes > tally.nays
        if self is VoteThreshold.SUPER_MAJORITY_APPROVE:
            return _less_than(tally.nays, sqrt_voters, tally.ayes, sqrt_electorate)
        return _less_than(tally.nays, sqrt_electorate, tally.ayes, sqrt_voters)
