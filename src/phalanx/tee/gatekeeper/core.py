"""The gatekeeper core: a pure state machine, `apply(state, event) -> (state, effects)`.

No I/O, no clock, no randomness but the `entropy` carried by events: the enclave's driver feeds
chain events in block order and executes the effects. What the group of gatekeepers does:

1. Genesis of the master key. The first gatekeeper registered makes generation 0 from its entropy,
   seals it to disk and publishes its public identity as a worker (the chain trusts it because it
   knows that worker is the only gatekeeper). Everyone else records that generation 0 now exists.
2. Key handover. When another gatekeeper registers, the group shares every generation with it,
   sealed to its attested X25519 key; the newcomer opens its shares and serves like the others.
3. Contract keys. When the chain assigns a deployed contract to a registered worker, the group
   sends that worker the contract key of every generation since the contract was deployed. Keys
   go to assigned workers only; assignments made before any master key exists are served when
   generation 0 is made.
4. Rotation. When governance asks for generation n+1, the first gatekeeper makes it from entropy
   and publishes it (signed with generation n), shares it with every other gatekeeper and sends
   every assigned worker its contract keys of n+1; old generations are kept for old data.

Every message the group sends is *planned* by all gatekeepers alike from the events alone, and
takes the group's next sequence number; each gatekeeper then produces the messages it holds the
keys for. Signatures (ed25519) and sealing randomness derive from the master key, so all holders
produce byte-identical messages and the chain keeps one copy of each; a gatekeeper that cannot
produce a message (a newcomer waiting for its share) still advances the sequence, so it agrees
with the others once it holds the key.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TypeVar

from phalanx.crypto import CryptoError
from phalanx.crypto.box import X25519Keypair
from phalanx.mq import (
    MASTER_KEY_TOPIC,
    ContractKeyDistribution,
    GatekeeperOrigin,
    GatekeeperPayload,
    MasterKeyShare,
    Message,
    SignedMessage,
    WorkerOrigin,
    encode_gatekeeper_payload,
    topic_of,
)
from phalanx.mq import MasterKeyPublished as PublishedPayload
from phalanx.tee.gatekeeper.errors import InvalidEvent
from phalanx.tee.gatekeeper.events import (
    BlockStarted,
    ChainEvent,
    ContractAssigned,
    ContractDeployed,
    Effect,
    Emit,
    EmitAsWorker,
    GatekeeperRegistered,
    Log,
    MasterKeyPublished,
    MasterKeyShareReceived,
    RotationRequested,
    StoreSealed,
    WorkerRegistered,
)
from phalanx.tee.gatekeeper.keys import (
    compute_contract_key,
    compute_contract_keys,
    compute_gatekeeper_identity,
    compute_sealing_randomness,
    open_master_share,
    seal_contract_key,
    seal_master_share,
)
from phalanx.tee.gatekeeper.state import ZERO_HASH, GatekeeperState, encode_state

SNAPSHOT_NAME = "gatekeeper-state"
K = TypeVar("K", bytes, int)
V = TypeVar("V", bytes, int)
_PROBE = X25519Keypair.from_secret(b"\x01" * 32)


@dataclass(frozen=True)
class Plan:
    """One message the gatekeeper group sends, before it has a sequence number or bytes.

    `kind` is "publish" (the public identity of `generation`), "share" (the master key of
    `generation` to gatekeeper `to_worker`) or "contract" (the key of `contract_id` at `generation`
    to worker `to_worker`); `signing_generation` is the master key whose identity signs it.
    """

    kind: str
    generation: int
    signing_generation: int
    to_worker: bytes = b""
    to_x25519: bytes = b""
    contract_id: bytes = b""


Step = tuple[GatekeeperState, list[Effect], list[Plan]]


def apply(state: GatekeeperState, event: ChainEvent) -> tuple[GatekeeperState, tuple[Effect, ...]]:
    """Process one chain event. Raises only `GatekeeperError` / `PhalanxError` subclasses."""
    if isinstance(event, BlockStarted):
        return process_block_started(state, event), ()
    if isinstance(event, GatekeeperRegistered):
        step = process_gatekeeper_registered(state, event)
    elif isinstance(event, MasterKeyPublished):
        step = process_master_key_published(state, event)
    elif isinstance(event, MasterKeyShareReceived):
        step = process_master_key_share(state, event)
    elif isinstance(event, WorkerRegistered):
        step = process_worker_registered(state, event)
    elif isinstance(event, ContractDeployed):
        step = process_contract_deployed(state, event)
    elif isinstance(event, ContractAssigned):
        step = process_contract_assigned(state, event)
    elif isinstance(event, RotationRequested):
        step = process_rotation_requested(state, event)
    else:
        raise InvalidEvent(f"the gatekeeper does not handle {type(event).__name__}")
    new_state, effects, plans = step
    new_state, emitted = _send(new_state, plans)
    if new_state.masters != state.masters:
        # Persist new key material before anything that depends on it leaves the enclave.
        effects.insert(0, StoreSealed(SNAPSHOT_NAME, encode_state(new_state)))
    return new_state, (*effects, *emitted)


# --- event handlers -------------------------------------------------------------------------------


def process_block_started(state: GatekeeperState, event: BlockStarted) -> GatekeeperState:
    fresh = state.block_number == 0 and state.block_hash == ZERO_HASH
    if not fresh and event.number <= state.block_number:
        raise InvalidEvent(f"block #{event.number} does not follow block #{state.block_number}")
    return replace(state, block_number=event.number, block_hash=event.hash)


def process_gatekeeper_registered(state: GatekeeperState, event: GatekeeperRegistered) -> Step:
    if state.is_gatekeeper(event.worker):
        return state, [Log("warning", f"gatekeeper {event.worker.hex()} is already registered")], []
    if not is_usable_x25519(event.x25519):
        return state, [Log("warning", f"gatekeeper {event.worker.hex()} has an unusable X25519 key")], []
    state = _upsert_worker(state, event.worker, event.x25519)
    state = replace(state, gatekeepers=(*state.gatekeepers, (event.worker, event.x25519)))
    is_self = event.worker == state.identity
    if state.generations == 0:
        return _make_first_generation(state, event.entropy if is_self else None)
    newest = state.generations - 1
    plans = [
        Plan("share", generation, newest, event.worker, event.x25519)
        for generation in range(state.generations)
    ]
    effects: list[Effect] = []
    if is_self:
        effects.append(
            Log("info", f"registered as a gatekeeper; awaiting {state.generations} master-key share(s)")
        )
    return state, effects, plans


def _make_first_generation(state: GatekeeperState, entropy: bytes | None) -> Step:
    state = replace(state, generations=1)
    effects: list[Effect] = []
    if entropy is not None:
        state = replace(state, masters=((0, entropy),))
        public = compute_gatekeeper_identity(entropy).public_key
        message = Message(
            WorkerOrigin(state.identity),
            MASTER_KEY_TOPIC,
            encode_gatekeeper_payload(PublishedPayload(0, public)),
        )
        effects += [Log("info", "made master key generation 0"), EmitAsWorker(message)]
    plans = [_contract_plan(state, contract_id, worker, 0, 0) for contract_id, worker in state.assignments]
    return state, effects, plans


def process_master_key_published(state: GatekeeperState, event: MasterKeyPublished) -> Step:
    effects: list[Effect] = []
    known = state.get_published(event.generation)
    if known is not None:
        if known != event.master_public:
            effects.append(Log("error", f"generation {event.generation} published twice; keeping the first"))
        return state, effects, []
    state = replace(state, published=_put(state.published, event.generation, event.master_public))
    master = state.get_master(event.generation)
    if master is not None and compute_gatekeeper_identity(master).public_key != event.master_public:
        effects.append(
            Log("error", f"the chain published another master key for generation {event.generation}")
        )
    return state, effects, []


def process_master_key_share(state: GatekeeperState, event: MasterKeyShareReceived) -> Step:
    if event.to_worker != state.identity or state.get_master(event.generation) is not None:
        return state, [], []
    if event.generation >= state.generations:
        return state, [Log("error", f"share of unknown generation {event.generation} refused")], []
    try:
        own = X25519Keypair.from_secret(state.x25519_secret)
        master = open_master_share(own, event.generation, state.identity, event.sealed_key)
    except CryptoError as exc:
        return state, [Log("error", f"master-key share of generation {event.generation}: {exc.message}")], []
    published = state.get_published(event.generation)
    if published is not None and compute_gatekeeper_identity(master).public_key != published:
        return state, [Log("error", f"share of generation {event.generation} is not the published key")], []
    state = replace(state, masters=_put(state.masters, event.generation, master))
    return state, [Log("info", f"received master key generation {event.generation}")], []


def process_worker_registered(state: GatekeeperState, event: WorkerRegistered) -> Step:
    if not is_usable_x25519(event.x25519):
        return state, [Log("warning", f"worker {event.worker.hex()} has an unusable X25519 key")], []
    return _upsert_worker(state, event.worker, event.x25519), [], []


def process_contract_deployed(state: GatekeeperState, event: ContractDeployed) -> Step:
    if state.get_contract_first_generation(event.contract_id) is not None:
        return state, [Log("warning", f"contract {event.contract_id.hex()} is already deployed")], []
    first = max(state.generations - 1, 0)
    return replace(state, contracts=_put(state.contracts, event.contract_id, first)), [], []


def process_contract_assigned(state: GatekeeperState, event: ContractAssigned) -> Step:
    first = state.get_contract_first_generation(event.contract_id)
    name = f"contract {event.contract_id.hex()}"
    if first is None:
        return state, [Log("warning", f"{name} is not deployed; assignment ignored")], []
    if state.get_worker_x25519(event.worker) is None:
        return state, [Log("warning", f"{name}: worker {event.worker.hex()} is not registered")], []
    pair = (event.contract_id, event.worker)
    if pair in state.assignments:
        return state, [], []
    state = replace(state, assignments=tuple(sorted((*state.assignments, pair))))
    newest = state.generations - 1
    plans = [
        _contract_plan(state, event.contract_id, event.worker, generation, newest)
        for generation in range(first, state.generations)
    ]
    return state, [], plans


def process_rotation_requested(state: GatekeeperState, event: RotationRequested) -> Step:
    if state.generations == 0 or event.generation != state.generations:
        text = f"rotation to generation {event.generation} ignored (the next one is {state.generations})"
        return state, [Log("warning", text)], []
    new = state.generations
    state = replace(state, generations=new + 1)
    effects: list[Effect] = []
    leader = state.gatekeepers[0][0]
    if leader == state.identity and state.get_master(new - 1) is not None:
        state = replace(state, masters=_put(state.masters, new, event.entropy))
        effects.append(Log("info", f"made master key generation {new}"))
    plans = [Plan("publish", new, new - 1)]
    plans += [Plan("share", new, new, gk, x) for gk, x in state.gatekeepers if gk != leader]
    plans += [_contract_plan(state, cid, worker, new, new) for cid, worker in state.assignments]
    return state, effects, plans


# --- producing messages ---------------------------------------------------------------------------


def _send(state: GatekeeperState, plans: list[Plan]) -> tuple[GatekeeperState, list[Effect]]:
    """Give each planned message the group's next sequence; produce those this gatekeeper can."""
    emitted: list[Effect] = []
    sequence = state.next_sequence
    for plan in plans:
        signed = compute_message(state, plan, sequence)
        if signed is not None:
            emitted.append(Emit(signed))
        sequence += 1
    return replace(state, next_sequence=sequence), emitted


def compute_message(state: GatekeeperState, plan: Plan, sequence: int) -> SignedMessage | None:
    """The signed message for `plan` at `sequence`, or None without the master keys it needs."""
    signing_master = state.get_master(plan.signing_generation)
    subject = state.get_master(plan.generation)
    if signing_master is None or subject is None:
        return None
    randomness = compute_sealing_randomness(signing_master, state.block_number, sequence)
    payload: GatekeeperPayload
    if plan.kind == "publish":
        payload = PublishedPayload(plan.generation, compute_gatekeeper_identity(subject).public_key)
    elif plan.kind == "share":
        sealed = seal_master_share(subject, plan.generation, plan.to_worker, plan.to_x25519, randomness)
        payload = MasterKeyShare(plan.generation, plan.to_worker, sealed)
    else:
        contract_key = compute_contract_key(subject, plan.generation, plan.contract_id)
        derived = compute_contract_keys(contract_key)
        sealed = seal_contract_key(
            contract_key, plan.contract_id, plan.generation, plan.to_worker, plan.to_x25519, randomness
        )
        payload = ContractKeyDistribution(
            plan.contract_id,
            plan.generation,
            plan.to_worker,
            derived.x25519.public_key,
            derived.egress.public_key,
            sealed,
        )
    message = Message(GatekeeperOrigin(), topic_of(payload), encode_gatekeeper_payload(payload))
    return SignedMessage.sign(message, sequence, compute_gatekeeper_identity(signing_master))


def _contract_plan(
    state: GatekeeperState, contract_id: bytes, worker: bytes, generation: int, signing: int
) -> Plan:
    x25519 = state.get_worker_x25519(worker) or b""
    return Plan("contract", generation, signing, worker, x25519, contract_id)


# --- helpers --------------------------------------------------------------------------------------


def is_usable_x25519(public_key: bytes) -> bool:
    """False for X25519 public keys that no box can be sealed to (low-order points)."""
    try:
        _PROBE.shared_secret(public_key)
    except CryptoError:
        return False
    return True


def _upsert_worker(state: GatekeeperState, worker: bytes, x25519: bytes) -> GatekeeperState:
    return replace(state, workers=_put(state.workers, worker, x25519))


def _put(entries: tuple[tuple[K, V], ...], key: K, value: V) -> tuple[tuple[K, V], ...]:
    """`entries` with `key` set to `value`, kept sorted by key (the snapshot's canonical order)."""
    kept: list[tuple[K, V]] = [(k, v) for k, v in entries if k != key]
    kept.append((key, value))
    return tuple(sorted(kept))
