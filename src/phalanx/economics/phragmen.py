"""Sequential Phragmén election of validators over nominations, in exact rationals.

The method (Phragmén 1894; as in Substrate's sp-npos-elections `seq_phragmen`, without the
optional balancing step): every voter carries a "load", starting at 0. In each round, the
candidate with the lowest score

    score(c) = (1 + sum over voters v backing c of stake(v) * load(v)) / approval_stake(c)

is elected; every voter backing it sets the load of that edge to score - load(v) and its own load
to score. After the last round each voter's stake is split over the elected targets it backs in
proportion to the loads of those edges.

All arithmetic uses `fractions.Fraction`, so it is exact and the same on every machine.
Ties are broken deterministically: among equal scores, the candidate listed first in
`candidates` wins. A candidate nobody backs (approval stake 0) is never elected, so fewer than
`to_elect` winners come back when there are not enough backed candidates. Targets that are not
candidates, and repeated targets, are ignored; a voter with zero stake counts for nothing.

Stake distribution in whole units: each voter's share to a winner is rounded down, and the
rounding remainder goes to the last of its elected targets (in the voter's target order), so the
shares sum exactly to its stake.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Generic, TypeVar

from phalanx.economics.errors import InvalidElection

AccountT = TypeVar("AccountT", bound=Hashable)


@dataclass(frozen=True)
class Backing(Generic[AccountT]):
    """Part of one voter's stake assigned to one winner."""

    who: AccountT
    value: int


@dataclass(frozen=True)
class Exposure(Generic[AccountT]):
    """What backs one winner: its own stake (a self-vote), the others', and the total."""

    total: int
    own: int
    others: tuple[Backing[AccountT], ...]


@dataclass(frozen=True)
class Assignment(Generic[AccountT]):
    """How one voter's stake is split over the winners it backs."""

    voter: AccountT
    distribution: tuple[Backing[AccountT], ...]


@dataclass(frozen=True)
class ElectionResult(Generic[AccountT]):
    """Winners in election order, each voter's assignment, and each winner's exposure."""

    winners: tuple[AccountT, ...]
    assignments: tuple[Assignment[AccountT], ...]
    exposures: dict[AccountT, Exposure[AccountT]]
    scores: tuple[Fraction, ...]


@dataclass
class _Voter(Generic[AccountT]):
    who: AccountT
    stake: int
    targets: list[AccountT]
    load: Fraction
    edge_loads: dict[AccountT, Fraction]


def elect(
    candidates: Sequence[AccountT],
    voters: Sequence[tuple[AccountT, int, Sequence[AccountT]]],
    to_elect: int,
) -> ElectionResult[AccountT]:
    """Elect up to `to_elect` of `candidates` by sequential Phragmén over `voters`.

    `voters` is a list of (voter, stake, targets). A validator's self-stake is a voter whose
    targets include itself. Raises `InvalidElection` for a negative stake or seat count, or for
    duplicate candidates or voters.
    """
    if to_elect < 0:
        raise InvalidElection(f"to_elect must not be negative, got {to_elect}")
    if len(set(candidates)) != len(candidates):
        raise InvalidElection("duplicate candidate")
    candidate_set = set(candidates)
    seen_voters: set[AccountT] = set()
    prepared: list[_Voter[AccountT]] = []
    approval: dict[AccountT, int] = dict.fromkeys(candidates, 0)
    for who, stake, targets in voters:
        if who in seen_voters:
            raise InvalidElection(f"duplicate voter {who!r}")
        seen_voters.add(who)
        if isinstance(stake, bool) or not isinstance(stake, int) or stake < 0:
            raise InvalidElection(f"stake of {who!r} must be a non-negative int")
        kept: list[AccountT] = []
        for target in targets:
            if target in candidate_set and target not in kept:
                kept.append(target)
        if stake == 0 or not kept:
            continue
        for target in kept:
            approval[target] += stake
        prepared.append(_Voter(who, stake, kept, Fraction(0), {}))

    backers: dict[AccountT, list[_Voter[AccountT]]] = {c: [] for c in candidates}
    for voter in prepared:
        for target in voter.targets:
            backers[target].append(voter)

    winners: list[AccountT] = []
    scores: list[Fraction] = []
    elected: set[AccountT] = set()
    for _ in range(min(to_elect, len(candidates))):
        best: AccountT | None = None
        best_score = Fraction(0)
        for candidate in candidates:
            if candidate in elected or approval[candidate] == 0:
                continue
            weighted_load = sum((v.stake * v.load for v in backers[candidate]), Fraction(0))
            score = (1 + weighted_load) / approval[candidate]
            if best is None or score < best_score:  # strict: the earlier candidate keeps a tie
                best, best_score = candidate, score
        if best is None:
            break
        winners.append(best)
        scores.append(best_score)
        elected.add(best)
        for voter in backers[best]:
            voter.edge_loads[best] = best_score - voter.load
            voter.load = best_score

    assignments = tuple(_assign(voter) for voter in prepared if voter.edge_loads)
    return ElectionResult(
        winners=tuple(winners),
        assignments=assignments,
        exposures=_exposures(winners, assignments),
        scores=tuple(scores),
    )


def _assign(voter: _Voter[AccountT]) -> Assignment[AccountT]:
    elected_targets = [t for t in voter.targets if t in voter.edge_loads]
    shares: list[Backing[AccountT]] = []
    given = 0
    for index, target in enumerate(elected_targets):
        if index == len(elected_targets) - 1:
            value = voter.stake - given
        else:
            exact = voter.stake * voter.edge_loads[target] / voter.load
            value = exact.numerator // exact.denominator
        given += value
        shares.append(Backing(target, value))
    return Assignment(voter.who, tuple(shares))


def _exposures(
    winners: Sequence[AccountT], assignments: Sequence[Assignment[AccountT]]
) -> dict[AccountT, Exposure[AccountT]]:
    own: dict[AccountT, int] = dict.fromkeys(winners, 0)
    others: dict[AccountT, list[Backing[AccountT]]] = {w: [] for w in winners}
    for assignment in assignments:
        for share in assignment.distribution:
            if share.who == assignment.voter:
                own[share.who] += share.value
            elif share.value > 0:
                others[share.who].append(Backing(assignment.voter, share.value))
    return {
        w: Exposure(total=own[w] + sum(b.value for b in others[w]), own=own[w], others=tuple(others[w]))
        for w in winners
    }
