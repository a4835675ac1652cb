"""Staking logic: bonding, intentions, eras, elections, reward points and payouts, over explicit state.

Eras: an era is `SessionsPerEra` sessions (Session drives the clock). When an era ends its payout
is fixed from the NPoS curve (`phalanx.economics.inflation.compute_era_payout`: the staked ratio is
the era's total exposure over TotalIssuance, the length is the era's span in block time); the part
of the curve's maximum that stakers did not earn is minted to the treasury at once, the stakers'
part is minted when `payout_stakers` claims it. The next era's validators are elected at once by
sequential Phragmén (`phalanx.economics.phragmen.elect`) over the validator candidates (each
backing itself with its active bond) and the nominations, and their exposures are stored.

Payout of a validator for an era: its share of the era payout is points / total points; its
commission comes first, the rest is split pro rata to the exposure (its own stake and each
nominator's), every amount rounded down. Rewards go to the free balance of each stash (not
re-bonded).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from phalanx.economics.fixed import Perbill, Perquintill
from phalanx.economics.inflation import InflationParams, compute_era_payout
from phalanx.economics.phragmen import elect
from phalanx.runtime.framework import Context
from phalanx.runtime.modules.balances import declarations as balances_d
from phalanx.runtime.modules.balances import logic as balances
from phalanx.runtime.modules.staking import declarations as d
from phalanx.runtime.modules.staking import hooks
from phalanx.runtime.modules.timestamp.declarations import Now
from phalanx.runtime.modules.treasury import logic as treasury
from phalanx.runtime.state import State

ED = balances_d.EXISTENTIAL_DEPOSIT
PERBILL_ONE = Perbill.ACCURACY

# -- reads ---------------------------------------------------------------------------------------------


def active_era(state: State) -> int | None:
    info: d.ActiveEraInfo | None = d.ActiveEra.get(state)
    return None if info is None else info.index


def current_era(state: State) -> int:
    era = d.CurrentEra.get(state)
    return 0 if era is None else int(era)


def get_ledger(state: State, stash: bytes) -> d.StakingLedger:
    ledger: d.StakingLedger | None = d.Ledger.get(state, stash)
    if ledger is None:
        raise d.NotStash("the account has nothing bonded; bond first")
    return ledger


def inflation_params(state: State) -> InflationParams:
    cfg: d.InflationConfig | None = d.Inflation.get(state)
    if cfg is None:
        return InflationParams()
    return InflationParams(
        Perquintill(cfg.x_ideal), Perquintill(cfg.i_ideal), Perquintill(cfg.i_0), Perquintill(cfg.falloff)
    )


# -- bonding -------------------------------------------------------------------------------------------


def put_ledger(ctx: Context, ledger: d.StakingLedger) -> None:
    """Store a ledger and lock exactly its total; a ledger with nothing left is removed with its roles."""
    stash = ledger.stash
    if ledger.total == 0:
        d.Ledger.remove(ctx.state, stash)
        d.Validators.remove(ctx.state, stash)
        d.Nominators.remove(ctx.state, stash)
        balances.remove_lock(ctx, d.STAKING_LOCK, stash)
        return
    d.Ledger.put(ctx.state, stash, ledger)
    balances.set_lock(ctx, d.STAKING_LOCK, stash, ledger.total)


def _free_to_bond(ctx: Context, stash: bytes, already: int) -> int:
    return max(0, balances.free_balance(ctx, stash) - already)


def bond(ctx: Context, stash: bytes, value: int) -> None:
    """Lock `value` of the stash's free balance as its active bond. Emits Bonded."""
    if d.Ledger.get(ctx.state, stash) is not None:
        raise d.AlreadyBonded("this stash is already bonded; use bond_extra")
    if value < ED:
        raise d.InsufficientBond(f"a bond must be at least the existential deposit ({ED} planck)")
    if value > _free_to_bond(ctx, stash, 0):
        raise balances_d.InsufficientBalance(f"cannot bond {value}: the free balance is lower")
    put_ledger(ctx, d.StakingLedger(stash, total=value, active=value, unlocking=[]))
    ctx.deposit_event(d.Bonded, stash=stash, amount=value)


def bond_extra(ctx: Context, stash: bytes, value: int) -> None:
    ledger = get_ledger(ctx.state, stash)
    if value == 0:
        raise d.ZeroValue("bond_extra needs an amount above zero")
    if value > _free_to_bond(ctx, stash, ledger.total):
        raise balances_d.InsufficientBalance(f"cannot bond {value} more: the unbonded free balance is lower")
    put_ledger(ctx, replace(ledger, total=ledger.total + value, active=ledger.active + value))
    ctx.deposit_event(d.Bonded, stash=stash, amount=value)


def _min_bond_for_role(state: State, stash: bytes) -> int:
    if d.Validators.get(state, stash) is not None:
        return int(d.MinValidatorBond.get(state))
    if d.Nominators.get(state, stash) is not None:
        return int(d.MinNominatorBond.get(state))
    return 0


def unbond(ctx: Context, stash: bytes, value: int) -> int:
    """Schedule up to `value` of the active bond to unlock after BondingDuration eras; returns the amount.

    A remaining active bond below the existential deposit is unbonded too; one below the minimum
    bond of the stash's role is refused (InsufficientBond: chill first).
    """
    ledger = get_ledger(ctx.state, stash)
    value = min(value, ledger.active)
    if value == 0:
        raise d.ZeroValue("nothing to unbond")
    remaining = ledger.active - value
    if remaining < ED:
        value, remaining = ledger.active, 0
    minimum = _min_bond_for_role(ctx.state, stash)
    if remaining < minimum:
        raise d.InsufficientBond(
            f"the active bond would fall below the role's minimum of {minimum}; chill first"
        )
    era = current_era(ctx.state) + int(d.BondingDuration.get(ctx.state))
    chunks = list(ledger.unlocking)
    if chunks and chunks[-1].era == era:
        chunks[-1] = replace(chunks[-1], value=chunks[-1].value + value)
    elif len(chunks) >= d.MAX_UNLOCKING_CHUNKS:
        raise d.NoMoreChunks("too many unlocking chunks; withdraw_unbonded first")
    else:
        chunks.append(d.UnlockChunk(value, era))
    put_ledger(ctx, replace(ledger, active=remaining, unlocking=chunks))
    ctx.deposit_event(d.Unbonded, stash=stash, amount=value)
    return value


def withdraw_unbonded(ctx: Context, stash: bytes) -> int:
    """Unlock every chunk whose era has come; returns the amount. Emits Withdrawn."""
    ledger = get_ledger(ctx.state, stash)
    era = active_era(ctx.state) or 0
    kept = [c for c in ledger.unlocking if c.era > era]
    freed = sum(c.value for c in ledger.unlocking) - sum(c.value for c in kept)
    if freed:
        put_ledger(ctx, replace(ledger, unlocking=kept, total=ledger.total - freed))
        ctx.deposit_event(d.Withdrawn, stash=stash, amount=freed)
    return freed


# -- intentions ----------------------------------------------------------------------------------------


def validate(ctx: Context, stash: bytes, commission: int, blocked: bool = False) -> None:
    ledger = get_ledger(ctx.state, stash)
    minimum = int(d.MinValidatorBond.get(ctx.state))
    if ledger.active < minimum:
        raise d.InsufficientBond(f"a validator needs an active bond of at least {minimum} planck")
    if not 0 <= commission <= PERBILL_ONE:
        raise d.InvalidParameter(f"commission is a Perbill (0..{PERBILL_ONE}), got {commission}")
    prefs = d.ValidatorPrefs(commission, blocked)
    d.Nominators.remove(ctx.state, stash)
    d.Validators.put(ctx.state, stash, prefs)
    ctx.deposit_event(d.ValidatorPrefsSet, stash=stash, prefs=prefs)


def nominate(ctx: Context, stash: bytes, targets: list[bytes]) -> None:
    ledger = get_ledger(ctx.state, stash)
    minimum = int(d.MinNominatorBond.get(ctx.state))
    if ledger.active < minimum:
        raise d.InsufficientBond(f"a nominator needs an active bond of at least {minimum} planck")
    if not targets:
        raise d.EmptyTargets("name at least one validator")
    if len(targets) > d.MAX_NOMINATIONS or len(set(targets)) != len(targets):
        raise d.InvalidNumberOfNominations(f"at most {d.MAX_NOMINATIONS} distinct targets")
    for target in targets:
        prefs: d.ValidatorPrefs | None = d.Validators.get(ctx.state, target)
        if prefs is None or (prefs.blocked and target != stash):
            raise d.BadTarget(f"0x{target.hex()} is not a validator candidate open to nominations")
    d.Validators.remove(ctx.state, stash)
    d.Nominators.put(ctx.state, stash, d.Nominations(targets, current_era(ctx.state), suppressed=False))
    ctx.deposit_event(d.Nominated, stash=stash, targets=targets)


def chill(ctx: Context, stash: bytes) -> None:
    was = d.Validators.get(ctx.state, stash) is not None or d.Nominators.get(ctx.state, stash) is not None
    d.Validators.remove(ctx.state, stash)
    d.Nominators.remove(ctx.state, stash)
    if was:
        ctx.deposit_event(d.Chilled, stash=stash)


# -- eras ----------------------------------------------------------------------------------------------


def compute_election(state: State, seats: int) -> Any:
    """Sequential Phragmén over the stored candidates and nominations (pure read of `state`)."""
    candidates: list[bytes] = []
    voters: list[tuple[bytes, int, list[bytes]]] = []
    for stash, _prefs in d.Validators.iter(state):
        ledger: d.StakingLedger | None = d.Ledger.get(state, stash)
        if ledger is None:
            continue
        candidates.append(stash)
        voters.append((stash, ledger.active, [stash]))
    nominations: d.Nominations
    for stash, nominations in d.Nominators.iter(state):
        ledger = d.Ledger.get(state, stash)
        if ledger is None:
            continue
        voters.append((stash, ledger.active, list(nominations.targets)))
    return elect(candidates, voters, seats)


def start_era(ctx: Context, start_ms: int | None) -> list[bytes]:
    """Elect and activate the next era; returns its validators (the previous set if nobody is electable)."""
    state = ctx.state
    previous = active_era(state)
    era = 0 if previous is None else previous + 1
    result = compute_election(state, int(d.ValidatorCount.get(state)))
    winners = list(result.winners)
    if winners:
        total = 0
        for w in winners:
            exposure = result.exposures[w]
            d.ErasStakers.put(
                state,
                (era, w),
                d.Exposure(
                    exposure.total,
                    exposure.own,
                    [d.IndividualExposure(b.who, b.value) for b in exposure.others],
                ),
            )
            d.ErasValidatorPrefs.put(state, (era, w), d.Validators.get(state, w))
            total += exposure.total
    elif previous is not None:  # keep the old set and its exposures rather than halt
        winners = list(d.ErasElected.get(state, previous))
        total = int(d.ErasTotalStake.get(state, previous))
        for w in winners:
            d.ErasStakers.put(state, (era, w), d.ErasStakers.get(state, (previous, w)))
            d.ErasValidatorPrefs.put(state, (era, w), d.ErasValidatorPrefs.get(state, (previous, w)))
    else:
        total = 0
    d.ErasElected.put(state, era, winners)
    d.ErasTotalStake.put(state, era, total)
    d.CurrentEra.put(state, era)
    d.ActiveEra.put(state, d.ActiveEraInfo(era, start_ms))
    _prune(ctx, era - int(d.HistoryDepth.get(state)) - 1)
    ctx.deposit_event(d.StakersElected, era_index=era, validators=winners)
    hooks.notify_validator_set(ctx, era, [(w, _exposure(state, era, w).total) for w in winners])
    return winners


def _exposure(state: State, era: int, validator: bytes) -> d.Exposure:
    exposure: d.Exposure = d.ErasStakers.get(state, (era, validator))
    return exposure


def _prune(ctx: Context, era: int) -> None:
    if era < 0:
        return
    state = ctx.state
    for w in d.ErasElected.get(state, era):
        for item in (d.ErasStakers, d.ErasValidatorPrefs, d.ClaimedRewards, d.OffenceReported):
            item.remove(state, (era, w))
    for item in (d.ErasElected, d.ErasTotalStake, d.ErasValidatorReward, d.ErasRewardPoints):
        item.remove(state, era)


def end_era(ctx: Context, now_ms: int) -> None:
    """Fix the payout of the active era and mint the treasury's remainder. Emits EraPaid."""
    state = ctx.state
    info: d.ActiveEraInfo | None = d.ActiveEra.get(state)
    if info is None:
        return
    era = info.index
    duration = 0 if info.start is None else max(0, now_ms - info.start)
    issuance = balances_d.TotalIssuance.get(state)
    payout, remainder = compute_era_payout(
        int(d.ErasTotalStake.get(state, era)), issuance, duration, inflation_params(state)
    )
    d.ErasValidatorReward.put(state, era, payout)
    treasury.mint(ctx, remainder)
    ctx.deposit_event(d.EraPaid, era_index=era, validator_payout=payout, remainder=remainder)


def new_session(ctx: Context, session_index: int) -> list[bytes] | None:
    """Called by Session when session `session_index` begins; at an era boundary ends the era and elects."""
    if session_index % int(d.SessionsPerEra.get(ctx.state)) != 0:
        return None
    now = int(Now.get(ctx.state))  # the previous block's time: this block's inherent has not run yet
    end_era(ctx, now)
    return start_era(ctx, now)


def note_block(ctx: Context) -> None:
    """End of every block: start the era clock if unset, credit the author's points."""
    state = ctx.state
    info: d.ActiveEraInfo | None = d.ActiveEra.get(state)
    if info is None:
        return
    era = info.index
    if info.start is None:
        d.ActiveEra.put(state, replace(info, start=int(Now.get(state))))
    author = hooks.find_author(ctx) or d.FallbackAuthor.get(state)
    if author is None or d.ErasStakers.get(state, (era, author)) is None:
        return
    add_points(ctx, era, author, d.POINTS_PER_BLOCK)


def add_points(ctx: Context, era: int, stash: bytes, points: int) -> None:
    record: d.EraRewardPoints = d.ErasRewardPoints.get(ctx.state, era)
    individual = dict(record.individual)
    individual[stash] = individual.get(stash, 0) + points
    updated = d.EraRewardPoints(record.total + points, sorted(individual.items()))
    d.ErasRewardPoints.put(ctx.state, era, updated)


# -- payouts -------------------------------------------------------------------------------------------


def payout_stakers(ctx: Context, validator: bytes, era: int) -> int:
    """Pay the validator and its nominators for `era`; returns the planck minted. Emits Rewarded."""
    state = ctx.state
    active = active_era(state)
    depth = int(d.HistoryDepth.get(state))
    if active is None or era >= active or era + depth < active:
        raise d.InvalidEraToReward(f"era {era} is not a finished era within the last {depth} eras")
    reward = d.ErasValidatorReward.get(state, era)
    if reward is None:
        raise d.InvalidEraToReward(f"era {era} has no recorded payout")
    exposure: d.Exposure | None = d.ErasStakers.get(state, (era, validator))
    if exposure is None:
        raise d.NotElected(f"0x{validator.hex()} was not an elected validator in era {era}")
    if d.ClaimedRewards.get(state, (era, validator)):
        raise d.AlreadyClaimed(f"era {era} is already paid for this validator")
    d.ClaimedRewards.put(state, (era, validator), True)
    points: d.EraRewardPoints = d.ErasRewardPoints.get(state, era)
    mine = dict(points.individual).get(validator, 0)
    if mine == 0 or exposure.total == 0:
        return 0
    validator_total = int(reward) * mine // points.total
    prefs: d.ValidatorPrefs | None = d.ErasValidatorPrefs.get(state, (era, validator))
    commission = Perbill(0 if prefs is None else prefs.commission).mul_floor(validator_total)
    leftover = validator_total - commission
    paid = _reward(ctx, validator, commission + leftover * exposure.own // exposure.total)
    for other in exposure.others:
        paid += _reward(ctx, other.who, leftover * other.value // exposure.total)
    return paid


def _reward(ctx: Context, stash: bytes, amount: int) -> int:
    if amount <= 0 or (balances.free_balance(ctx, stash) == 0 and amount < ED):
        return 0
    balances.deposit(ctx, stash, amount)
    ctx.deposit_event(d.Rewarded, stash=stash, amount=amount)
    return amount


# -- parameters ----------------------------------------------------------------------------------------


def set_validator_count(ctx: Context, new: int) -> None:
    if new > 1000:
        raise d.InvalidParameter("at most 1000 validators")
    d.ValidatorCount.put(ctx.state, new)
    ctx.deposit_event(d.ParameterSet, name=b"ValidatorCount", value=new)
