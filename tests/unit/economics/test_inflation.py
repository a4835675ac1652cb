"""NPoS inflation curve, staker return and era payout."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phalanx.economics.errors import DivisionByZero, InvalidParameters
from phalanx.economics.fixed import Fixed64, Perquintill
from phalanx.economics.inflation import (
    DEFAULT_INFLATION,
    MILLISECONDS_PER_YEAR,
    InflationParams,
    compute_era_payout,
    compute_inflation,
    compute_staker_return,
)

PLANCK = 10**12
ISSUANCE = 1_000_000_000 * PLANCK
RATIO = st.integers(0, 10**18).map(Perquintill)


def pct(value: int) -> Perquintill:
    return Perquintill.from_percent(value)


@pytest.mark.parametrize(
    ("staked", "inflation", "staker_return"),
    [
        # x <= x_ideal: I = 0.025 + 0.025 * x / 0.4
        (20, Fraction(375, 10_000), Fraction(1875, 10_000)),  # 3.75% / 20% = 18.75%
        (40, Fraction(5, 100), Fraction(125, 1000)),  # the ideal: 12.5%
        # x > x_ideal: I = 0.025 + 0.025 * 2 ** ((0.4 - x) / 0.05)
        (50, Fraction(3125, 100_000), Fraction(625, 10_000)),  # 2**-2: 3.125% / 50% = 6.25%
        # 2**-4: I = 2.65625%, return = 0.0265625 / 0.6 = 17/384 = 4.4270833...%
        (60, Fraction(265_625, 10_000_000), Fraction(17, 384)),
    ],
)
def test_published_points(staked: int, inflation: Fraction, staker_return: Fraction) -> None:
    assert compute_inflation(pct(staked)).to_fraction() == inflation
    got = compute_staker_return(pct(staked))
    # Exact rationals rounded down once to 64.64: equal to the reference truncated.
    assert got == Fixed64.from_fraction(staker_return)
    assert staker_return - got.to_fraction() < Fraction(1, 2**64)


def test_return_at_sixty_percent_is_about_4_43_percent() -> None:
    assert compute_staker_return(pct(60)).to_decimal_str(12) == "0.044270833333"


def test_ends_of_the_curve() -> None:
    assert compute_inflation(Perquintill.zero()).to_fraction() == Fraction(25, 1000)
    # x = 1: 2**-12 of the rise above I0.
    expected = Fraction(25, 1000) + Fraction(25, 1000) / 4096
    assert compute_inflation(Perquintill.one()).to_fraction() == expected
    with pytest.raises(DivisionByZero):
        compute_staker_return(Perquintill.zero())


@given(RATIO, RATIO)
def test_inflation_rises_then_falls(a: Perquintill, b: Perquintill) -> None:
    lo, hi = min(a, b), max(a, b)
    ideal = DEFAULT_INFLATION.x_ideal
    if hi <= ideal:
        assert compute_inflation(lo) <= compute_inflation(hi)
    if lo >= ideal:
        assert compute_inflation(lo) >= compute_inflation(hi)


@given(RATIO)
def test_inflation_stays_between_floor_and_peak(x: Perquintill) -> None:
    value = compute_inflation(x).to_fraction()
    assert Fraction(25, 1000) <= value <= Fraction(5, 100)


@given(RATIO.filter(lambda p: p.parts > 0), RATIO.filter(lambda p: p.parts > 0))
def test_staker_return_falls_with_stake(a: Perquintill, b: Perquintill) -> None:
    lo, hi = min(a, b), max(a, b)
    assert compute_staker_return(lo) >= compute_staker_return(hi)


@given(st.integers(400_000_000_000_000_001, 10**18))
def test_exponential_branch_matches_reference(parts: int) -> None:
    from decimal import Decimal, localcontext

    x = Fraction(parts, 10**18)
    with localcontext() as ctx:
        ctx.prec = 60
        exponent = (Fraction(2, 5) - x) / Fraction(1, 20)
        factor = Decimal(2) ** (Decimal(exponent.numerator) / Decimal(exponent.denominator))
        reference = Decimal("0.025") + Decimal("0.025") * factor
        got = Decimal(compute_inflation(Perquintill(parts)).parts) / Decimal(10**18)
        # Rounded down to 1e-18 once; exp2 and the exponent add less than 1e-20.
        assert -Decimal("1e-20") <= reference - got < Decimal("1.01e-18")


def test_params_are_validated() -> None:
    with pytest.raises(InvalidParameters):
        InflationParams(x_ideal=Perquintill.zero())
    with pytest.raises(InvalidParameters):
        InflationParams(falloff=Perquintill.zero())
    with pytest.raises(InvalidParameters):
        InflationParams(i_0=pct(10))  # 0.4 * 0.125 = 5% peak below a 10% floor


def test_a_year_at_the_ideal_pays_five_percent_and_nothing_to_treasury() -> None:
    payout, remainder = compute_era_payout(ISSUANCE * 40 // 100, ISSUANCE, MILLISECONDS_PER_YEAR)
    assert payout == ISSUANCE * 5 // 100
    assert remainder == 0


def test_era_payout_of_six_hours_at_twenty_percent() -> None:
    era = 6 * 3600 * 1000
    payout, remainder = compute_era_payout(ISSUANCE // 5, ISSUANCE, era)
    assert payout == ISSUANCE * 375 * era // (10_000 * MILLISECONDS_PER_YEAR)
    assert payout + remainder == ISSUANCE * 5 * era // (100 * MILLISECONDS_PER_YEAR)


@given(st.integers(0, 2 * ISSUANCE), st.integers(1, ISSUANCE), st.integers(0, 30 * 24 * 3600 * 1000))
def test_era_payout_never_exceeds_the_peak(staked: int, issuance: int, era_ms: int) -> None:
    payout, remainder = compute_era_payout(staked, issuance, era_ms)
    peak = issuance * 5 * era_ms // (100 * MILLISECONDS_PER_YEAR)
    assert payout >= 0 and remainder >= 0
    assert payout + remainder == peak


def test_era_payout_degenerate_inputs() -> None:
    assert compute_era_payout(0, 0, 1000) == (0, 0)
    assert compute_era_payout(10, 100, 0) == (0, 0)
    with pytest.raises(InvalidParameters):
        compute_era_payout(-1, 100, 1000)
