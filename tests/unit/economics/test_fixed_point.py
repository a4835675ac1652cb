"""Fixed-point types against exact `Fraction` references, with the documented rounding."""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phalanx.economics.errors import DivisionByZero, FixedPointOverflow, InvalidFraction
from phalanx.economics.fixed import ONE, Fixed64, Perbill, Perquintill, div_towards_zero

ULP = Fraction(1, 2**64)
BITS = st.integers(min_value=-(2**127), max_value=2**127 - 1)
SMALL_BITS = st.integers(min_value=-(2**80), max_value=2**80)  # |x| < 65536


def trunc(value: Fraction) -> int:
    """Reference rounding towards zero."""
    whole = abs(value.numerator) // value.denominator
    return whole if value >= 0 else -whole


def in_range(value: Fraction) -> bool:
    return -(2**63) <= value < 2**63


@given(SMALL_BITS, SMALL_BITS)
def test_mul_rounds_towards_zero(a: int, b: int) -> None:
    exact = Fraction(a, 2**64) * Fraction(b, 2**64)
    assert (Fixed64(a) * Fixed64(b)).bits == trunc(exact / ULP)


@given(BITS, BITS.filter(lambda b: b != 0))
def test_div_rounds_towards_zero(a: int, b: int) -> None:
    exact = Fraction(a, b)
    if not in_range(exact):
        with pytest.raises(FixedPointOverflow):
            _ = Fixed64(a) / Fixed64(b)
        return
    assert (Fixed64(a) / Fixed64(b)).bits == trunc(exact / ULP)


@given(BITS, BITS)
def test_add_sub_exact_or_overflow(a: int, b: int) -> None:
    total = a + b
    if -(2**127) <= total < 2**127:
        assert (Fixed64(a) + Fixed64(b)).bits == total
    else:
        with pytest.raises(FixedPointOverflow):
            _ = Fixed64(a) + Fixed64(b)
    assert (Fixed64(a) - Fixed64(a)).bits == 0


@given(st.integers(-(10**30), 10**30), st.integers(1, 10**30))
def test_from_rational_truncates(n: int, d: int) -> None:
    exact = Fraction(n, d)
    if in_range(exact):
        assert Fixed64.from_rational(n, d).to_fraction() == Fraction(trunc(exact / ULP), 2**64)


@given(st.fractions(min_value=-(10**6), max_value=10**6, max_denominator=10**30))
def test_from_str_rounds_to_nearest(value: Fraction) -> None:
    text = f"{value.numerator}/{value.denominator}" if value.denominator != 1 else str(value)
    parsed = Fixed64.from_str(text).to_fraction()
    assert abs(parsed - value) <= ULP / 2


def test_from_str_literals() -> None:
    assert Fixed64.from_str("1.5").bits == 3 << 63
    assert Fixed64.from_str("-0.25").bits == -(1 << 62)
    assert str(Fixed64.from_str("3014.6899337932040476463")) == "3014.6899337932040476463"
    with pytest.raises(InvalidFraction):
        Fixed64.from_str("twelve")


@given(st.integers(0, 2**65), st.integers(0, 40))
@settings(max_examples=150)
def test_pow_is_close_below_exact(base_bits: int, exponent: int) -> None:
    exact = Fraction(base_bits, 2**64) ** exponent
    if exact >= 2**63:
        with pytest.raises(FixedPointOverflow):
            Fixed64(base_bits).pow(exponent)
        return
    got = Fixed64(base_bits).pow(exponent).to_fraction()
    assert got <= exact
    assert exact - got < 2 * ULP


def test_pow_small_cases() -> None:
    half = Fixed64.from_rational(1, 2)
    assert half.pow(0) == ONE
    assert half.pow(10).to_fraction() == Fraction(1, 1024)
    assert Fixed64.from_int(-3).pow(3) == Fixed64.from_int(-27)
    assert Fixed64.from_str("0.75").pow(2) == Fixed64.from_str("0.5625")


@given(st.integers(0, 2**127 - 1))
def test_sqrt_is_floor(bits: int) -> None:
    root = Fixed64(bits).sqrt().to_fraction()
    value = Fraction(bits, 2**64)
    assert root * root <= value < (root + ULP) ** 2


def test_sqrt_negative_is_refused() -> None:
    with pytest.raises(InvalidFraction):
        Fixed64.from_int(-1).sqrt()


def _exp2_reference(x: Fraction) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 90
        return Decimal(2) ** (Decimal(x.numerator) / Decimal(x.denominator))


@given(st.integers(-(40 << 64), 40 << 64))
@settings(max_examples=150)
def test_exp2_is_close_below_exact(bits: int) -> None:
    got = Fixed64(bits).exp2().to_fraction()
    reference = _exp2_reference(Fraction(bits, 2**64))
    with localcontext() as ctx:
        ctx.prec = 90
        got_dec = Decimal(got.numerator) / Decimal(got.denominator)
        ulp = Decimal(1) / Decimal(2**64)
        assert got_dec <= reference + Decimal("1e-60")
        assert reference - got_dec < 2 * ulp


@given(st.integers(-62, 62))
def test_exp2_exact_on_integers(n: int) -> None:
    assert Fixed64.from_int(n).exp2().to_fraction() == Fraction(2) ** n


@given(st.integers(-(8 << 64), 8 << 64), st.integers(1, 2**40))
def test_exp2_monotone(bits: int, step: int) -> None:
    assert Fixed64(bits).exp2() <= Fixed64(bits + step).exp2()


def test_exp2_overflow_and_division_by_zero() -> None:
    with pytest.raises(FixedPointOverflow):
        Fixed64.from_int(63).exp2()
    with pytest.raises(DivisionByZero):
        _ = ONE / Fixed64(0)
    with pytest.raises(DivisionByZero):
        div_towards_zero(1, 0)
    with pytest.raises(FixedPointOverflow):
        Fixed64(2**127)


# -- per-things -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [Perbill, Perquintill])
def test_perthing_bounds(kind: type[Perbill] | type[Perquintill]) -> None:
    assert kind.one().parts == kind.ACCURACY
    assert kind.from_percent(40).to_fraction() == Fraction(2, 5)
    with pytest.raises(InvalidFraction):
        kind(kind.ACCURACY + 1)
    with pytest.raises(InvalidFraction):
        kind(-1)
    with pytest.raises(InvalidFraction):
        kind.from_rational(3, 2)
    with pytest.raises(DivisionByZero):
        kind.from_rational(0, 0)
    assert kind.from_rational_saturating(3, 2) == kind.one()
    assert kind.from_rational_saturating(1, 0) == kind.zero()


@given(st.integers(0, 10**30), st.integers(1, 10**30))
def test_perquintill_from_rational_rounds_down(raw: int, d: int) -> None:
    n = raw % (d + 1)
    p = Perquintill.from_rational(n, d)
    assert p.to_fraction() <= Fraction(n, d) < p.to_fraction() + Fraction(1, 10**18)


@given(st.integers(0, 10**9), st.integers(0, 10**30))
def test_perbill_mul_floor_and_ceil(parts: int, balance: int) -> None:
    p = Perbill(parts)
    exact = Fraction(parts, 10**9) * balance
    assert p.mul_floor(balance) == exact.numerator // exact.denominator
    assert p.mul_ceil(balance) == -((-exact.numerator) // exact.denominator)


@given(st.integers(0, 10**18), st.integers(0, 10**18))
def test_perquintill_product_and_saturation(a: int, b: int) -> None:
    pa, pb = Perquintill(a), Perquintill(b)
    exact = pa.to_fraction() * pb.to_fraction()
    assert pa.mul(pb).to_fraction() <= exact < pa.mul(pb).to_fraction() + Fraction(1, 10**18)
    assert pa.saturating_add(pb).parts == min(a + b, 10**18)
    assert pa.saturating_sub(pb).parts == max(a - b, 0)
    assert pa.left_from_one().parts == 10**18 - a


def test_perthing_text() -> None:
    assert str(Perbill.from_percent(40)) == "40%"
    assert str(Perquintill(26_562_500_000_000_000)) == "2.65625%"
