"""The runtime's composition ("construct_runtime"): which modules, at which pallet indices.

Pallet indices are fixed forever once a chain runs: System 0, Timestamp 1, Balances 2,
TransactionPayment 3, Sudo 4; indices 5-9 are kept free; later modules (staking, session,
governance, treasury, registry, mq, contracts, computation, ...) take 10 and up. Adding a module is
adding it to `MODULES` below (and its genesis to `build_genesis` in `genesis.py` if it has one).
"""

from __future__ import annotations

from phalanx.runtime.dispatch import RuntimeCallCodec, runtime_error_codec, runtime_event_codec
from phalanx.runtime.framework import RUNTIME_CALL, RUNTIME_EVENT, Module
from phalanx.runtime.modules import (
    balances,
    contracts,
    democracy,
    mq,
    registry,
    session,
    staking,
    sudo,
    system,
    timestamp,
    transaction_payment,
    treasury,
    validators,
)
from phalanx.runtime.modules.staking import hooks as staking_hooks

MODULES: tuple[Module, ...] = (
    system.MODULE,
    timestamp.MODULE,
    balances.MODULE,
    transaction_payment.MODULE,
    sudo.MODULE,
    staking.MODULE,
    session.MODULE,
    treasury.MODULE,
    democracy.MODULE,
    validators.MODULE,
    registry.MODULE,
    mq.MODULE,
    contracts.MODULE,
)


def _check(modules: tuple[Module, ...]) -> None:
    indices = [m.index for m in modules]
    names = [m.name for m in modules]
    if len(set(indices)) != len(indices) or len(set(names)) != len(names):
        raise ValueError("module names and pallet indices must be unique")


_check(MODULES)

# Cross-module hooks (FRAME's `Config`): what a module asks of others is wired here, once, so that
# importing a module never changes what another one does.
staking_hooks.on_new_validator_set(validators.on_new_validator_set)
staking_hooks.register_author_finder(validators.block_author)

CALLS = RuntimeCallCodec(MODULES)
EVENTS = runtime_event_codec(MODULES)
ERRORS = runtime_error_codec(MODULES)
RUNTIME_CALL.bind(CALLS)
RUNTIME_EVENT.bind(EVENTS)

MODULES_BY_INDEX = {m.index: m for m in MODULES}
