"""Contracts logic: deployment, worker assignment, commands, deposits and verified egress effects.

Money rules (public PHA only; private balances live in the enclave):
- `deposit` moves PHA from the depositor into the contract account and queues a chain-origin
  `Deposit` command. The first deposit into an empty account also pays the existential deposit
  (ED), which stays in the account for good: the account is never reaped, so no later deposit is
  burnt as dust.
- A `Withdraw` effect pays out of the contract account, never more than it holds above that ED.
"""

from __future__ import annotations

from collections.abc import Callable

from phalanx.contracts import PublicEvent, Withdraw, compute_builtin_id, get_builtin_names, token
from phalanx.contracts.effects import Effect
from phalanx.crypto import KeyType
from phalanx.mq import AccountOrigin, ContractKeyDistribution, Message, RuntimeOrigin, Topic
from phalanx.runtime.framework import Context, pallet_sub_account
from phalanx.runtime.modules.balances import declarations as balances_d
from phalanx.runtime.modules.balances import logic as balances
from phalanx.runtime.modules.contracts import declarations as d
from phalanx.runtime.modules.mq import logic as mq
from phalanx.runtime.modules.mq import payloads
from phalanx.runtime.modules.registry import declarations as registry_d
from phalanx.runtime.modules.system import logic as system
from phalanx.runtime.state import State

ED = balances_d.EXISTENTIAL_DEPOSIT

DEPOSIT_COMMANDS: dict[str, Callable[[bytes, int], bytes]] = {
    "token": lambda who, amount: token.COMMANDS.encode(token.Deposit(who, amount)),
}
"""How each built-in that accepts deposits spells the chain-origin command that credits `who`."""


def compute_contract_account(contract_id: bytes) -> bytes:
    """The account holding a contract's public PHA: b"modl" ++ b"phx/ctrt" ++ contract_id, cut to 32 bytes
    (Substrate's `PalletId::into_sub_account_truncating`)."""
    return pallet_sub_account(d.ACCOUNT_PALLET_ID, contract_id)


def get_instance(state: State, contract_id: bytes) -> d.ContractInstance:
    instance: d.ContractInstance | None = d.Instances.get(state, contract_id)
    if instance is None:
        raise d.UnknownContract(f"no contract 0x{contract_id.hex()} is deployed")
    return instance


def get_egress_keys(state: State, contract_id: bytes) -> list[tuple[bytes, KeyType]]:
    """The key a contract's egress is signed with: its ed25519 egress key, once the gatekeepers
    published it. Every assigned replica derives the same key and signs byte-identical copies."""
    known: d.ContractPublicKey | None = d.PublicKeys.get(state, contract_id)
    return [] if known is None else [(known.egress_public, KeyType.ED25519)]


# -- deployment and assignment -------------------------------------------------------------------------


def instantiate_builtin(ctx: Context, name: str) -> bytes:
    """Deploy the built-in contract `name` and assign it to registered workers. Emits ContractInstantiated."""
    if name not in get_builtin_names():
        raise d.UnknownBuiltin(f"no built-in contract {name!r}; known: {', '.join(get_builtin_names())}")
    contract_id = compute_builtin_id(name)
    if d.Instances.get(ctx.state, contract_id) is not None:
        raise d.AlreadyInstantiated(f"contract {name!r} (0x{contract_id.hex()}) is deployed already")
    account = compute_contract_account(contract_id)
    d.Instances.put(ctx.state, contract_id, d.ContractInstance(name, account, deployed_at=ctx.block_number))
    ctx.deposit_event(d.ContractInstantiated, contract=contract_id, builtin=name, account=account)
    _tell_enclaves(ctx, payloads.ContractDeployed(contract_id))
    _fill(ctx, contract_id, exclude=b"")
    return contract_id


def assign_new_worker(ctx: Context, worker: bytes) -> None:
    """Give a newly registered worker every contract that has fewer than REPLICAS workers."""
    for contract_id in _contract_ids(ctx.state):
        assigned = list(d.Assignments.get(ctx.state, contract_id))
        if len(assigned) < d.REPLICAS and worker not in assigned:
            _assign(ctx, contract_id, assigned, worker)


def unassign_worker(ctx: Context, worker: bytes) -> None:
    """Take every contract away from `worker` (e.g. unresponsive) and hand it to other registered workers."""
    for contract_id in _contract_ids(ctx.state):
        assigned = list(d.Assignments.get(ctx.state, contract_id))
        if worker in assigned:
            assigned.remove(worker)
            d.Assignments.put(ctx.state, contract_id, assigned)
            ctx.deposit_event(d.WorkerUnassigned, contract=contract_id, worker=worker)
            _tell_enclaves(ctx, payloads.ContractUnassigned(contract_id, worker))
            _fill(ctx, contract_id, exclude=worker)


def _fill(ctx: Context, contract_id: bytes, exclude: bytes) -> None:
    assigned = list(d.Assignments.get(ctx.state, contract_id))
    for worker, _ in registry_d.Workers.iter(ctx.state):
        if len(assigned) >= d.REPLICAS:
            break
        if worker != exclude and worker not in assigned:
            _assign(ctx, contract_id, assigned, worker)


def _assign(ctx: Context, contract_id: bytes, assigned: list[bytes], worker: bytes) -> None:
    assigned.append(worker)
    d.Assignments.put(ctx.state, contract_id, assigned)
    ctx.deposit_event(d.WorkerAssigned, contract=contract_id, worker=worker)
    _tell_enclaves(ctx, payloads.ContractAssigned(contract_id, worker))


def _contract_ids(state: State) -> list[bytes]:
    return [contract_id for contract_id, _ in d.Instances.iter(state)]


def _tell_enclaves(ctx: Context, event: payloads.ContractDeployed | payloads.ContractAssigned
                   | payloads.ContractUnassigned) -> None:  # fmt: skip
    payload = payloads.REGISTRY_EVENT.encode(event)
    mq.queue_for_enclaves(ctx, Message(RuntimeOrigin(), payloads.REGISTRY_TOPIC, payload))


# -- commands and deposits -----------------------------------------------------------------------------


def _next_sequence(ctx: Context, contract_id: bytes) -> int:
    sequence: int = d.CommandSequence.get(ctx.state, contract_id)
    d.CommandSequence.put(ctx.state, contract_id, sequence + 1)
    return sequence


def push_command(ctx: Context, sender: bytes, contract_id: bytes, ciphertext: bytes) -> int:
    """Queue `ciphertext` for the contract's workers, with `sender` as its origin. Emits CommandPushed."""
    get_instance(ctx.state, contract_id)
    if not ciphertext:
        raise d.EmptyCommand("a command needs at least one byte")
    if len(ciphertext) > d.MAX_COMMAND_LEN:
        raise d.CommandTooLarge(f"a command is at most {d.MAX_COMMAND_LEN} bytes, got {len(ciphertext)}")
    sequence = _next_sequence(ctx, contract_id)
    message = Message(AccountOrigin(sender), Topic.contract_command(contract_id), ciphertext)
    mq.queue_for_enclaves(ctx, message)
    ctx.deposit_event(d.CommandPushed, contract=contract_id, sender=sender, sequence=sequence)
    return sequence


def deposit(ctx: Context, who: bytes, contract_id: bytes, amount: int) -> int:
    """Move `amount` public PHA into the contract and queue a chain-origin Deposit. Emits Deposited."""
    instance = get_instance(ctx.state, contract_id)
    make_command = DEPOSIT_COMMANDS.get(instance.builtin)
    if make_command is None:
        raise d.DepositsNotSupported(f"contract {instance.builtin!r} does not accept deposits")
    if amount <= 0:
        raise d.ZeroAmount("deposit a positive amount")
    account = instance.account
    held = system.get_account(ctx.state, account)
    endowment = ED if held.free + held.reserved < ED else 0
    balances.transfer(ctx, who, account, amount + endowment, keep_alive=True)
    sequence = _next_sequence(ctx, contract_id)
    payload = make_command(who, amount)
    message = Message(AccountOrigin(who), Topic.contract_chain_command(contract_id), payload)
    mq.queue_for_enclaves(ctx, message)
    ctx.deposit_event(d.Deposited, contract=contract_id, who=who, amount=amount, sequence=sequence)
    return sequence


# -- what the gatekeepers and contracts send back ------------------------------------------------------


def record_contract_key(ctx: Context, distribution: ContractKeyDistribution) -> None:
    """Publish the contract's X25519 key of a newer generation. Emits ContractKeyPublished when it changes.

    The egress key is taken from the first distribution only: the enclaves sign the contract's
    egress with the key of its first generation, which later generations do not replace.
    """
    contract_id = distribution.contract_id
    get_instance(ctx.state, contract_id)
    known: d.ContractPublicKey | None = d.PublicKeys.get(ctx.state, contract_id)
    if known is not None and (
        known.generation > distribution.generation
        or (known.generation, known.public_key)
        == (distribution.generation, distribution.contract_public)
    ):
        return
    egress = distribution.egress_public if known is None else known.egress_public
    published = d.ContractPublicKey(distribution.generation, distribution.contract_public, egress)
    d.PublicKeys.put(ctx.state, contract_id, published)
    ctx.deposit_event(d.ContractKeyPublished, contract=contract_id, generation=distribution.generation,
                      public_key=distribution.contract_public, egress_public=egress)  # fmt: skip


def execute_effect(ctx: Context, contract_id: bytes, effect: Effect) -> None:
    """Carry out a verified egress effect of the contract. Emits Withdrawn or PublicEventEmitted."""
    instance = get_instance(ctx.state, contract_id)
    if isinstance(effect, Withdraw):
        account = instance.account
        held = system.get_account(ctx.state, account)
        available = max(0, held.free - max(ED, held.frozen))
        if effect.amount > available:
            raise d.InsufficientContractBalance(
                f"the contract account can pay at most {available} planck, the effect asks {effect.amount}"
            )
        balances.transfer(ctx, account, effect.to, effect.amount, keep_alive=True)
        ctx.deposit_event(d.Withdrawn, contract=contract_id, to=effect.to, amount=effect.amount)
    elif isinstance(effect, PublicEvent):
        ctx.deposit_event(
            d.PublicEventEmitted, contract=contract_id, topic=effect.topic, payload=effect.payload
        )
    else:
        raise d.BadEffect(f"unknown effect {type(effect).__name__}")
