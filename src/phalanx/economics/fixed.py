"""Exact fixed-point numbers for state-transition math: `Perbill`, `Perquintill`, `Fixed64`.

No floats anywhere: every value is an integer scaled by a fixed denominator, and every operation
says how it rounds. Unless a name says otherwise, results are rounded **towards zero** (for the
non-negative values that economics deals in, that is rounding down). The same input gives the same
bits on every machine.

- `Perbill` / `Perquintill`: a fraction in [0, 1] as parts of 10**9 / 10**18 (like Substrate's
  per-things). Multiplying a balance by one rounds down unless `mul_ceil` is asked for.
- `Fixed64`: a signed binary fixed-point number with 64 integer and 64 fractional bits (like
  `I64F64` of the `fixed`/`substrate-fixed` crates). It is the number type of the mining model.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import isqrt
from typing import ClassVar, Self

from phalanx.economics.errors import DivisionByZero, FixedPointOverflow, InvalidFraction


def div_towards_zero(numerator: int, denominator: int) -> int:
    """Integer division rounded towards zero (Python's `//` floors instead).

    Raises `DivisionByZero` when `denominator` is 0.
    """
    if denominator == 0:
        raise DivisionByZero("division by zero")
    quotient = abs(numerator) // abs(denominator)
    return quotient if (numerator >= 0) == (denominator > 0) else -quotient


def div_ceil(numerator: int, denominator: int) -> int:
    """Ceiling of `numerator / denominator` for integers (denominator non-zero)."""
    if denominator == 0:
        raise DivisionByZero("division by zero")
    return -((-numerator) // denominator)


def _require_int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidFraction(f"{what} must be an int, got {type(value).__name__}")
    return value


# ---------------------------------------------------------------------------------------------
# Per-things
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class _PerThing:
    """A fraction in [0, 1] stored as `parts` of `ACCURACY` (shared code of the per-things)."""

    ACCURACY: ClassVar[int] = 1
    parts: int

    def __post_init__(self) -> None:
        parts = _require_int(self.parts, "parts")
        if not 0 <= parts <= self.ACCURACY:
            raise InvalidFraction(f"{type(self).__name__} parts {parts} outside [0, {self.ACCURACY}]")

    @classmethod
    def zero(cls) -> Self:
        return cls(0)

    @classmethod
    def one(cls) -> Self:
        return cls(cls.ACCURACY)

    @classmethod
    def from_percent(cls, percent: int) -> Self:
        """`percent`% exactly (0..=100)."""
        _require_int(percent, "percent")
        if not 0 <= percent <= 100:
            raise InvalidFraction(f"percent {percent} outside [0, 100]")
        return cls(cls.ACCURACY * percent // 100)

    @classmethod
    def from_rational(cls, numerator: int, denominator: int) -> Self:
        """`numerator / denominator`, rounded down; requires 0 <= numerator <= denominator, d > 0."""
        _require_int(numerator, "numerator")
        _require_int(denominator, "denominator")
        if denominator <= 0:
            raise DivisionByZero(f"{cls.__name__}.from_rational with denominator {denominator}")
        if not 0 <= numerator <= denominator:
            raise InvalidFraction(f"{numerator}/{denominator} is not in [0, 1]")
        return cls(numerator * cls.ACCURACY // denominator)

    @classmethod
    def from_rational_saturating(cls, numerator: int, denominator: int) -> Self:
        """Like `from_rational`, but a ratio above 1 gives 1 and a zero denominator gives 0."""
        if denominator <= 0 or numerator <= 0:
            return cls(0)
        return cls.from_rational(min(numerator, denominator), denominator)

    @classmethod
    def from_fraction(cls, value: Fraction) -> Self:
        """An exact rational in [0, 1], rounded down."""
        return cls.from_rational(value.numerator, value.denominator)

    def to_fraction(self) -> Fraction:
        return Fraction(self.parts, self.ACCURACY)

    def mul_floor(self, value: int) -> int:
        """`self * value` for an integer (a balance), rounded towards zero."""
        return div_towards_zero(self.parts * _require_int(value, "value"), self.ACCURACY)

    def mul_ceil(self, value: int) -> int:
        """`self * value` rounded up (away from zero for positive values)."""
        return div_ceil(self.parts * _require_int(value, "value"), self.ACCURACY)

    def mul(self, other: Self) -> Self:
        """Product of two per-things of the same type, rounded down."""
        return type(self)(self.parts * other.parts // self.ACCURACY)

    def saturating_add(self, other: Self) -> Self:
        return type(self)(min(self.parts + other.parts, self.ACCURACY))

    def saturating_sub(self, other: Self) -> Self:
        return type(self)(max(self.parts - other.parts, 0))

    def left_from_one(self) -> Self:
        """`1 - self` (exact)."""
        return type(self)(self.ACCURACY - self.parts)

    def __str__(self) -> str:
        whole, rest = divmod(self.parts * 100, self.ACCURACY)
        digits = len(str(self.ACCURACY)) - 1
        frac = str(rest * 10**digits // self.ACCURACY).rjust(digits, "0").rstrip("0")
        return f"{whole}.{frac}%" if frac else f"{whole}%"


@dataclass(frozen=True, order=True)
class Perbill(_PerThing):
    """Parts per billion (10**9)."""

    ACCURACY: ClassVar[int] = 10**9


@dataclass(frozen=True, order=True)
class Perquintill(_PerThing):
    """Parts per quintillion (10**18)."""

    ACCURACY: ClassVar[int] = 10**18


# ---------------------------------------------------------------------------------------------
# 64.64 binary fixed point
# ---------------------------------------------------------------------------------------------

FRAC_BITS = 64
_ONE = 1 << FRAC_BITS
_MIN_BITS = -(1 << 127)
_MAX_BITS = (1 << 127) - 1

# exp2 works at this many fractional bits and truncates once at the end.
_GUARD_BITS = 192
_GUARD_ONE = 1 << _GUARD_BITS


def _exp2_table() -> tuple[int, ...]:
    """2^(2^-k) for k = 1..64 at `_GUARD_BITS` fractional bits, each the floor of a square root."""
    table = []
    value = 2 << _GUARD_BITS
    for _ in range(FRAC_BITS):
        value = isqrt(value << _GUARD_BITS)
        table.append(value)
    return tuple(table)


_EXP2_TABLE = _exp2_table()


def _check_bits(bits: int) -> int:
    if not _MIN_BITS <= bits <= _MAX_BITS:
        raise FixedPointOverflow(f"value {Fraction(bits, _ONE)} outside the 64.64 range")
    return bits


@dataclass(frozen=True, order=True)
class Fixed64:
    """Signed 64.64 binary fixed point: the value is `bits / 2**64`, bits in [-2**127, 2**127).

    Arithmetic raises `FixedPointOverflow` instead of wrapping. Multiplication, division and
    conversions round towards zero; `from_str` rounds to nearest (ties to even) like the
    `fixed` crate's parser, so decimal literals give the same bits as there.
    """

    bits: int

    def __post_init__(self) -> None:
        if isinstance(self.bits, bool) or not isinstance(self.bits, int):
            raise FixedPointOverflow("Fixed64 bits must be an int")
        _check_bits(self.bits)

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_int(cls, value: int) -> Fixed64:
        return cls(_check_bits(_require_int(value, "value") << FRAC_BITS))

    @classmethod
    def from_rational(cls, numerator: int, denominator: int) -> Fixed64:
        """`numerator / denominator`, rounded towards zero."""
        return cls(_check_bits(div_towards_zero(numerator << FRAC_BITS, denominator)))

    @classmethod
    def from_fraction(cls, value: Fraction) -> Fixed64:
        return cls.from_rational(value.numerator, value.denominator)

    @classmethod
    def from_perthing(cls, value: _PerThing) -> Fixed64:
        return cls.from_rational(value.parts, value.ACCURACY)

    @classmethod
    def from_str(cls, text: str) -> Fixed64:
        """Parse a decimal literal ("3014.68", "-0.5"); rounds to nearest, ties to even."""
        try:
            exact = Fraction(text.strip())
        except (ValueError, ZeroDivisionError) as exc:
            raise InvalidFraction(f"not a decimal number: {text!r}") from exc
        scaled = exact * _ONE
        floor = scaled.numerator // scaled.denominator
        rest = scaled - floor
        if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and floor % 2 == 1):
            floor += 1
        return cls(_check_bits(floor))

    # -- conversion ---------------------------------------------------------------------------

    def to_fraction(self) -> Fraction:
        return Fraction(self.bits, _ONE)

    def to_int(self) -> int:
        """Integer part, rounded towards zero."""
        return div_towards_zero(self.bits, _ONE)

    def mul_int_floor(self, value: int) -> int:
        """`self * value` as an integer (e.g. PHA -> planck), rounded towards zero."""
        return div_towards_zero(self.bits * value, _ONE)

    def to_decimal_str(self, digits: int = 20) -> str:
        """Decimal text with `digits` fractional digits, truncated towards zero."""
        sign = "-" if self.bits < 0 else ""
        scaled = abs(self.bits) * 10**digits >> FRAC_BITS
        whole, frac = divmod(scaled, 10**digits)
        text = f"{sign}{whole}.{str(frac).rjust(digits, '0')}".rstrip("0")
        return text.rstrip(".") if digits else f"{sign}{whole}"

    def __str__(self) -> str:
        return self.to_decimal_str()

    def __repr__(self) -> str:
        return f"Fixed64({self.to_decimal_str()})"

    # -- arithmetic ---------------------------------------------------------------------------

    def __add__(self, other: Fixed64) -> Fixed64:
        return Fixed64(_check_bits(self.bits + other.bits))

    def __sub__(self, other: Fixed64) -> Fixed64:
        return Fixed64(_check_bits(self.bits - other.bits))

    def __neg__(self) -> Fixed64:
        return Fixed64(_check_bits(-self.bits))

    def __abs__(self) -> Fixed64:
        return Fixed64(_check_bits(abs(self.bits)))

    def __mul__(self, other: Fixed64) -> Fixed64:
        """Product rounded towards zero."""
        return Fixed64(_check_bits(div_towards_zero(self.bits * other.bits, _ONE)))

    def __truediv__(self, other: Fixed64) -> Fixed64:
        """Quotient rounded towards zero; `DivisionByZero` for a zero divisor."""
        if other.bits == 0:
            raise DivisionByZero("Fixed64 division by zero")
        return Fixed64(_check_bits(div_towards_zero(self.bits << FRAC_BITS, other.bits)))

    def mul_int(self, value: int) -> Fixed64:
        """`self * value` for an integer (exact)."""
        return Fixed64(_check_bits(self.bits * _require_int(value, "value")))

    def div_int(self, value: int) -> Fixed64:
        """`self / value` for an integer, rounded towards zero."""
        return Fixed64(_check_bits(div_towards_zero(self.bits, _require_int(value, "value"))))

    def min(self, other: Fixed64) -> Fixed64:
        return self if self.bits <= other.bits else other

    def max(self, other: Fixed64) -> Fixed64:
        return self if self.bits >= other.bits else other

    def is_zero(self) -> bool:
        return self.bits == 0

    def pow(self, exponent: int) -> Fixed64:
        """`self ** exponent` for an integer exponent >= 0.

        Square-and-multiply at 192 extra fractional bits (each step rounded towards zero), then
        one final rounding towards zero, so the result is within 2 ulp (2**-63) of the exact
        power below it in magnitude while it stays in range. Raises `FixedPointOverflow` when the
        result leaves the 64.64 range.
        """
        _require_int(exponent, "exponent")
        if exponent < 0:
            raise InvalidFraction("Fixed64.pow takes a non-negative exponent")
        negative = self.bits < 0 and exponent % 2 == 1
        shift = _GUARD_BITS - FRAC_BITS
        base = abs(self.bits) << shift
        result = _GUARD_ONE
        e = exponent
        while e:
            if e & 1:
                result = (result * base) >> _GUARD_BITS
            e >>= 1
            if e:
                base = (base * base) >> _GUARD_BITS
                if base.bit_length() > _GUARD_BITS + 256:
                    # Only reachable when |self| > 1 and the result overflows anyway.
                    raise FixedPointOverflow(f"{self}**{exponent} outside the 64.64 range")
        bits = result >> shift
        return Fixed64(_check_bits(-bits if negative else bits))

    def sqrt(self) -> Fixed64:
        """Square root rounded down (exact floor of the true root at 2**-64 resolution)."""
        if self.bits < 0:
            raise InvalidFraction(f"square root of a negative number {self}")
        return Fixed64(isqrt(self.bits << FRAC_BITS))

    def exp2(self) -> Fixed64:
        """`2 ** self`, rounded down; exact when `self` is an integer.

        2**x = 2**floor(x) * 2**frac(x); 2**frac(x) is the product of 2**(2**-k) over the set
        bits k of the fraction, from a table of repeated integer square roots at 192 fractional
        bits. The result is below the exact value by less than 2 ulp (2**-63) and is monotone in
        `self`. Raises `FixedPointOverflow` for self >= 63.
        """
        whole = self.bits >> FRAC_BITS  # floor, also for negative values
        frac = self.bits - (whole << FRAC_BITS)
        if whole >= 63:
            raise FixedPointOverflow(f"2**{self} outside the 64.64 range")
        value = _GUARD_ONE
        for k in range(FRAC_BITS):
            if frac >> (FRAC_BITS - 1 - k) & 1:
                value = (value * _EXP2_TABLE[k]) >> _GUARD_BITS
        shift = _GUARD_BITS - FRAC_BITS - whole
        return Fixed64(value >> shift if shift >= 0 else value << -shift)


ZERO = Fixed64(0)
ONE = Fixed64(_ONE)
