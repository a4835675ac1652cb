"""Ten years of staking eras under the NPoS curve, plotted.

Runs the chain's own exact functions (`phalanx.economics.inflation`) era by era for a sweep of
staking rates and writes two PNG plots:

- `inflation_curve.png`: yearly inflation and staker return against the staked ratio, with the
  ideal point (12.5% return at 40% staked) marked;
- `supply_ten_years.png`: total supply over ten years for a few staking rates. With the treasury
  remainder minted (as pallet-staking does) every era mints the curve's peak whatever the staking
  rate, so that supply is one curve; the per-rate curves show the supply when only the validator
  payout is minted, and the right panel how ten years of minting split between stakers and
  treasury.

Floats appear only here, for plotting. Usage: `python bench/economics.py [--out DIR]
[--era-hours H]`; defaults to bench/out and 6-hour eras.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from phalanx.economics.fixed import Perquintill
from phalanx.economics.inflation import (
    DEFAULT_INFLATION,
    MILLISECONDS_PER_YEAR,
    compute_era_payout,
    compute_inflation,
    compute_staker_return,
)

PLANCK_PER_PHA = 10**12
GENESIS_SUPPLY = 1_000_000_000 * PLANCK_PER_PHA
YEARS = 10
SUPPLY_RATES = (20, 40, 50, 60, 80)


def plot_curve(out: Path) -> Path:
    permille = list(range(10, 1001, 5))
    ratios = [Perquintill.from_rational(p, 1000) for p in permille]
    xs = [p / 10 for p in permille]
    inflation = [100 * float(compute_inflation(r).to_fraction()) for r in ratios]
    returns = [100 * float(compute_staker_return(r).to_fraction()) for r in ratios]

    fig, ax = plt.subplots(figsize=(9, 5.5), dpi=120)
    ax.plot(xs, returns, color="tab:blue", lw=2, label="staker return  I(x) / x")
    ax.plot(xs, inflation, color="tab:orange", lw=2, label="yearly inflation  I(x)")
    ideal_x = 100 * float(DEFAULT_INFLATION.x_ideal.to_fraction())
    ideal_return = 100 * float(compute_staker_return(DEFAULT_INFLATION.x_ideal).to_fraction())
    ax.axvline(ideal_x, color="grey", ls="--", lw=1)
    ax.plot([ideal_x], [ideal_return], "o", color="tab:red", ms=8, zorder=5)
    ax.annotate(
        f"{ideal_return:.1f}% return at {ideal_x:.0f}% staked",
        xy=(ideal_x, ideal_return),
        xytext=(ideal_x + 8, ideal_return + 6),
        arrowprops={"arrowstyle": "->", "color": "tab:red"},
        color="tab:red",
        fontsize=11,
    )
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 40)
    ax.set_xlabel("staked ratio x (% of issuance)")
    ax.set_ylabel("% per year")
    ax.set_title("NPoS curve: x_ideal 40%, i_ideal 12.5%, I0 2.5%, d 5%")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right")
    fig.tight_layout()
    path = out / "inflation_curve.png"
    fig.savefig(path)
    plt.close(fig)
    return path


def simulate_supply(staked_percent: int, era_ms: int) -> dict[str, list[float]]:
    """Ten years of eras at a fixed staked ratio; amounts in millions of PHA.

    Two supplies evolve side by side: `minted_all` mints payout and treasury remainder (the
    chain's rule), `payout_only` mints only the validator payout.
    """
    eras = YEARS * MILLISECONDS_PER_YEAR // era_ms
    minted_all = payout_only = GENESIS_SUPPLY
    to_stakers = to_treasury = 0
    series: dict[str, list[float]] = {"years": [0.0], "minted_all": [1000.0], "payout_only": [1000.0]}
    for era in range(1, eras + 1):
        payout, remainder = compute_era_payout(minted_all * staked_percent // 100, minted_all, era_ms)
        minted_all += payout + remainder
        to_stakers += payout
        to_treasury += remainder
        own_payout, _ = compute_era_payout(payout_only * staked_percent // 100, payout_only, era_ms)
        payout_only += own_payout
        series["years"].append(era * era_ms / MILLISECONDS_PER_YEAR)
        series["minted_all"].append(minted_all / PLANCK_PER_PHA / 1e6)
        series["payout_only"].append(payout_only / PLANCK_PER_PHA / 1e6)
    series["stakers"] = [to_stakers / PLANCK_PER_PHA / 1e6]
    series["treasury"] = [to_treasury / PLANCK_PER_PHA / 1e6]
    series["eras"] = [float(eras)]
    return series


def plot_supply(out: Path, era_ms: int) -> tuple[Path, dict[int, dict[str, list[float]]], int]:
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.5), dpi=120, gridspec_kw={"width_ratios": [3, 2]})
    runs = {rate: simulate_supply(rate, era_ms) for rate in SUPPLY_RATES}
    calls = int(sum(2 * run["eras"][0] for run in runs.values()))
    first = runs[SUPPLY_RATES[0]]
    left.plot(
        first["years"],
        first["minted_all"],
        color="black",
        lw=2.5,
        label=f"remainder minted (any rate): {first['minted_all'][-1]:,.0f}M",
    )
    for rate, run in runs.items():
        left.plot(
            run["years"],
            run["payout_only"],
            lw=1.8,
            ls="--",
            label=f"{rate}% staked, payout only: {run['payout_only'][-1]:,.0f}M",
        )
    left.set_xlabel("years")
    left.set_ylabel("total supply (million PHA)")
    left.set_title("Total supply over ten years (1,000M PHA at genesis)")
    left.grid(alpha=0.3)
    left.legend(loc="upper left", fontsize=9)

    labels = [f"{rate}%" for rate in runs]
    stakers = [run["stakers"][0] for run in runs.values()]
    treasury = [run["treasury"][0] for run in runs.values()]
    right.bar(labels, stakers, color="tab:blue", label="validators and nominators")
    right.bar(labels, treasury, bottom=stakers, color="tab:green", label="treasury remainder")
    right.set_xlabel("staked ratio")
    right.set_ylabel("minted over ten years (million PHA)")
    right.set_title("Who receives the minted PHA")
    right.grid(alpha=0.3, axis="y")
    right.set_ylim(0, 1.2 * max(s + t for s, t in zip(stakers, treasury, strict=True)))
    right.legend(loc="upper center", fontsize=9, ncols=2)
    fig.tight_layout()
    path = out / "supply_ten_years.png"
    fig.savefig(path)
    plt.close(fig)
    return path, runs, calls


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out", help="output folder")
    parser.add_argument("--era-hours", type=int, default=6, help="era length in hours (default 6)")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    curve = plot_curve(out)
    print(f"wrote {curve}")
    started = time.perf_counter()
    supply, runs, calls = plot_supply(out, args.era_hours * 3600 * 1000)
    elapsed = time.perf_counter() - started
    print(f"wrote {supply}")
    for rate, run in runs.items():
        print(
            f"  {rate:3d}% staked: supply {run['minted_all'][-1]:,.1f}M "
            f"(payout only {run['payout_only'][-1]:,.1f}M); stakers {run['stakers'][0]:,.1f}M, "
            f"treasury {run['treasury'][0]:,.1f}M"
        )
    print(f"{calls} era payouts in {elapsed:.2f} s ({calls / elapsed:,.0f} per second, plotting included)")


if __name__ == "__main__":
    main()
