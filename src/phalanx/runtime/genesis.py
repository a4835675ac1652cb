"""Genesis: the state of block 0, written by each module's genesis from the chain spec, in the
composition's order (Staking elects era 0 before Session takes its validators; Session's keys exist
before Validators names each genesis key's stash)."""

from __future__ import annotations

from phalanx.runtime.assembly import MODULES
from phalanx.runtime.chain_spec import GenesisConfig
from phalanx.runtime.framework import Context


def build_genesis(ctx: Context, config: GenesisConfig) -> None:
    """Write the genesis state of every module into `ctx.state` (events are discarded)."""
    for module in MODULES:
        if module.genesis is not None:
            module.genesis(ctx, config)
    ctx.events.clear()
