"""The runtime's composition ("construct_runtime"): which modules, at which pallet indices.

Pallet indices are fixed forever once a chain runs: System 0, Timestamp 1, Balances 2,
TransactionPayment 3, Sudo 4; indices 5-9 are kept free; later modules (staking, session,
governance, treasury, registry, mq, contracts, computation, ...) take 10 and up. Adding a module is
adding it to `MODULES` below; its order there is also the order genesis runs in (`genesis.py`).

Below `MODULES` is the wiring of what one module asks of another (FRAME's `Config`): Staking's
hooks, the Registry's new-worker listeners and Mq's routes. Modules register nothing themselves.
"""

from __future__ import annotations

from phalanx.mq import CONTRACT_KEY_TOPIC, MASTER_KEY_TOPIC, ContractOrigin, GatekeeperOrigin, WorkerOrigin
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
from phalanx.runtime.modules.contracts import logic as contracts_logic
from phalanx.runtime.modules.contracts import routes as contracts_routes
from phalanx.runtime.modules.mq import routing as mq_routing
from phalanx.runtime.modules.registry import hooks as registry_hooks
from phalanx.runtime.modules.registry import routes as registry_routes
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
registry_hooks.on_worker_registered(contracts_logic.assign_new_worker)
mq_routing.register_signers(WorkerOrigin, registry_routes.get_worker_keys)
mq_routing.register_signers(GatekeeperOrigin, registry_routes.get_gatekeeper_keys)
mq_routing.register_signers(ContractOrigin, contracts_routes.get_contract_keys)
mq_routing.register_topic(MASTER_KEY_TOPIC, registry_routes.handle_master_key_message)
mq_routing.register_topic(CONTRACT_KEY_TOPIC, contracts_routes.handle_contract_key_message)
mq_routing.register_sender(ContractOrigin, contracts_routes.handle_egress)

CALLS = RuntimeCallCodec(MODULES)
EVENTS = runtime_event_codec(MODULES)
ERRORS = runtime_error_codec(MODULES)
RUNTIME_CALL.bind(CALLS)
RUNTIME_EVENT.bind(EVENTS)

MODULES_BY_INDEX = {m.index: m for m in MODULES}
