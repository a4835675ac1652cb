"""The V/P mining model against Phala's own numerical vectors (the design defaults)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from phalanx.economics.errors import InvalidParameters
from phalanx.economics.fixed import ZERO, Fixed64
from phalanx.economics.mining import (
    MiningParams,
    WorkerTokenomic,
    compute_budget_per_block,
    compute_conf_score,
    compute_heartbeat_payout,
    compute_idle_update,
    compute_initial_v,
    compute_minimal_stake,
    compute_p_instant,
    compute_recover,
    compute_rig_cost,
    compute_share,
    compute_slash,
    compute_sum_share,
    fixed_to_planck,
    fp,
    record_challenge,
    start_mining,
)

# The parameters of Phala's vectors: the design defaults with budget 100 PHA per block, Re 1.3, k 100.
PARAMS = MiningParams.from_design(budget_per_day="720000", re="1.3", k="100")
BLOCK_MS = 12_000


def test_per_block_parameters_have_the_reference_bits() -> None:
    """Converted from hourly/yearly units they equal the literals of Phala's test parameters."""
    assert PARAMS.budget_per_block == fp("100")
    assert PARAMS.slash_rate == fp("0.0000033333333333333240063")
    assert PARAMS.cost_k == fp("0.000000015815258751856933056")
    assert PARAMS.cost_b == fp("0.000033711472602739674283")
    assert PARAMS.rho == fp("1.000000666600231")
    assert PARAMS.payout_ratio == fp("0.8")


def test_rates_per_hour() -> None:
    # Phala's values come from square-and-multiply truncating every step in plain 64.64 (up to
    # 1.4e-17 low); ours keeps guard bits and is within 2**-63 of the exact power, so compare to 1e-16.
    slash_hour = (Fixed64.from_int(1) - PARAMS.slash_rate).pow(300)
    rho_hour = PARAMS.rho.pow(300)
    tolerance = fp("0.0000000000000001")
    assert abs(slash_hour - fp("0.9990004981683704595")) <= tolerance
    assert abs(rho_hour - fp("1.00019999999998037056")) <= tolerance
    exact = (1 - PARAMS.slash_rate.to_fraction()) ** 300
    assert 0 <= exact - slash_hour.to_fraction() < Fraction(2, 2**64)


def _idle(info: WorkerTokenomic, blocks: int) -> WorkerTokenomic:
    for _ in range(blocks):
        info = compute_idle_update(info, PARAMS)
    return info


def test_phala_numerics_vector() -> None:
    """Phala's gatekeeper scenario, step by step, bit for bit.

    Block 2: start mining with V = 3000, P = 100, confidence 2; the block's idle update runs.
    Blocks 3..7202: one day idle. Block 7203: a challenge (still idle). Block 7204: the
    heartbeat answering it (110% performance) is settled against the sum of shares at the start
    of that block. Then a new challenge is missed: 11 idle blocks up to the window's end, then
    300 blocks (one hour) slashed.
    """
    info = start_mining(fp("3000"), 100, confidence_level=2, block_number=2, now_ms=2 * BLOCK_MS)
    info = _idle(info, 1)
    assert info.v == fp("3000.00203509369147797934")
    info = _idle(info, 7200)
    assert info.v == fp("3014.6899337932040476463")
    assert float(info.v.to_fraction()) == pytest.approx(3014.6899337932, abs=1e-10)

    info = _idle(info, 1)  # block 7203 carries the challenge
    sum_share = compute_sum_share([info])
    now = 7204 * BLOCK_MS
    info = compute_p_instant(info, now, 110 * 7200 * 12 // 6)
    assert info.p_instant == fp("109.96945292974173840575")
    info = record_challenge(info, 7203 * BLOCK_MS, 110 * 7200 * 12 // 6)
    settled = compute_heartbeat_payout(info, PARAMS, sum_share, 7204, now)
    assert settled.tokenomic.v == fp("3000")
    assert settled.payout.to_decimal_str(4) == "576424.1848"
    assert settled.treasury.to_decimal_str(4) == "144106.0462"
    # The full bits, for other implementations to compare against.
    assert settled.payout == fp("576424.18482045373233390499")
    assert settled.treasury == fp("144106.04620511343307371119")
    assert fixed_to_planck(settled.payout) == 576424_184820453732

    info = _idle(settled.tokenomic, 11)
    for _ in range(300):
        info = compute_slash(info, PARAMS)
    assert info.v == fp("2997.0260877851113935014")
    assert info.v.to_decimal_str(10) == "2997.0260877851"


def test_legacy_payout_is_capped_at_growth() -> None:
    """Phala's legacy rule (before launch): pay at most what V grew since the last payout."""
    info = start_mining(fp("3000"), 100, confidence_level=2, block_number=2, now_ms=2 * BLOCK_MS)
    info = _idle(info, 7202)
    sum_share = compute_sum_share([info])
    info = compute_p_instant(info, 7204 * BLOCK_MS, 110 * 7200 * 12 // 6)
    settled = compute_heartbeat_payout(info, PARAMS, sum_share, 7204, 7204 * BLOCK_MS, full_payout=False)
    assert settled.payout == fp("14.69197867920878555043")
    assert abs(settled.treasury - fp("3.6729946698021946595")) < fp("0.00000000000001")
    assert settled.tokenomic.v == fp("3000")


def test_payout_at_v_max() -> None:
    """At V_max V cannot grow, but the growth is still owed and paid (Phala's vector)."""
    info = start_mining(fp("30000"), 3000, confidence_level=2, block_number=2, now_ms=2 * BLOCK_MS)
    info = _idle(info, 7202)
    assert info.v == PARAMS.v_max
    sum_share = compute_sum_share([info])
    info = compute_p_instant(info, 7204 * BLOCK_MS, 1_000_000)
    settled = compute_heartbeat_payout(info, PARAMS, sum_share, 7204, 7204 * BLOCK_MS, full_payout=False)
    assert settled.tokenomic.v == fp("29855.38985958385856094607")
    assert settled.payout == fp("144.61014041614143905393")
    assert settled.tokenomic.v_deductible == ZERO


def test_heartbeat_pays_nothing_twice_in_a_block_or_without_growth() -> None:
    info = start_mining(fp("3000"), 100, 1, block_number=5, now_ms=5 * BLOCK_MS)
    share = compute_share(info)
    assert compute_heartbeat_payout(info, PARAMS, share, 6, 6 * BLOCK_MS).payout == ZERO  # no growth
    grown = _idle(info, 3)
    first = compute_heartbeat_payout(grown, PARAMS, compute_share(grown), 8, 8 * BLOCK_MS)
    assert first.payout > ZERO
    again = compute_heartbeat_payout(first.tokenomic, PARAMS, compute_share(grown), 8, 8 * BLOCK_MS)
    assert again.payout == ZERO
    assert compute_heartbeat_payout(grown, PARAMS, ZERO, 8, 8 * BLOCK_MS).payout == ZERO


def test_two_equal_workers_split_the_budget() -> None:
    a = _idle(start_mining(fp("3000"), 100, 1, block_number=1, now_ms=BLOCK_MS), 10)
    total = compute_sum_share([a, a])
    settled = compute_heartbeat_payout(a, PARAMS, total, 11, 11 * BLOCK_MS)
    # Half of 10 blocks * 100 PHA, 80% to the worker (within rounding of the share ratio).
    assert abs(settled.payout - fp("400")) < fp("0.000000001")
    assert abs(settled.treasury - fp("100")) < fp("0.000000001")


def test_recover_forfeits_the_gap() -> None:
    info = _idle(start_mining(fp("3000"), 100, 1, block_number=1, now_ms=BLOCK_MS), 5)
    recovered = compute_recover(info, 20, 20 * BLOCK_MS)
    assert recovered.v == info.v and recovered.v_deductible == ZERO and recovered.v_update_block == 20


def test_p_instant_measurement() -> None:
    info = start_mining(fp("1"), 100, 1, block_number=1, now_ms=0)
    info = record_challenge(info, 90_000, 1000)
    # 1000 iterations in 10 s is 600 per 6 s, capped at P_bench * 1.2 (1.2 as the nearest 64.64).
    assert compute_p_instant(info, 100_000, 2000).p_instant == fp("100") * fp("1.2")
    assert compute_p_instant(info, 100_000, 1100).p_instant == fp("60")
    # A counter that went backwards restarts the measurement from it.
    assert compute_p_instant(info, 200_000, 999).p_instant == ZERO
    # No time elapsed: unchanged.
    assert compute_p_instant(info, 90_000, 5000) == info


def test_conf_scores() -> None:
    assert [compute_conf_score(level) for level in (1, 2, 3, 4, 5, 128, 0, 6)] == [
        fp("1"),
        fp("1"),
        fp("1"),
        fp("0.8"),
        fp("0.7"),
        fp("1"),
        ZERO,
        ZERO,
    ]


def test_stake_and_initial_v_vectors() -> None:
    """Phala's pallet vectors: minimal stake, rig cost and initial V per confidence level."""
    assert compute_minimal_stake(PARAMS, 1000) == 3162_277660146355
    assert compute_rig_cost(PARAMS, 500) == fp("150.0000000000000000054")
    assert compute_rig_cost(PARAMS, 2000) == fp("600.0000000000000000217")
    assert compute_rig_cost(PARAMS, 2800) == fp("840.00000000000000003036")
    stake = 1000 * 10**12
    assert compute_initial_v(PARAMS, stake, 1000, 1) == fp("1690.0000000000000000282")
    assert compute_initial_v(PARAMS, stake, 1000, 3) == fp("1690.0000000000000000282")
    assert compute_initial_v(PARAMS, stake, 1000, 4) == fp("1612.0000000000000000247")
    assert compute_initial_v(PARAMS, stake, 1000, 5) == fp("1572.9999999999999999877")


def test_budget_cut_every_period() -> None:
    period = 180 * 7200
    cut = fp("0.25")
    assert compute_budget_per_block(PARAMS, period - 1, halving_blocks=period, cut=cut) == fp("100")
    assert compute_budget_per_block(PARAMS, period, halving_blocks=period, cut=cut) == fp("75")
    assert compute_budget_per_block(PARAMS, 2 * period, halving_blocks=period, cut=cut) == fp("56.25")
    design = MiningParams.from_design()
    assert design.budget_per_block == fp("100")  # 720,000 PHA a day over 7,200 blocks


def test_params_are_validated() -> None:
    with pytest.raises(InvalidParameters):
        MiningParams.from_design(rho_per_block="0.99")
    with pytest.raises(InvalidParameters):
        MiningParams.from_design(treasury_ratio="1.5")
    with pytest.raises(InvalidParameters):
        MiningParams.from_design(heartbeat_window=0)
