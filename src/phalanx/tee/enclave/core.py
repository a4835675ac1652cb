"""The enclave's block loop as a pure state machine: `apply(state, FeedBlock) -> (state, effects)`.

One input, a finalized block with its proofs (`chain.verify_block` checks it all before anything
changes). Then, in the block's message order:

1. registry events and gatekeeper messages drive the gatekeeper core (`phalanx.tee.gatekeeper`),
   which every enclave runs: it keeps the registry, and a gatekeeper holding master keys emits key
   shares and contract keys;
2. a contract assigned to this worker gets a slot; its key arrives sealed from the gatekeepers and
   is opened here (commands seen before it wait in the slot, still encrypted);
3. a command to a contract with a key is decrypted with the contract key (origin = the signer the
   chain verified) and executed; refusals change nothing; then `on_block_end` runs per contract.

Effects are data for the driver: `Egress` (signed messages to submit: worker identity with the
worker sequence, gatekeeper group identity, contract egress key with the contract's sequence),
`StoreState` (seal the returned state before any egress of this block leaves: new key material),
`Log` (never secrets or plaintext). Randomness enters only as the input's `entropy`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from phalanx.codec import DecodeError
from phalanx.contracts import (
    ContractContext,
    ContractError,
    Origin,
    create_builtin,
    encode_effect,
    execute_command,
)
from phalanx.crypto import CryptoError, blake2_256
from phalanx.mq import (
    CONTRACT_KEY_TOPIC,
    MASTER_KEY_TOPIC,
    AccountOrigin,
    ContractKeyDistribution,
    ContractOrigin,
    GatekeeperOrigin,
    Message,
    RuntimeOrigin,
    SignedMessage,
    Topic,
    decode_gatekeeper_payload,
)
from phalanx.tee import gatekeeper as gk
from phalanx.tee.enclave.chain import VerifiedBlock, verify_block
from phalanx.tee.enclave.chain_events import (
    REGISTRY_TOPIC,
    ContractAssigned,
    ContractDeployed,
    ContractUnassigned,
    GatekeeperRegistered,
    WorkerRegistered,
    decode_registry_event,
    parse_contract_chain_command_topic,
    parse_contract_command_topic,
)
from phalanx.tee.enclave.errors import MalformedInput
from phalanx.tee.enclave.state import ContractSlot, EnclaveState, PendingCommand
from phalanx.tee.gatekeeper import open_contract_key
from phalanx.wire.command import decrypt_command
from phalanx.wire.enclave_protocol import BlockInput


@dataclass(frozen=True)
class FeedBlock:
    """The next finalized block, and 32 fresh random bytes for the gatekeeper core."""

    block: BlockInput
    entropy: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.entropy, bytes) or len(self.entropy) != 32:
            raise MalformedInput("entropy is 32 bytes")


@dataclass(frozen=True)
class Egress:
    message: SignedMessage


@dataclass(frozen=True)
class StoreState:
    reason: str


@dataclass(frozen=True)
class Log:
    level: str
    text: str


Effect = Egress | StoreState | Log


def apply(state: EnclaveState, event: FeedBlock) -> tuple[EnclaveState, tuple[Effect, ...]]:
    """Apply the next finalized block. Raises a typed `EnclaveError` (state untouched) if it is refused."""
    block = verify_block(state.trust, state.block_number, state.block_hash, event.block, state.light)
    return process_block(state, block, event.entropy)


class _Step:
    """The mutable scratch of one block: the state being built and the effects so far."""

    def __init__(self, state: EnclaveState, block: VerifiedBlock, entropy: bytes) -> None:
        self.state = state
        self.block = block
        self.entropy = entropy
        self.effects: list[Effect] = []
        self.counter = 0
        self.contexts: dict[bytes, ContractContext] = {}

    def context(self, contract_id: bytes) -> ContractContext:
        """The block's context of one contract: its commands and `on_block_end` share one egress sink."""
        ctx = self.contexts.get(contract_id)
        if ctx is None:
            block = self.block
            ctx = ContractContext(contract_id, block.number, block.timestamp_ms, block.hash)
            self.contexts[contract_id] = ctx
        return ctx

    def next_entropy(self) -> bytes:
        self.counter += 1
        return blake2_256(self.entropy + self.counter.to_bytes(4, "little"))

    def log(self, level: str, text: str) -> None:
        self.effects.append(Log(level, text))


def process_block(
    state: EnclaveState, block: VerifiedBlock, entropy: bytes
) -> tuple[EnclaveState, tuple[Effect, ...]]:
    """Execute a verified block; never raises for anything a block may contain."""
    step = _Step(state, block, entropy)
    _drive_gatekeeper(step, gk.BlockStarted(block.number, block.hash))
    applied = 0
    for message in block.messages:
        applied += process_message(step, message)
    _end_block(step)
    step.state = replace(
        step.state,
        block_number=block.number,
        block_hash=block.hash,
        block_timestamp_ms=block.timestamp_ms,
        light=block.light,
    )
    if applied:
        step.log("info", f"block #{block.number}: {applied} contract command(s) processed")
    return step.state, tuple(step.effects)


def process_message(step: _Step, message: Message) -> int:
    """Route one chain message; returns the number of contract commands it processed (0 or 1)."""
    topic, origin = message.topic, message.origin
    try:
        if topic == REGISTRY_TOPIC and isinstance(origin, RuntimeOrigin):
            process_registry_event(step, message.payload)
        elif topic == MASTER_KEY_TOPIC:
            for event in gk.events_from_message(message, step.next_entropy()):
                _drive_gatekeeper(step, event)
        elif topic == CONTRACT_KEY_TOPIC and isinstance(origin, GatekeeperOrigin):
            payload = decode_gatekeeper_payload(message.payload)
            if isinstance(payload, ContractKeyDistribution):
                process_contract_key(step, payload)
        else:
            contract_id = parse_contract_command_topic(topic)
            if contract_id is not None:
                return process_command_message(step, contract_id, message, encrypted=True)
            contract_id = parse_contract_chain_command_topic(topic)
            if contract_id is not None:
                return process_command_message(step, contract_id, message, encrypted=False)
    except DecodeError as exc:
        step.log("error", f"undecodable chain message on {topic.path.decode()}: {exc.message}")
    return 0


def process_registry_event(step: _Step, payload: bytes) -> None:
    event = decode_registry_event(payload)
    me = step.state.identity.public_key
    if isinstance(event, WorkerRegistered):
        _drive_gatekeeper(step, gk.WorkerRegistered(event.worker, event.x25519))
        if event.worker == me:
            step.log("info", "this worker is registered on chain")
    elif isinstance(event, GatekeeperRegistered):
        _drive_gatekeeper(step, gk.GatekeeperRegistered(event.worker, event.x25519, step.next_entropy()))
    elif isinstance(event, ContractDeployed):
        _drive_gatekeeper(step, gk.ContractDeployed(event.contract_id))
    elif isinstance(event, ContractAssigned):
        _drive_gatekeeper(step, gk.ContractAssigned(event.contract_id, event.worker))
        if event.worker == me and step.state.get_contract(event.contract_id) is None:
            _put_slot(step, ContractSlot(event.contract_id))
            step.log("info", f"assigned contract 0x{event.contract_id.hex()}; waiting for its key")
    elif isinstance(event, ContractUnassigned) and event.worker == me:
        kept = tuple(slot for slot in step.state.contracts if slot.contract_id != event.contract_id)
        step.state = replace(step.state, contracts=kept)
        step.log("info", f"contract 0x{event.contract_id.hex()} was unassigned from this worker")


def process_contract_key(step: _Step, payload: ContractKeyDistribution) -> None:
    state = step.state
    if payload.to_worker != state.identity.public_key:
        return
    name = f"contract 0x{payload.contract_id.hex()}"
    slot = state.get_contract(payload.contract_id)
    if slot is None:
        step.log("warning", f"{name}: key received for a contract not assigned to this worker; ignored")
        return
    if any(generation == payload.generation for generation, _ in slot.contract_keys):
        return
    try:
        key = open_contract_key(
            state.x25519,
            payload.contract_id,
            payload.generation,
            state.identity.public_key,
            payload.sealed_key,
        )
    except CryptoError as exc:
        step.log("error", f"{name}: key of generation {payload.generation} does not open: {exc.message}")
        return
    keys = tuple(sorted((*slot.contract_keys, (payload.generation, key))))
    instance = slot.instance
    if instance is None:
        try:
            instance = create_builtin(payload.contract_id)
        except ContractError as exc:
            step.log("error", f"{name}: {exc.message}")
            return
    slot = replace(slot, contract_keys=keys, instance=instance, pending=())
    derived = slot.derived[[generation for generation, _ in keys].index(payload.generation)]
    if derived.x25519.public_key != payload.contract_public:
        step.log("warning", f"{name}: published public key differs from the one derived from the key")
    if derived.egress.public_key != payload.egress_public:
        step.log("warning", f"{name}: published egress key differs from the one derived from the key")
    step.effects.append(StoreState(f"{name}: key of generation {payload.generation}"))
    step.log("info", f"{name}: received its key of generation {payload.generation}")
    pending = _get_pending(step, payload.contract_id)
    _put_slot(step, slot)
    for command in pending:
        ctx = ContractContext(
            payload.contract_id, command.block_number, command.timestamp_ms, command.block_hash
        )
        slot = _run_command(step, slot, ctx, command.origin, command.payload, command.encrypted)
        _flush_egress(step, slot, ctx)
    if pending:
        step.log("info", f"{name}: applied {len(pending)} command(s) that waited for the key")


def process_command_message(step: _Step, contract_id: bytes, message: Message, *, encrypted: bool) -> int:
    """Queue or run a command from `AccountOrigin(account)`: sealed by the account (`encrypted`), or
    composed by the runtime for it in the clear, which the contract runs as `Origin.chain(account)`."""
    slot = step.state.get_contract(contract_id)
    if slot is None:
        return 0
    origin_value = message.origin
    if isinstance(origin_value, AccountOrigin):
        account = origin_value.account
        origin = Origin.signed(account) if encrypted else Origin.chain(account)
    else:
        step.log(
            "warning", f"contract 0x{contract_id.hex()}: command from {type(origin_value).__name__} ignored"
        )
        return 0
    block = step.block
    if not slot.has_key:
        pending = PendingCommand(
            block.number, block.hash, block.timestamp_ms, origin, message.payload, encrypted
        )
        _put_slot(step, replace(slot, pending=(*slot.pending, pending)))
        return 1
    _run_command(step, slot, step.context(contract_id), origin, message.payload, encrypted)
    return 1


def _run_command(
    step: _Step, slot: ContractSlot, ctx: ContractContext, origin: Origin, payload: bytes, encrypted: bool
) -> ContractSlot:
    """Decrypt (with any generation's key) and execute one command; a refusal changes nothing."""
    instance = slot.instance
    if instance is None:
        return slot
    command = _decrypt(slot, origin, payload) if encrypted else payload
    if command is None:
        step.log("info", f"contract 0x{slot.contract_id.hex()}: a command did not decrypt; skipped")
        return slot
    try:
        execute_command(instance, ctx, origin, command)
    except ContractError:
        pass  # a refusal changed nothing; whether and why is private to the sender, so it is not logged
    except Exception as exc:
        step.log("error", f"contract 0x{slot.contract_id.hex()}: command raised {type(exc).__name__}")
    return slot


def _decrypt(slot: ContractSlot, origin: Origin, payload: bytes) -> bytes | None:
    for derived in reversed(slot.derived):  # newest generation first: users encrypt to the newest key
        try:
            return decrypt_command(derived.x25519, slot.contract_id, origin.account, payload)
        except CryptoError:
            continue
    return None


def _end_block(step: _Step) -> None:
    for slot in step.state.contracts:
        if slot.instance is None:
            continue
        ctx = step.context(slot.contract_id)
        try:
            slot.instance.on_block_end(ctx)
        except Exception as exc:
            step.log(
                "error", f"contract 0x{slot.contract_id.hex()}: on_block_end raised {type(exc).__name__}"
            )
        _flush_egress(step, step.state.get_contract(slot.contract_id) or slot, ctx)


def _flush_egress(step: _Step, slot: ContractSlot, ctx: ContractContext) -> None:
    effects = ctx.egress.drain()
    key = slot.egress_key
    if not effects or key is None:
        return
    sequence = slot.egress_sequence
    topic = Topic.contract_egress(slot.contract_id)
    for effect in effects:
        message = Message(ContractOrigin(slot.contract_id), topic, encode_effect(effect))
        step.effects.append(Egress(SignedMessage.sign(message, sequence, key)))
        sequence += 1
    _put_slot(step, replace(slot, egress_sequence=sequence))


def _drive_gatekeeper(step: _Step, event: gk.ChainEvent) -> None:
    state = step.state
    try:
        gk_state, effects = gk.apply(state.gatekeeper, event)
    except gk.GatekeeperError as exc:
        step.log("error", f"gatekeeper refused {type(event).__name__}: {exc.message}")
        return
    worker_sequence = state.worker_sequence
    for effect in effects:
        if isinstance(effect, gk.Emit):
            step.effects.append(Egress(effect.message))
        elif isinstance(effect, gk.EmitAsWorker):
            signed = SignedMessage.sign(effect.message, worker_sequence, state.identity)
            step.effects.append(Egress(signed))
            worker_sequence += 1
        elif isinstance(effect, gk.StoreSealed):
            step.effects.append(StoreState("gatekeeper key material"))
        else:
            step.log(effect.level, f"gatekeeper: {effect.text}")
    step.state = replace(state, gatekeeper=gk_state, worker_sequence=worker_sequence)


def _get_pending(step: _Step, contract_id: bytes) -> tuple[PendingCommand, ...]:
    slot = step.state.get_contract(contract_id)
    return slot.pending if slot is not None else ()


def _put_slot(step: _Step, slot: ContractSlot) -> None:
    kept = [s for s in step.state.contracts if s.contract_id != slot.contract_id]
    kept.append(slot)
    kept.sort(key=lambda s: s.contract_id)
    step.state = replace(step.state, contracts=tuple(kept))
