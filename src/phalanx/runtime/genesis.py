"""Genesis: the state of block 0, built by each module's genesis function from the chain spec."""

from __future__ import annotations

from phalanx.runtime.chain_spec import GenesisConfig
from phalanx.runtime.framework import Context
from phalanx.runtime.modules import (
    balances,
    contracts,
    democracy,
    registry,
    session,
    staking,
    sudo,
    timestamp,
    validators,
)


def build_genesis(ctx: Context, config: GenesisConfig) -> None:
    """Write the genesis state of every module into `ctx.state` (events are discarded)."""
    balances.genesis(ctx, config.balances)
    sudo.genesis(ctx, config.sudo_key)
    timestamp.Now.put(ctx.state, config.timestamp_ms)
    config.economics.check()
    elected = staking.genesis(ctx, config.economics.staking, config.dev_authority)
    session.genesis(ctx, config.economics.session, elected)
    democracy.genesis(ctx, config.economics.democracy)
    validators.genesis(ctx, config.validators)
    registry.genesis(ctx, config.registry)
    contracts.genesis(ctx, config.contracts)
    ctx.events.clear()
