"""Democracy through the runtime: proposals, conviction votes, quorum biasing, enactment, vote locks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from phalanx.economics.voting import Conviction, Tally, VoteThreshold
from phalanx.runtime.assembly import CALLS
from phalanx.runtime.modules.balances import declarations as balances_d
from phalanx.runtime.modules.democracy import declarations as d
from phalanx.runtime.modules.democracy.logic import encode_vote
from phalanx.runtime.modules.staking import declarations as staking_d
from tests.support.economics_chain import KEYS, PHA, EconChain, account, open_chain, spec
from tests.support.runtime_testchain import assert_noop

UNIT = 10**6 * PHA
PERIODS = {
    "launch_period": 2,
    "voting_period": 4,
    "enactment_period": 2,
    "vote_locking_period": 3,
    "minimum_deposit": 10 * PHA,
}


@pytest.fixture
def chain() -> Iterator[EconChain]:
    balances = {
        "Alice": 101 * UNIT,
        "Bob": 51 * UNIT,
        "Charlie": 1_000 * PHA,
        "Dave": 1_000 * PHA,
        "Eve": 1_000 * PHA,
    }
    c, db = open_chain(spec(balances, 210 * UNIT, session_length=100_000, democracy=PERIODS, sudo=False))
    yield c
    db.close()


def set_count(n: int) -> object:
    return CALLS.call("Staking", "set_validator_count", new=n)


def vote(c: EconChain, who: str, ref: int, aye: bool, conviction: Conviction, balance: int) -> bytes:
    return c.submit(
        who,
        "Democracy",
        "vote",
        ref_index=ref,
        vote=("Standard", {"vote": encode_vote(aye, conviction), "balance": balance}),
    )


def lock_of(c: EconChain, who: str) -> int:
    locks = balances_d.Locks.get(c.state(), account(who))
    return next((lk.amount for lk in locks if lk.id == d.DEMOCRACY_LOCK), 0)


def run_to(c: EconChain, number: int) -> None:
    while c.rt.best_number() < number:
        c.block()


def test_tally_examples_of_the_design() -> None:
    assert not VoteThreshold.SUPER_MAJORITY_APPROVE.is_approved(Tally(60, 50, 110), 210)
    assert VoteThreshold.SUPER_MAJORITY_APPROVE.is_approved(Tally(100, 50, 150), 210)


def test_referenda_decide_by_adaptive_quorum_and_enact_after_the_delay(chain: EconChain) -> None:
    default_count = staking_d.ValidatorCount.get(chain.state())
    chain.block(
        [
            chain.submit("Charlie", "Democracy", "propose", proposal=set_count(3), value=20 * PHA),
            chain.submit("Dave", "Democracy", "propose", proposal=set_count(7), value=10 * PHA),
        ]
    )
    assert chain.last_failures == []
    chain.block(
        [chain.submit("Eve", "Democracy", "second", proposal=0)]
    )  # block 2: #0 launched (best backed)
    assert ("Democracy", "Started") in chain.events()
    assert d.DepositOf.get(chain.state(), 0) is None  # deposits returned at launch
    chain.block(
        [
            vote(chain, "Alice", 0, True, Conviction.LOCKED_1X, 60 * UNIT),
            vote(chain, "Bob", 0, False, Conviction.LOCKED_1X, 50 * UNIT),
        ]
    )
    info = d.ReferendumInfoOf.get(chain.state(), 0)
    assert info[1]["tally"] == Tally(ayes=60 * UNIT, nays=50 * UNIT, turnout=110 * UNIT)
    chain.block()  # block 4: #1 launched as referendum 1
    chain.block(
        [
            vote(chain, "Alice", 1, True, Conviction.LOCKED_1X, 100 * UNIT),
            vote(chain, "Bob", 1, False, Conviction.LOCKED_1X, 50 * UNIT),
        ]
    )
    run_to(chain, 6)  # referendum 0 ends: 60/50 of 110 turnout in an electorate of 210 is not enough
    assert ("Democracy", "NotPassed") in chain.events()
    run_to(chain, 8)  # referendum 1 ends: 100/50 of 150 passes
    assert ("Democracy", "Passed") in chain.events()
    run_to(chain, 9)
    assert staking_d.ValidatorCount.get(chain.state()) == default_count  # enactment delay not over
    run_to(chain, 10)
    executed = [e.fields for e in chain.rt.events() if e.name == "Executed"]
    assert executed == [{"ref_index": 1, "result": ("Ok", ())}]
    assert staking_d.ValidatorCount.get(chain.state()) == 7  # referendum 0's call never ran


def test_signed_accounts_cannot_call_root_setters(chain: EconChain) -> None:
    assert_noop(chain, KEYS["Alice"], chain.call("Staking", "set_validator_count", new=1), "BadOrigin")
    assert staking_d.ValidatorCount.get(chain.state()) != 1


def test_conviction_locks_hold_for_their_periods(chain: EconChain) -> None:
    chain.block([chain.submit("Charlie", "Democracy", "propose", proposal=set_count(5), value=10 * PHA)])
    chain.block()  # block 2: referendum 0, ends at block 6
    chain.block(
        [
            vote(chain, "Dave", 0, True, Conviction.NONE, 500 * PHA),
            vote(chain, "Eve", 0, True, Conviction.LOCKED_2X, 400 * PHA),
        ]
    )
    assert (lock_of(chain, "Dave"), lock_of(chain, "Eve")) == (500 * PHA, 400 * PHA)
    # locked votes cannot be spent while they count
    spend = chain.call("Balances", "transfer_keep_alive", dest=("Id", account("Bob")), value=700 * PHA)
    assert_noop(chain, KEYS["Eve"], spend, balances_d.LiquidityRestrictions)
    run_to(chain, 6)

    def unlock_both() -> None:
        chain.block(
            [
                chain.submit("Dave", "Democracy", "unlock", target=("Id", account("Dave"))),
                chain.submit("Eve", "Democracy", "unlock", target=("Id", account("Eve"))),
            ]
        )

    unlock_both()  # 0.1x: free once the referendum is over; 2x: two periods of 3 blocks after block 6
    assert (lock_of(chain, "Dave"), lock_of(chain, "Eve")) == (0, 400 * PHA)
    run_to(chain, 10)
    unlock_both()  # block 11 < 12
    assert lock_of(chain, "Eve") == 400 * PHA
    unlock_both()  # block 12
    assert lock_of(chain, "Eve") == 0
    assert d.VotingOf.get(chain.state(), account("Eve")) == []


def test_six_x_locks_thirty_two_periods(chain: EconChain) -> None:
    chain.block([chain.submit("Charlie", "Democracy", "propose", proposal=set_count(5), value=10 * PHA)])
    chain.block()
    chain.block([vote(chain, "Dave", 0, False, Conviction.LOCKED_6X, 100 * PHA)])
    end = 6 + 32 * 3
    run_to(chain, end - 2)
    chain.block([chain.submit("Charlie", "Democracy", "unlock", target=("Id", account("Dave")))])  # end - 1
    assert lock_of(chain, "Dave") == 100 * PHA
    chain.block([chain.submit("Charlie", "Democracy", "unlock", target=("Id", account("Dave")))])  # end
    assert lock_of(chain, "Dave") == 0


def test_proposals_need_the_minimum_deposit_and_funds(chain: EconChain) -> None:
    propose = chain.call("Democracy", "propose", proposal=set_count(5), value=PHA)
    assert_noop(chain, KEYS["Charlie"], propose, d.ValueLow)
    assert_noop(chain, KEYS["Charlie"], chain.call("Democracy", "second", proposal=9), d.ProposalMissing)
    assert d.PublicProps.get(chain.state()) == []
