"""Conviction voting and adaptive quorum biasing (Substrate democracy's vectors and more)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phalanx.economics.errors import InvalidVote
from phalanx.economics.voting import Conviction, Tally, Vote, VoteThreshold, compute_tally

APPROVE = VoteThreshold.SUPER_MAJORITY_APPROVE
AGAINST = VoteThreshold.SUPER_MAJORITY_AGAINST
SIMPLE = VoteThreshold.SIMPLE_MAJORITY


def test_conviction_multipliers_and_locks() -> None:
    assert [c.votes(100) for c in Conviction] == [10, 100, 200, 300, 400, 500, 600]
    assert [c.lock_periods() for c in Conviction] == [0, 1, 2, 4, 8, 16, 32]
    assert Conviction.NONE.votes(9) == 0  # a tenth, rounded down
    assert Conviction.LOCKED_3X.lock_duration(100_800) == 4 * 100_800
    with pytest.raises(InvalidVote):
        Conviction.LOCKED_1X.votes(-1)


def test_tally_weighs_votes_but_counts_raw_turnout() -> None:
    votes = [
        Vote(True, Conviction.LOCKED_2X, 10),
        Vote(False, Conviction.NONE, 50),
        Vote(True, Conviction.LOCKED_1X, 5),
    ]
    tally = compute_tally(votes)
    assert tally == Tally(ayes=25, nays=5, turnout=65)
    assert tally.remove(votes[1]) == Tally(ayes=25, nays=0, turnout=15)
    with pytest.raises(InvalidVote):
        Tally().remove(votes[0])


def test_super_majority_approve_substrate_vectors() -> None:
    # sqrt(110) = 10, sqrt(210) = 14: 50/10 < 60/14 is false.
    assert not APPROVE.is_approved(Tally(ayes=60, nays=50, turnout=110), 210)
    # sqrt(150) = 12: 50/12 < 100/14 is true.
    assert APPROVE.is_approved(Tally(ayes=100, nays=50, turnout=150), 210)


def test_super_majority_against() -> None:
    # 50/sqrt(210)=50/14 < 60/sqrt(110)=60/10: passes.
    assert AGAINST.is_approved(Tally(ayes=60, nays=50, turnout=110), 210)
    # 100/14 < 50/12 is false.
    assert not AGAINST.is_approved(Tally(ayes=50, nays=100, turnout=150), 210)
    # Low turnout biases towards approval: ayes below nays still pass (50/31 < 40/9) ...
    assert AGAINST.is_approved(Tally(ayes=40, nays=50, turnout=90), 1000)
    # ... while the same tally fails a super-majority approve (50/9 < 40/31 is false).
    assert not APPROVE.is_approved(Tally(ayes=40, nays=50, turnout=90), 1000)


def test_full_turnout_reduces_both_to_a_majority() -> None:
    for threshold in (APPROVE, AGAINST, SIMPLE):
        assert threshold.is_approved(Tally(ayes=51, nays=49, turnout=100), 100)
        assert not threshold.is_approved(Tally(ayes=50, nays=50, turnout=100), 100)


def test_simple_majority_and_no_turnout() -> None:
    assert SIMPLE.is_approved(Tally(ayes=3, nays=2, turnout=5), 10**6)
    assert not SIMPLE.is_approved(Tally(ayes=2, nays=2, turnout=4), 10**6)
    for threshold in VoteThreshold:
        assert not threshold.is_approved(Tally(), 1000)


def test_exact_comparison_on_huge_balances() -> None:
    # Balances far beyond 2**64: the comparison is exact (cross-multiplication on Python ints).
    electorate = 10**30
    turnout = 10**28
    tally = Tally(ayes=10 * 10**27 + 1, nays=10**27, turnout=turnout)
    # nays/1e14 < ayes/1e15  <=>  10 * nays < ayes
    assert APPROVE.is_approved(tally, electorate)
    assert not APPROVE.is_approved(Tally(ayes=10 * 10**27, nays=10**27, turnout=turnout), electorate)


TALLIES = st.builds(Tally, st.integers(0, 10**24), st.integers(0, 10**24), st.integers(0, 10**24))


@given(TALLIES, st.integers(1, 10**25), st.integers(1, 10**20))
def test_more_ayes_never_hurt(tally: Tally, electorate: int, extra: int) -> None:
    more = Tally(tally.ayes + extra, tally.nays, tally.turnout)
    for threshold in VoteThreshold:
        if threshold.is_approved(tally, electorate):
            assert threshold.is_approved(more, electorate)


@given(TALLIES, st.integers(1, 10**25))
def test_against_is_easier_than_approve_when_turnout_is_below_electorate(
    tally: Tally, electorate: int
) -> None:
    if tally.turnout <= electorate and APPROVE.is_approved(tally, electorate):
        assert AGAINST.is_approved(tally, electorate)
