"""Slashing: two conflicting headers signed by a validator slash it and its nominators into the treasury."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from phalanx.runtime.block import Header
from phalanx.runtime.modules import treasury
from phalanx.runtime.modules.staking import Staker, slashing
from phalanx.runtime.modules.staking import declarations as d
from tests.support.economics_chain import KEYS, PHA, EconChain, account, issuance, open_chain, spec
from tests.support.runtime_testchain import assert_noop

TOTAL = 10**9 * PHA
ALICE_BOND, BOB_BOND = 100_000 * PHA, 40_000 * PHA


@pytest.fixture
def chain() -> Iterator[EconChain]:
    stakers = [Staker(account("Alice"), ALICE_BOND),
               Staker(account("Bob"), BOB_BOND, "nominator", (account("Alice"),))]  # fmt: skip
    balances = {"Alice": 1_000_000 * PHA, "Bob": 1_000_000 * PHA, "Charlie": 1_000 * PHA}
    c, db = open_chain(spec(balances, TOTAL, stakers=stakers, session_length=1000))
    c.block()
    yield c
    db.close()


def signed_header(c: EconChain, signer: str, number: int, root: bytes) -> tuple[bytes, bytes]:
    header = Header(bytes(32), number, root, bytes(32))
    payload = slashing.DEV_FINALITY_DOMAIN + c.rt.genesis_hash + header.hash()
    return header.encode(), KEYS[signer].sign(payload)


def report_call(c: EconChain, first: tuple[bytes, bytes], second: tuple[bytes, bytes]) -> bytes:
    return c.call("Staking", "report_equivocation", offender=account("Alice"), first=first[0],
                  first_signature=first[1], second=second[0], second_signature=second[1])  # fmt: skip


def report(c: EconChain, signer: str, first: tuple[bytes, bytes], second: tuple[bytes, bytes]) -> None:
    c.block([c.sign(KEYS["Charlie"], report_call(c, first, second))])


def test_equivocation_slashes_validator_and_nominators_into_the_treasury(chain: EconChain) -> None:
    treasury_before, issuance_before = treasury.balance(chain.state()), issuance(chain.rt)
    report(
        chain,
        "Alice",
        signed_header(chain, "Alice", 7, b"\x01" * 32),
        signed_header(chain, "Alice", 7, b"\x02" * 32),
    )
    assert not chain.last_failures
    st = chain.state()
    assert d.Ledger.get(st, account("Alice")).total == ALICE_BOND * 9 // 10
    assert d.Ledger.get(st, account("Bob")).total == BOB_BOND * 9 // 10
    assert d.Validators.get(st, account("Alice")) is None  # chilled
    slashed = (ALICE_BOND + BOB_BOND) // 10
    fees = sum(e.fields["actual_fee"] for e in chain.rt.events() if e.name == "TransactionFeePaid")
    assert treasury.balance(st) == treasury_before + slashed + fees
    assert issuance(chain.rt) == issuance_before  # slashes move funds, they do not burn them
    names = [e.name for e in chain.rt.events() if e.module == "Staking"]
    assert names == ["OffenceReported", "Slashed", "Slashed", "Chilled"]
    # the same offence in the same era is not punished twice
    again = report_call(
        chain, signed_header(chain, "Alice", 8, b"\x01" * 32), signed_header(chain, "Alice", 8, b"\x03" * 32)
    )
    assert_noop(chain, KEYS["Charlie"], again, d.DuplicateOffence)
    assert d.Ledger.get(chain.state(), account("Alice")).total == ALICE_BOND * 9 // 10


@pytest.mark.parametrize("case", ["other signer", "same header", "different heights"])
def test_a_bad_proof_changes_nothing(chain: EconChain, case: str) -> None:
    first = signed_header(chain, "Alice", 7, b"\x01" * 32)
    second = {
        "other signer": signed_header(chain, "Bob", 7, b"\x02" * 32),
        "same header": first,
        "different heights": signed_header(chain, "Alice", 8, b"\x02" * 32),
    }[case]
    assert_noop(chain, KEYS["Charlie"], report_call(chain, first, second), d.InvalidEquivocationProof)
    assert d.Ledger.get(chain.state(), account("Alice")).total == ALICE_BOND
    assert d.Validators.get(chain.state(), account("Alice")) is not None


def test_runtime_entry_point_refuses_non_validators(chain: EconChain) -> None:
    from phalanx.runtime.framework import Context

    ctx = Context(chain.state(), 2)
    with pytest.raises(d.NotElected):
        slashing.report_equivocation(ctx, account("Bob"), 2)
    assert slashing.report_equivocation(ctx, account("Alice"), 2) == (ALICE_BOND + BOB_BOND) // 10
