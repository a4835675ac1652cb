"""Treasury: income from fees and the inflation remainder; spends only with the root origin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from phalanx.runtime.assembly import CALLS
from phalanx.runtime.modules import treasury
from tests.support.economics_chain import KEYS, PHA, EconChain, account, open_chain, spec
from tests.support.runtime_testchain import assert_noop

TOTAL = 10**9 * PHA


@pytest.fixture
def chain() -> Iterator[EconChain]:
    c, db = open_chain(spec({"Alice": 1_000 * PHA, "Bob": 1_000 * PHA}, TOTAL, session_length=2))
    yield c
    db.close()


def test_fees_and_the_era_remainder_flow_in(chain: EconChain) -> None:
    before = treasury.balance(chain.state())
    chain.block(
        [chain.submit("Bob", "Balances", "transfer_keep_alive", dest=("Id", account("Alice")), value=PHA)]
    )
    fee = next(e.fields["actual_fee"] for e in chain.rt.events() if e.name == "TransactionFeePaid")
    assert treasury.balance(chain.state()) == before + fee
    chain.block()
    chain.block()  # an era ends with nothing staked: the curve's maximum minus I0's share is minted
    paid = next(e.fields for e in chain.rt.events() if e.name == "EraPaid")
    assert paid["remainder"] > 0
    assert treasury.balance(chain.state()) == before + fee + paid["remainder"]


def test_spend_is_root_only(chain: EconChain) -> None:
    spend = chain.call("Treasury", "spend", amount=PHA // 2, beneficiary=("Id", account("Bob")))
    assert_noop(chain, KEYS["Bob"], spend, "BadOrigin")
    spend = CALLS.call("Treasury", "spend", amount=PHA // 2, beneficiary=("Id", account("Bob")))
    bob = chain.free(account("Bob"))
    chain.block([chain.submit("Alice", "Sudo", "sudo", call=spend)])
    assert ("Treasury", "Awarded") in chain.events()
    assert chain.free(account("Bob")) == bob + PHA // 2
    # it never drains below the existential deposit
    too_much = CALLS.call("Treasury", "spend", amount=TOTAL, beneficiary=("Id", account("Bob")))
    chain.block([chain.submit("Alice", "Sudo", "sudo", call=too_much)])
    assert ("Treasury", "Awarded") not in chain.events()
