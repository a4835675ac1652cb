"""Staking through the runtime: inflation at the design's ratios, a year of payouts, Phragmén, bonds."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

import pytest

from phalanx.economics.inflation import MILLISECONDS_PER_YEAR, compute_era_payout
from phalanx.economics.phragmen import elect
from phalanx.runtime.modules import session
from phalanx.runtime.modules.balances import declarations as balances_d
from phalanx.runtime.modules.staking import Staker, hooks
from phalanx.runtime.modules.staking import declarations as d
from tests.support.economics_chain import KEYS, PHA, EconChain, account, open_chain, spec
from tests.support.runtime_testchain import assert_noop

TOTAL = 10**9 * PHA


@pytest.fixture
def chains() -> Iterator[list[object]]:
    opened: list[object] = []
    yield opened
    for db in opened:
        db.close()  # type: ignore[attr-defined]


def staked_chain(chains: list[object], staked: int, **kw: object) -> EconChain:
    stakers = [Staker(account("Alice"), staked)]
    chain, db = open_chain(spec({"Alice": 700_000_000 * PHA}, TOTAL, stakers=stakers, **kw))  # type: ignore[arg-type]
    chains.append(db)
    return chain


@pytest.mark.parametrize(
    ("percent_staked", "expected"),
    [(20, Fraction(1875, 10000)), (40, Fraction(125, 1000)), (50, Fraction(625, 10000))],
)
def test_staker_return_through_the_runtime(
    chains: list[object], percent_staked: int, expected: Fraction
) -> None:
    chain = staked_chain(chains, TOTAL * percent_staked // 100)
    chain.block()  # era 0 starts its clock here
    chain.now += MILLISECONDS_PER_YEAR // 12 - 6000
    chain.block()
    chain.block()  # era boundary: payout of era 0 fixed
    paid = next(e.fields for e in chain.rt.events() if e.name == "EraPaid")
    duration = MILLISECONDS_PER_YEAR // 12
    assert paid["validator_payout"] == compute_era_payout(TOTAL * percent_staked // 100, TOTAL, duration)[0]
    yearly_return = Fraction(paid["validator_payout"] * 12, TOTAL * percent_staked // 100)
    assert abs(yearly_return - expected) < Fraction(1, 10**12)


def test_sixty_percent_staked_returns_about_4_43_percent(chains: list[object]) -> None:
    chain = staked_chain(chains, TOTAL * 60 // 100)
    chain.block()
    chain.now += MILLISECONDS_PER_YEAR // 12 - 6000
    chain.block()
    chain.block()
    paid = next(e.fields for e in chain.rt.events() if e.name == "EraPaid")
    yearly_return = Fraction(paid["validator_payout"] * 12, TOTAL * 60 // 100)
    assert abs(yearly_return - Fraction(443, 10000)) < Fraction(1, 10000)
    # above the ideal, what the curve's maximum would have paid beyond the stakers goes to the treasury
    assert paid["remainder"] > 0


def test_a_year_of_eras_at_40_percent_pays_stakers_12_5_percent(chains: list[object]) -> None:
    staked = TOTAL * 40 // 100
    stakers = [
        Staker(account("Alice"), staked * 3 // 4, commission=50_000_000),
        Staker(account("Bob"), staked // 4, "nominator", (account("Alice"),)),
    ]
    chain, db = open_chain(
        spec(
            {"Alice": 500_000_000 * PHA, "Bob": 101_000_000 * PHA, "Charlie": 1_000 * PHA},
            TOTAL,
            stakers=stakers,
        )
    )
    chains.append(db)
    chain.block()
    start = chain.now
    for k in range(12):  # every era exactly a twelfth of a year; issuance unchanged until claimed
        chain.now = start + (k + 1) * (MILLISECONDS_PER_YEAR // 12) - 6000
        chain.block()
        chain.block()
        paid = next(e.fields for e in chain.rt.events() if e.name == "EraPaid")
        assert paid["remainder"] == 0  # at the ideal ratio stakers get the curve's maximum
    nonce = chain.rt.account_nonce(account("Charlie"))
    claims = [
        chain.sign(
            KEYS["Charlie"],
            chain.call("Staking", "payout_stakers", validator_stash=account("Alice"), era=era),
            nonce + era,
        )
        for era in range(12)
    ]
    chain.block(claims)
    rewarded = [e.fields for e in chain.rt.events() if e.name == "Rewarded"]
    assert len(rewarded) == 24
    total_paid = sum(r["amount"] for r in rewarded)
    assert abs(Fraction(total_paid, staked) - Fraction(125, 1000)) < Fraction(1, 10**12)
    bob = sum(r["amount"] for r in rewarded if r["stash"] == account("Bob"))
    # Bob exposed a quarter; Alice's 5% commission comes off first
    assert abs(Fraction(bob, total_paid) - Fraction(95, 100) / 4) < Fraction(1, 10**12)
    # a claimed era cannot be claimed again
    claim = chain.call("Staking", "payout_stakers", validator_stash=account("Alice"), era=0)
    assert_noop(chain, KEYS["Charlie"], claim, d.AlreadyClaimed)


def test_phragmen_elects_through_the_runtime(chains: list[object]) -> None:
    pha = 1_000 * PHA
    names = ("Alice", "Bob", "Charlie")
    stakers = [Staker(account(n), (i + 1) * 10 * pha) for i, n in enumerate(names)]
    stakers += [
        Staker(account("Dave"), 25 * pha, "nominator", (account("Alice"), account("Bob"))),
        Staker(account("Eve"), 40 * pha, "nominator", (account("Alice"), account("Charlie"))),
    ]
    seen: list[tuple[int, list[tuple[bytes, int]]]] = []

    def listener(ctx: object, era: int, elected: object) -> None:
        seen.append((era, list(elected)))  # type: ignore[call-overload]

    hooks.on_new_validator_set(listener)
    try:
        balances = dict.fromkeys((*names, "Dave", "Eve"), 1_000_000 * PHA)
        chain, db = open_chain(spec(balances, TOTAL, stakers=stakers, staking={"validator_count": 2}))
        chains.append(db)
        chain.block()
        chain.block()
        chain.block()  # era 1 elected from the same intentions
    finally:
        hooks._SET_HOOKS.remove(listener)
    st = chain.state()
    winners = d.ErasElected.get(st, 1)
    expected = elect(
        [account(n) for n in names if True],
        [(account(n), (i + 1) * 10 * pha, [account(n)]) for i, n in enumerate(names)]
        + [
            (account("Dave"), 25 * pha, [account("Alice"), account("Bob")]),
            (account("Eve"), 40 * pha, [account("Alice"), account("Charlie")]),
        ],
        2,
    )
    assert sorted(winners) == sorted(expected.winners)
    assert set(winners) == {account("Alice"), account("Charlie")}  # Alice is backed by both nominators
    for w in winners:
        stored = d.ErasStakers.get(st, (1, w))
        exposure = expected.exposures[w]
        assert (stored.total, stored.own) == (exposure.total, exposure.own)
        assert sorted((o.who, o.value) for o in stored.others) == sorted(
            (b.who, b.value) for b in exposure.others
        )
    assert d.ErasTotalStake.get(st, 1) == sum(e.total for e in expected.exposures.values())
    assert session.Validators.get(st) == winners
    assert [era for era, _ in seen] == [0, 1]  # genesis elects era 0
    assert seen[1][1] == [(w, expected.exposures[w].total) for w in winners]


def test_bond_unbond_withdraw_after_bonding_duration(chains: list[object]) -> None:
    chain, db = open_chain(spec({"Bob": 1_000 * PHA}, TOTAL))
    chains.append(db)
    chain.block([chain.submit("Bob", "Staking", "bond", value=500 * PHA)])
    st = chain.state()
    assert d.Ledger.get(st, account("Bob")).active == 500 * PHA
    locks = balances_d.Locks.get(st, account("Bob"))
    assert [(lk.id, lk.amount) for lk in locks] == [(d.STAKING_LOCK, 500 * PHA)]
    # locked funds do not move
    spend = chain.call("Balances", "transfer_keep_alive", dest=("Id", account("Eve")), value=600 * PHA)
    assert_noop(chain, KEYS["Bob"], spend, balances_d.LiquidityRestrictions)
    chain.block([chain.submit("Bob", "Staking", "unbond", value=200 * PHA)])
    era = d.CurrentEra.get(chain.state())
    ledger = d.Ledger.get(chain.state(), account("Bob"))
    assert ledger.active == 300 * PHA and ledger.unlocking == [d.UnlockChunk(200 * PHA, era + 2)]
    chain.block([chain.submit("Bob", "Staking", "withdraw_unbonded")])  # too early: nothing freed
    assert d.Ledger.get(chain.state(), account("Bob")).total == 500 * PHA
    while d.ActiveEra.get(chain.state()).index < era + 2:
        chain.block()
    chain.block([chain.submit("Bob", "Staking", "withdraw_unbonded")])
    assert d.Ledger.get(chain.state(), account("Bob")).total == 300 * PHA
    assert balances_d.Locks.get(chain.state(), account("Bob"))[0].amount == 300 * PHA


def test_intentions_need_a_bond_and_valid_targets(chains: list[object]) -> None:
    chain, db = open_chain(spec({"Bob": 1_000 * PHA, "Dave": 1_000 * PHA}, TOTAL))
    chains.append(db)
    validate = chain.call("Staking", "validate", prefs={"commission": 0, "blocked": False})
    assert_noop(chain, KEYS["Bob"], validate, d.NotStash)
    chain.block([chain.submit("Dave", "Staking", "bond", value=100 * PHA)])
    nominate = chain.call("Staking", "nominate", targets=[("Id", account("Bob"))])
    assert_noop(chain, KEYS["Dave"], nominate, d.BadTarget)  # Bob is no candidate
    assert d.Nominators.get(chain.state(), account("Dave")) is None
    chain.block([chain.submit("Bob", "Staking", "bond", value=100 * PHA)])
    chain.block([chain.submit("Bob", "Staking", "validate", prefs={"commission": 10**8, "blocked": False})])
    chain.block([chain.submit("Dave", "Staking", "nominate", targets=[("Id", account("Bob"))])])
    assert d.Nominators.get(chain.state(), account("Dave")).targets == [account("Bob")]
    chain.block([chain.submit("Bob", "Staking", "chill")])
    assert d.Validators.get(chain.state(), account("Bob")) is None
