"""Democracy: public proposals, referenda with conviction voting and adaptive quorum biasing.

The only source of the root origin on chains without a sudo key: an approved referendum's call is
dispatched as root after the enactment delay (changing a parameter with a root setter such as
`Staking.set_validator_count`, spending from the Treasury, allowing an enclave measurement or
registering a gatekeeper with the Registry's root calls). See `logic` for the rules and
`phalanx.economics.voting` for the arithmetic. Parameters are genesis parameters
(`genesis_config.DemocracyConfig`).
"""

from __future__ import annotations

from phalanx.runtime.framework import Context, Module
from phalanx.runtime.modules.balances import declarations as balances_d
from phalanx.runtime.modules.democracy import declarations as d
from phalanx.runtime.modules.democracy import logic
from phalanx.runtime.modules.democracy.calls import CALLS
from phalanx.runtime.modules.democracy.genesis_config import DemocracyConfig
from phalanx.runtime.state import State


def genesis(ctx: Context, config: DemocracyConfig) -> None:
    config.check()
    state = ctx.state
    d.LaunchPeriod.put(state, config.launch_period)
    d.VotingPeriod.put(state, config.voting_period)
    d.EnactmentPeriod.put(state, config.enactment_period)
    d.VoteLockingPeriod.put(state, config.vote_locking_period)
    d.MinimumDeposit.put(state, config.minimum_deposit)
    d.MaxProposals.put(state, config.max_proposals)


def invariants(state: State) -> list[str]:
    """Every counted vote is covered by the voter's democracy lock."""
    problems = []
    for who, votes in d.VotingOf.iter(state):
        locks = {lk.id: lk.amount for lk in balances_d.Locks.get(state, who)}
        needed = max((int(v[1]["balance"]) for _, v in votes), default=0)
        if locks.get(d.DEMOCRACY_LOCK, 0) < needed:
            problems.append(f"votes of 0x{who.hex()} are not covered by its lock")
    return problems


MODULE = Module.from_declarations(
    d, CALLS, genesis=lambda ctx, config: genesis(ctx, config.economics.democracy),
    on_initialize=logic.on_initialize, invariants=invariants,
)
