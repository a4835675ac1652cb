"""Staking: nominated proof of stake. Bonds, validator and nominator intentions, eras, rewards, slashes.

Shape of an era (Session counts the blocks; see `logic` for the arithmetic):

    bond / bond_extra / unbond / withdraw_unbonded      funds locked under the `staking ` balance lock
    validate(commission) / nominate(targets) / chill    intentions, read at the next election
    era boundary (every SessionsPerEra sessions):       payout fixed from the NPoS curve, remainder of
                                                        the curve's maximum minted to the treasury;
                                                        sequential Phragmén elects ValidatorCount
                                                        validators; exposures stored; the set goes to
                                                        the consensus engine (`hooks`)
    every block:                                        its author earns 20 points in the active era
    payout_stakers(validator, era):                     commission, then pro rata to exposure
    report_equivocation:                                slash (see `slashing`), proceeds to the treasury

Engines: CometBFT receives the elected set through `hooks.on_new_validator_set` (the Validators
module, wired in assembly) and names each block's proposer through `hooks.register_author_finder`.
The dev engine keeps its single dev authority whatever the election says; its blocks are credited
to `FallbackAuthor` (the genesis dev authority), which earns points only if it is also an elected
validator. Parameters are genesis parameters (`genesis_config.StakingConfig`); ValidatorCount can
be changed by root.
"""

from __future__ import annotations

from phalanx.runtime.framework import Context, Module
from phalanx.runtime.modules.balances import declarations as balances_d
from phalanx.runtime.modules.staking import declarations as d
from phalanx.runtime.modules.staking import logic
from phalanx.runtime.modules.staking.calls import CALLS
from phalanx.runtime.modules.staking.genesis_config import Staker, StakingConfig
from phalanx.runtime.state import State

__all__ = ["MODULE", "Staker", "StakingConfig", "genesis"]


def genesis(ctx: Context, config: StakingConfig, fallback_author: bytes | None) -> None:
    """Check and store the parameters, bond the genesis stakers, elect era 0 (`ErasElected[0]`)."""
    config.check()
    state = ctx.state
    d.ValidatorCount.put(state, config.validator_count)
    d.SessionsPerEra.put(state, config.sessions_per_era)
    d.BondingDuration.put(state, config.bonding_duration)
    d.HistoryDepth.put(state, config.history_depth)
    d.MinValidatorBond.put(state, config.min_validator_bond)
    d.MinNominatorBond.put(state, config.min_nominator_bond)
    d.SlashFraction.put(state, config.slash_fraction)
    d.Inflation.put(state, d.InflationConfig(config.x_ideal, config.i_ideal, config.i_0, config.falloff))
    if fallback_author is not None:
        d.FallbackAuthor.put(state, fallback_author)
    for staker in config.stakers:
        logic.bond(ctx, staker.stash, staker.bond)
        if staker.role == "validator":
            logic.validate(ctx, staker.stash, staker.commission)
    for staker in config.stakers:  # nominations after every candidate exists
        if staker.role == "nominator":
            logic.nominate(ctx, staker.stash, list(staker.targets))
    logic.start_era(ctx, None)


def on_initialize(ctx: Context) -> None:
    if ctx.block_number == 1:
        d.GenesisHash.put(ctx.state, ctx.parent_hash)


def on_finalize(ctx: Context) -> None:
    logic.note_block(ctx)


def invariants(state: State) -> list[str]:
    """Ledgers add up and are locked exactly; intentions belong to bonded stashes."""
    problems = []
    ledger: d.StakingLedger
    for stash, ledger in d.Ledger.iter(state):
        if ledger.total != ledger.active + sum(c.value for c in ledger.unlocking):
            problems.append(f"ledger of 0x{stash.hex()} does not add up")
        locks = {lk.id: lk.amount for lk in balances_d.Locks.get(state, stash)}
        if locks.get(d.STAKING_LOCK) != ledger.total:
            problems.append(f"staking lock of 0x{stash.hex()} is not its bonded total")
    for item in (d.Validators, d.Nominators):
        for stash, _ in item.iter(state):
            if d.Ledger.get(state, stash) is None:
                problems.append(f"{item.name} holds unbonded 0x{stash.hex()}")
    return problems


MODULE = Module.from_declarations(
    d, CALLS, genesis=lambda ctx, config: genesis(ctx, config.economics.staking, config.dev_authority),
    on_initialize=on_initialize, on_finalize=on_finalize, invariants=invariants,
)
