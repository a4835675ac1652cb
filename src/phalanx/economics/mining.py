"""The "Gemini" V/P mining model of Phala, as pure functions over 64.64 fixed point.

A worker has a value V (its claim on the mining budget, in PHA) and a performance P (benchmark
iterations per 6 s). While it is online and idle, V grows every block by
    dV = (P_instant / P_bench) * ((rho - 1) * V + cost_k * P_bench + cost_b),
capped at V_max; the growth since the last payout is remembered as `v_deductible`. When it answers
a heartbeat challenge, it is paid its share of the budget for the blocks since its last payout:
    share = sqrt(V**2 + (2 * P_instant * conf_score)**2)
    budget = share / sum_share * budget_per_block * blocks
    payout = budget * (1 - treasury_ratio),  treasury = budget * treasury_ratio
and V drops by what it gained since the last payout (never by more than the payout). A worker
that misses a heartbeat window is unresponsive and loses `slash_rate * V` every block.

The formulas, the order of operations and the rounding (towards zero, like the `fixed` crate's
unsigned 64.64 type for the non-negative values used here) follow Phala's gatekeeper so that the
vectors of its test suite hold bit for bit. Everything here is pure: callers (the computation
module) keep the state and call these functions per block.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from math import isqrt

from phalanx.economics.errors import InvalidParameters
from phalanx.economics.fixed import ONE, ZERO, Fixed64

PLANCK_PER_PHA = 10**12
BLOCK_SECONDS = 12
HOUR_SECONDS = 3600
DAY_SECONDS = 24 * HOUR_SECONDS
YEAR_SECONDS = 365 * DAY_SECONDS
# A worker's measured performance may exceed its benchmark by at most 20%.
P_INSTANT_CAP = Fixed64.from_str("1.2")


def fp(literal: str) -> Fixed64:
    """A decimal literal as 64.64 fixed point (nearest), like `fixed_macro`'s `fp!`."""
    return Fixed64.from_str(literal)


@dataclass(frozen=True)
class MiningParams:
    """Tokenomic parameters of the V/P model; rates are per block, amounts in PHA.

    Build with `from_design` (the design's defaults) or directly; `validate()` is called on
    construction and raises `InvalidParameters`.
    """

    rho: Fixed64
    slash_rate: Fixed64
    budget_per_block: Fixed64
    v_max: Fixed64
    cost_k: Fixed64
    cost_b: Fixed64
    treasury_ratio: Fixed64
    heartbeat_window: int
    rig_k: Fixed64
    rig_b: Fixed64
    re: Fixed64
    k: Fixed64

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        if self.rho < ONE:
            raise InvalidParameters(f"rho must be >= 1, got {self.rho}")
        if not ZERO <= self.slash_rate <= ONE:
            raise InvalidParameters(f"slash_rate must be in [0, 1], got {self.slash_rate}")
        if not ZERO <= self.treasury_ratio <= ONE:
            raise InvalidParameters(f"treasury_ratio must be in [0, 1], got {self.treasury_ratio}")
        for name in ("budget_per_block", "v_max", "cost_k", "cost_b", "rig_k", "rig_b", "k"):
            if getattr(self, name) < ZERO:
                raise InvalidParameters(f"{name} must not be negative")
        if self.re < ONE:
            raise InvalidParameters(f"re must be >= 1, got {self.re}")
        if isinstance(self.heartbeat_window, bool) or self.heartbeat_window < 1:
            raise InvalidParameters(f"heartbeat_window must be >= 1, got {self.heartbeat_window}")

    @property
    def payout_ratio(self) -> Fixed64:
        return ONE - self.treasury_ratio

    @classmethod
    def from_design(
        cls,
        *,
        rho_per_block: str = "1.000000666600231",
        slash_per_hour: str = "0.001",
        budget_per_day: str = "720000",
        v_max: str = "30000",
        cost_k_per_year: str = "0.0415625",
        cost_b_per_year: str = "88.59375",
        treasury_ratio: str = "0.2",
        heartbeat_window: int = 10,
        rig_k: str = "0.3",
        rig_b: str = "0",
        re: str = "1.5",
        k: str = "50",
        block_seconds: int = BLOCK_SECONDS,
    ) -> MiningParams:
        """Per-block parameters from the human units of the design (hour, day, year rates).

        rho 1.000000666600231 per block is 1.0002 per hour over 300 twelve-second blocks.
        """
        return cls(
            rho=fp(rho_per_block),
            slash_rate=fp(slash_per_hour).mul_int(block_seconds).div_int(HOUR_SECONDS),
            budget_per_block=fp(budget_per_day).mul_int(block_seconds).div_int(DAY_SECONDS),
            v_max=fp(v_max),
            cost_k=fp(cost_k_per_year).mul_int(block_seconds).div_int(YEAR_SECONDS),
            cost_b=fp(cost_b_per_year).mul_int(block_seconds).div_int(YEAR_SECONDS),
            treasury_ratio=fp(treasury_ratio),
            heartbeat_window=heartbeat_window,
            rig_k=fp(rig_k),
            rig_b=fp(rig_b),
            re=fp(re),
            k=fp(k),
        )


@dataclass(frozen=True)
class WorkerTokenomic:
    """The V/P state of one mining worker (what the gatekeeper tracks per worker)."""

    v: Fixed64
    v_init: Fixed64
    v_deductible: Fixed64
    v_update_block: int
    v_update_at_ms: int
    iteration_last: int
    challenge_time_last_ms: int
    p_bench: Fixed64
    p_instant: Fixed64
    confidence_level: int


@dataclass(frozen=True)
class HeartbeatSettlement:
    """The result of a successful heartbeat: the new state and what to pay (PHA, 64.64)."""

    tokenomic: WorkerTokenomic
    payout: Fixed64
    treasury: Fixed64


def compute_conf_score(confidence_level: int) -> Fixed64:
    """Confidence score of an attestation level: 1-3 (and 128) -> 1, 4 -> 0.8, 5 -> 0.7, else 0."""
    if confidence_level in (1, 2, 3, 128):
        return ONE
    if confidence_level == 4:
        return fp("0.8")
    if confidence_level == 5:
        return fp("0.7")
    return ZERO


def start_mining(
    v_init: Fixed64, p_bench: int, confidence_level: int, block_number: int, now_ms: int
) -> WorkerTokenomic:
    """The state of a worker that starts mining at `block_number` with initial V and benchmark P."""
    p = Fixed64.from_int(p_bench)
    return WorkerTokenomic(
        v=v_init,
        v_init=v_init,
        v_deductible=ZERO,
        v_update_block=block_number,
        v_update_at_ms=now_ms,
        iteration_last=0,
        challenge_time_last_ms=now_ms,
        p_bench=p,
        p_instant=p,
        confidence_level=confidence_level,
    )


def coarse_sqrt(value: Fixed64) -> Fixed64:
    """Square root with 32 fractional bits, rounded down: isqrt(bits) * 2**32.

    This is how the `fixed_sqrt` crate takes the root of a 64.64 number, and so how Phala computes
    shares and minimal stakes; keeping it makes both equal Phala's bit for bit (its relative
    error, below 2**-32 / sqrt(value), is far under a planck for any realistic V).
    """
    if value.bits < 0:
        raise InvalidParameters(f"square root of a negative number {value}")
    return Fixed64(isqrt(value.bits) << 32)


def compute_share(info: WorkerTokenomic) -> Fixed64:
    """A worker's share of the budget: sqrt(V**2 + (2 * P_instant * conf_score)**2)."""
    p_term = Fixed64.from_int(2) * info.p_instant * compute_conf_score(info.confidence_level)
    return coarse_sqrt(info.v * info.v + p_term * p_term)


def compute_sum_share(workers: list[WorkerTokenomic]) -> Fixed64:
    """Sum of the shares of the online workers (the caller filters out unresponsive ones)."""
    total = ZERO
    for info in workers:
        total = total + compute_share(info)
    return total


def compute_idle_update(info: WorkerTokenomic, params: MiningParams) -> WorkerTokenomic:
    """One block online without a heartbeat: V grows by the model's dV (capped at V_max)."""
    cost_idle = params.cost_k * info.p_bench + params.cost_b
    perf_multiplier = ONE if info.p_bench.is_zero() else info.p_instant / info.p_bench
    delta_v = perf_multiplier * ((params.rho - ONE) * info.v + cost_idle)
    return replace(info, v=(info.v + delta_v).min(params.v_max), v_deductible=info.v_deductible + delta_v)


def compute_slash(info: WorkerTokenomic, params: MiningParams) -> WorkerTokenomic:
    """One block unresponsive: V loses `slash_rate * V`; the unpaid growth is forfeited."""
    return replace(info, v=info.v - info.v * params.slash_rate, v_deductible=ZERO)


def compute_p_instant(info: WorkerTokenomic, now_ms: int, iterations: int) -> WorkerTokenomic:
    """Measured performance from a heartbeat: iterations per 6 s since the last challenge,
    capped at 1.2 * P_bench. A counter that went backwards (worker restart) restarts from it."""
    if now_ms <= info.challenge_time_last_ms:
        return info
    iteration_last = min(info.iteration_last, iterations)
    dt = Fixed64.from_int(now_ms - info.challenge_time_last_ms).div_int(1000)
    p = (Fixed64.from_int(iterations - iteration_last) / dt).mul_int(6)
    return replace(info, iteration_last=iteration_last, p_instant=p.min(info.p_bench * P_INSTANT_CAP))


def record_challenge(info: WorkerTokenomic, challenge_time_ms: int, iterations: int) -> WorkerTokenomic:
    """Remember the challenge a heartbeat answered, as the base of the next P measurement."""
    return replace(info, challenge_time_last_ms=challenge_time_ms, iteration_last=iterations)


def compute_heartbeat_payout(
    info: WorkerTokenomic,
    params: MiningParams,
    sum_share: Fixed64,
    block_number: int,
    now_ms: int,
    *,
    full_payout: bool = True,
) -> HeartbeatSettlement:
    """Settle a successful heartbeat of an online worker.

    `sum_share` is the sum of the online workers' shares at the start of the block (before any
    heartbeat of this block changed a P). With `full_payout` (the current rule) the worker gets
    its full budget share and V drops by at most its growth since the last payout; without it
    (Phala's legacy rule) the payout is capped at that growth and the treasury part is scaled
    down with it. Nothing is paid for a second heartbeat in the same block, a zero share or sum,
    or no growth since the last payout.
    """
    nothing = HeartbeatSettlement(info, ZERO, ZERO)
    if sum_share.is_zero() or info.v_deductible.is_zero() or block_number <= info.v_update_block:
        return nothing
    share = compute_share(info)
    if share.is_zero():
        return nothing
    blocks = Fixed64.from_int(block_number - info.v_update_block)
    budget = share / sum_share * params.budget_per_block * blocks
    to_payout = budget * params.payout_ratio
    to_treasury = budget * params.treasury_ratio
    deductible = info.v_deductible.max(ZERO)
    if full_payout:
        payout, treasury = to_payout, to_treasury
        v = info.v - deductible.min(payout)
    else:
        payout = deductible.min(to_payout)
        treasury = ZERO if to_payout.is_zero() else (payout / to_payout) * to_treasury
        v = info.v - payout
    settled = replace(info, v=v, v_deductible=ZERO, v_update_block=block_number, v_update_at_ms=now_ms)
    return HeartbeatSettlement(settled, payout, treasury)


def compute_recover(info: WorkerTokenomic, block_number: int, now_ms: int) -> WorkerTokenomic:
    """An unresponsive worker answered again: it is online, but earns nothing for the gap."""
    return replace(info, v_deductible=ZERO, v_update_block=block_number, v_update_at_ms=now_ms)


# -- quantities the chain side (computation module) needs -----------------------------------------


def planck_to_fixed(planck: int) -> Fixed64:
    """A balance in planck as PHA in 64.64 (rounded towards zero)."""
    return Fixed64.from_rational(planck, PLANCK_PER_PHA)


def fixed_to_planck(pha: Fixed64) -> int:
    """PHA in 64.64 as planck, rounded towards zero (what is actually transferred)."""
    return pha.mul_int_floor(PLANCK_PER_PHA)


def compute_minimal_stake(params: MiningParams, p: int) -> int:
    """Minimal stake in planck for a worker of performance `p`: k * sqrt(P)."""
    return fixed_to_planck(params.k * coarse_sqrt(Fixed64.from_int(p)))


def compute_rig_cost(params: MiningParams, p: int) -> Fixed64:
    """Estimated rig cost in PHA: rig_k * P + rig_b."""
    return params.rig_k * Fixed64.from_int(p) + params.rig_b


def compute_initial_v(params: MiningParams, stake_planck: int, p: int, confidence_level: int) -> Fixed64:
    """Initial V of a worker: ((Re - 1) * conf_score + 1) * (stake + rig_cost), capped at V_max
    by the caller if it wishes (Phala refuses to start above V_max)."""
    tweaked_re = (params.re - ONE) * compute_conf_score(confidence_level) + ONE
    return tweaked_re * (planck_to_fixed(stake_planck) + compute_rig_cost(params, p))


def compute_budget_per_block(
    params: MiningParams, blocks_since_start: int, *, halving_blocks: int, cut: Fixed64
) -> Fixed64:
    """Budget per block after the periodic cut: budget * (1 - cut) ** (elapsed // period).

    The design: cut 25% every 180 days (halving_blocks = 180 * 7200 at 12 s blocks, cut = 0.25).
    """
    if halving_blocks <= 0:
        raise InvalidParameters("halving_blocks must be positive")
    periods = max(blocks_since_start, 0) // halving_blocks
    return params.budget_per_block * (ONE - cut).pow(periods)
