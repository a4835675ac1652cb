"""The NPoS inflation curve and the staking era payout.

Yearly inflation as a function of the staked ratio x (after Web3 Foundation's NPoS
model):

    I(x) = I0 + (x_ideal * i_ideal - I0) * x / x_ideal              for x <= x_ideal
    I(x) = I0 + (x_ideal * i_ideal - I0) * 2 ** ((x_ideal - x) / d)  for x >  x_ideal

Stakers earn I(x) / x a year (12.5% at the ideal 40% staked with the defaults). The era payout
mints that share of the issuance for the era's length; what the curve would have paid at its
maximum (x = x_ideal) minus what it pays goes to the treasury, as in pallet-staking.

Exactness: the linear branch is computed in exact rationals and rounded down once to a
`Perquintill`. The exponential branch computes 2**(-(x - x_ideal)/d) with `Fixed64.exp2` (error
below 2**-63), then rounds down; it is exact whenever (x - x_ideal)/d is a whole number (for
instance at 45%, 50%, 60% with the defaults). Payout amounts are rounded down to the planck.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from phalanx.economics.errors import DivisionByZero, InvalidParameters
from phalanx.economics.fixed import Fixed64, Perquintill

# Substrate's year for the era payout: 365.25 days in milliseconds.
MILLISECONDS_PER_YEAR = 36525 * 24 * 60 * 60 * 1000 // 100


_X_IDEAL = Perquintill.from_percent(40)
_I_IDEAL = Perquintill(125_000_000_000_000_000)
_I_0 = Perquintill(25_000_000_000_000_000)
_FALLOFF = Perquintill.from_percent(5)


@dataclass(frozen=True)
class InflationParams:
    """Parameters of the NPoS curve, as per-quintill fractions; validated on construction."""

    x_ideal: Perquintill = _X_IDEAL
    i_ideal: Perquintill = _I_IDEAL
    i_0: Perquintill = _I_0
    falloff: Perquintill = _FALLOFF

    def __post_init__(self) -> None:
        for name in ("x_ideal", "i_ideal", "i_0", "falloff"):
            if not isinstance(getattr(self, name), Perquintill):
                raise InvalidParameters(f"{name} must be a Perquintill")
        if self.x_ideal.parts == 0:
            raise InvalidParameters("x_ideal must be above 0")
        if self.falloff.parts == 0:
            raise InvalidParameters("falloff d must be above 0")
        if self.max_inflation < self.i_0.to_fraction():
            raise InvalidParameters("x_ideal * i_ideal must be at least I0 (the curve must rise to x_ideal)")

    @property
    def max_inflation(self) -> Fraction:
        """The curve's peak, I(x_ideal) = x_ideal * i_ideal (exact)."""
        return self.x_ideal.to_fraction() * self.i_ideal.to_fraction()


DEFAULT_INFLATION = InflationParams()


def compute_inflation(staked_ratio: Perquintill, params: InflationParams = DEFAULT_INFLATION) -> Perquintill:
    """Yearly inflation I(x) for the staked ratio x, rounded down to a Perquintill."""
    x = staked_ratio.to_fraction()
    x_ideal = params.x_ideal.to_fraction()
    i_0 = params.i_0.to_fraction()
    rise = params.max_inflation - i_0
    if x <= x_ideal:
        return Perquintill.from_fraction(i_0 + rise * x / x_ideal)
    # 2 ** (-(x - x_ideal) / d); the exponent is rounded towards zero, so the factor errs high by
    # less than 2**-63 relative before exp2's own downward rounding.
    exponent = Fixed64.from_fraction((x - x_ideal) / params.falloff.to_fraction())
    factor = (-exponent).exp2().to_fraction()
    return Perquintill.from_fraction(i_0 + rise * factor)


def compute_staker_return(staked_ratio: Perquintill, params: InflationParams = DEFAULT_INFLATION) -> Fixed64:
    """Yearly return of staked tokens, I(x) / x, as a 64.64 number (1.0 = 100%), rounded down.

    Raises `DivisionByZero` for x = 0 (no stake earns an unbounded return).
    """
    if staked_ratio.parts == 0:
        raise DivisionByZero("staker return is undefined when nothing is staked")
    inflation = compute_inflation(staked_ratio, params)
    return Fixed64.from_rational(inflation.parts, staked_ratio.parts)


def compute_era_payout(
    total_staked: int,
    total_issuance: int,
    era_duration_ms: int,
    params: InflationParams = DEFAULT_INFLATION,
) -> tuple[int, int]:
    """Tokens to mint for one era: (validator payout, remainder for the treasury), in planck.

    validator payout = I(x) * issuance * era / year; the remainder is what the curve's maximum
    x_ideal * i_ideal would have paid for the era minus the validator payout. x is
    total_staked / total_issuance rounded down to a Perquintill (capped at 1). Each amount is
    rounded down once from the exact product. Zero issuance or a zero-length era pays nothing.
    """
    if total_staked < 0 or total_issuance < 0 or era_duration_ms < 0:
        raise InvalidParameters("era payout takes non-negative stake, issuance and duration")
    if total_issuance == 0 or era_duration_ms == 0:
        return 0, 0
    ratio = Perquintill.from_rational_saturating(total_staked, total_issuance)
    inflation = compute_inflation(ratio, params)
    denominator = Perquintill.ACCURACY * MILLISECONDS_PER_YEAR
    validator_payout = inflation.parts * total_issuance * era_duration_ms // denominator
    peak = params.max_inflation
    maximum = peak.numerator * total_issuance * era_duration_ms // (peak.denominator * MILLISECONDS_PER_YEAR)
    return validator_payout, max(maximum - validator_payout, 0)
