"""Sequential Phragmén on hand-worked examples, edge cases and random elections."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phalanx.economics.errors import InvalidElection
from phalanx.economics.phragmen import Backing, elect


def distribution(result: object, voter: object) -> dict[object, int]:
    for assignment in result.assignments:  # type: ignore[attr-defined]
        if assignment.voter == voter:
            return {b.who: b.value for b in assignment.distribution}
    return {}


def test_substrate_poc_example() -> None:
    """Substrate's `phragmen_poc_works`: candidates 1, 2, 3; voters 10 [1,2], 20 [1,3], 30 [2,3].

    By hand: approval stakes 1: 30, 2: 40, 3: 50.
    Round 1 scores 1/30, 1/40, 1/50: 3 wins at 1/50; voters 20 and 30 get load 1/50.
    Round 2: 1: (1 + 20/50)/30 = 7/150; 2: (1 + 30/50)/40 = 1/25; 2 wins at 1/25.
    Voter 10 puts all on 2; voter 20 all on 3; voter 30 splits by edge loads 1/50 : 1/50.
    """
    result = elect([1, 2, 3], [(10, 10, [1, 2]), (20, 20, [1, 3]), (30, 30, [2, 3])], 2)
    assert result.winners == (3, 2)
    assert result.scores == (Fraction(1, 50), Fraction(1, 25))
    assert distribution(result, 10) == {2: 10}
    assert distribution(result, 20) == {3: 20}
    assert distribution(result, 30) == {2: 15, 3: 15}
    assert result.exposures[2].total == 25
    assert result.exposures[3].total == 35
    assert result.exposures[3].others == (Backing(20, 20), Backing(30, 15))


def test_three_seats_with_uneven_split() -> None:
    """Voters v1 30 [X, Y], v2 20 [Y, Z], v3 10 [X, Z]; three seats.

    Round 1: approvals X 40, Y 50, Z 30: Y at 1/50 (v1, v2 load 1/50).
    Round 2: X (1 + 30/50)/40 = 1/25, Z (1 + 20/50)/30 = 7/150: X at 1/25;
             v1 edge X 1/50, load 1/25; v3 edge X 1/25, load 1/25.
    Round 3: Z (1 + 20/50 + 10/25)/30 = 3/50; v2 edge Z 2/50; v3 edge Z 1/50.
    Stakes: v1 X 15 / Y 15; v2 Y floor(20/3) = 6, Z the rest 14; v3 X floor(20/3) = 6, Z 4.
    """
    voters = [("v1", 30, ["X", "Y"]), ("v2", 20, ["Y", "Z"]), ("v3", 10, ["X", "Z"])]
    result = elect(["X", "Y", "Z"], voters, 3)
    assert result.winners == ("Y", "X", "Z")
    assert result.scores == (Fraction(1, 50), Fraction(1, 25), Fraction(3, 50))
    assert distribution(result, "v1") == {"X": 15, "Y": 15}
    assert distribution(result, "v2") == {"Y": 6, "Z": 14}
    assert distribution(result, "v3") == {"X": 6, "Z": 4}
    assert {w: e.total for w, e in result.exposures.items()} == {"X": 21, "Y": 21, "Z": 18}


def test_ties_go_to_the_earlier_candidate_and_self_stake_is_own() -> None:
    """A, B, C with self-stakes 100, 80, 60; n1 50 [A, C], n2 40 [B, C]; two seats.

    Approvals A 150, B 120, C 150: A and C tie at 1/150 and A, listed first, wins.
    Round 2: B 1/120 beats C (1 + 50/150)/150 = 4/450.
    """
    voters = [
        ("A", 100, ["A"]),
        ("B", 80, ["B"]),
        ("C", 60, ["C"]),
        ("n1", 50, ["A", "C"]),
        ("n2", 40, ["B", "C"]),
    ]
    result = elect(["A", "B", "C"], voters, 2)
    assert result.winners == ("A", "B")
    assert result.exposures["A"].own == 100
    assert result.exposures["A"].others == (Backing("n1", 50),)
    assert result.exposures["B"].total == 120
    assert distribution(result, "C") == {}
    # Listing C first flips the tie: C wins round 1, loading C, n1 and n2 with 1/150; then
    # A (1 + 50/150)/150 = 4/450 beats B (1 + 40/150)/120 = 19/1800.
    flipped = elect(["C", "A", "B"], voters, 2)
    assert flipped.winners == ("C", "A")
    assert flipped.scores == (Fraction(1, 150), Fraction(4, 450))


def test_self_votes_only_elect_the_largest_stakes() -> None:
    voters = [(name, stake, [name]) for name, stake in [("a", 10), ("b", 40), ("c", 30), ("d", 20)]]
    result = elect(["a", "b", "c", "d"], voters, 3)
    assert result.winners == ("b", "c", "d")
    assert all(result.exposures[w].own == result.exposures[w].total for w in result.winners)


def test_no_voters_elects_nobody() -> None:
    result = elect([1, 2, 3], [], 2)
    assert result.winners == () and result.assignments == () and result.exposures == {}


def test_more_seats_than_candidates() -> None:
    result = elect([1, 2], [(10, 5, [1]), (20, 7, [1, 2])], 5)
    assert set(result.winners) == {1, 2}
    assert sum(e.total for e in result.exposures.values()) == 12


def test_unbacked_candidates_and_unknown_targets_are_ignored() -> None:
    result = elect([1, 2, 3], [(10, 5, [1, 99, 1]), (20, 0, [2])], 3)
    assert result.winners == (1,)
    assert distribution(result, 10) == {1: 5}


def test_zero_seats() -> None:
    assert elect([1], [(10, 5, [1])], 0).winners == ()


@pytest.mark.parametrize(
    ("candidates", "voters", "to_elect"),
    [
        ([1, 1], [], 1),
        ([1], [(10, 5, [1]), (10, 6, [1])], 1),
        ([1], [(10, -5, [1])], 1),
        ([1], [], -1),
    ],
)
def test_bad_input_is_refused(
    candidates: list[int], voters: list[tuple[int, int, list[int]]], to_elect: int
) -> None:
    with pytest.raises(InvalidElection):
        elect(candidates, voters, to_elect)


ELECTIONS = st.integers(1, 6).flatmap(
    lambda n: st.tuples(
        st.just(list(range(n))),
        st.lists(
            st.tuples(st.integers(0, 10**6), st.lists(st.integers(0, n + 1), max_size=4)),
            max_size=8,
        ),
        st.integers(0, n + 1),
    )
)


@given(ELECTIONS)
@settings(max_examples=150)
def test_random_elections_conserve_stake(case: tuple[list[int], list[tuple[int, list[int]]], int]) -> None:
    candidates, raw_voters, to_elect = case
    voters = [(100 + i, stake, targets) for i, (stake, targets) in enumerate(raw_voters)]
    result = elect(candidates, voters, to_elect)
    assert len(set(result.winners)) == len(result.winners) <= to_elect
    assert list(result.scores) == sorted(result.scores)
    stakes = {who: stake for who, stake, _ in voters}
    for assignment in result.assignments:
        assert sum(b.value for b in assignment.distribution) == stakes[assignment.voter]
        assert all(b.value >= 0 and b.who in result.winners for b in assignment.distribution)
    assigned = sum(stakes[a.voter] for a in result.assignments)
    assert sum(e.total for e in result.exposures.values()) == assigned
    assert elect(candidates, voters, to_elect) == result
