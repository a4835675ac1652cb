"""A small in-memory chain that drives gatekeeper cores the way the runtime and enclaves will.

Every gatekeeper enclave follows the chain from its first block. Each block starts with
`BlockStarted`, then carries the events given to `run_block`, then the gatekeeper events of the
messages the chain accepted in the previous block. The chain accepts gatekeeper messages as the
runtime does: in sequence order, signature checked against the newest published master identity,
each sequence once (`check_sequence`); it also checks that every copy of one sequence number is
byte-identical. Entropy is derived per gatekeeper and block, as a platform would supply it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from phalanx.crypto import KeyType, blake2_256
from phalanx.crypto.box import X25519Keypair
from phalanx.mq import (
    GatekeeperOrigin,
    MasterKeyPublished,
    Message,
    SignedMessage,
    WorkerOrigin,
    check_sequence,
    decode_gatekeeper_payload,
)
from phalanx.tee.gatekeeper import (
    BlockStarted,
    ChainEvent,
    Effect,
    Emit,
    EmitAsWorker,
    GatekeeperRegistered,
    GatekeeperState,
    RotationRequested,
    events_from_message,
    initial_state,
)
from phalanx.tee.gatekeeper import apply as apply_event


@dataclass(frozen=True)
class Enclave:
    """The keys an enclave made for itself: its worker identity (a stand-in key here) and X25519."""

    name: str
    identity: bytes
    x25519: X25519Keypair

    @classmethod
    def make(cls, name: str) -> Enclave:
        return cls(
            name,
            blake2_256(b"identity/" + name.encode()),
            X25519Keypair.from_secret(blake2_256(name.encode())),
        )


@dataclass
class Chain:
    gatekeepers: list[Enclave]
    states: dict[bytes, GatekeeperState] = field(default_factory=dict)
    block_number: int = 0
    published: dict[int, bytes] = field(default_factory=dict)
    next_sequence: int = 0
    first_gatekeeper: bytes | None = None
    accepted: list[Message] = field(default_factory=list)
    copies: dict[int, bytes] = field(default_factory=dict)
    pool: list[SignedMessage] = field(default_factory=list)
    worker_pool: list[Message] = field(default_factory=list)
    inbox: list[Message] = field(default_factory=list)
    emitted: dict[bytes, list[Effect]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for enclave in self.gatekeepers:
            self.states[enclave.identity] = initial_state(enclave.identity, enclave.x25519.secret)
            self.emitted[enclave.identity] = []

    def entropy(self, enclave: Enclave) -> bytes:
        return blake2_256(b"entropy/" + enclave.identity + self.block_number.to_bytes(4, "little"))

    def run_block(self, events: list[ChainEvent] | None = None) -> dict[bytes, list[Effect]]:
        """Seal one block; returns each gatekeeper's effects in it."""
        events = events or []
        self.block_number += 1
        inbox, self.inbox = self.inbox, []
        out: dict[bytes, list[Effect]] = {}
        for enclave in self.gatekeepers:
            entropy = self.entropy(enclave)
            block_events: list[ChainEvent] = [
                BlockStarted(self.block_number, blake2_256(bytes(self.block_number)))
            ]
            block_events += [_with_entropy(e, entropy) for e in events]
            for message in inbox:
                block_events += events_from_message(message, entropy)
            state, effects = self.states[enclave.identity], []
            for event in block_events:
                state, produced = apply_event(state, event)
                effects += produced
            self.states[enclave.identity] = state
            self.emitted[enclave.identity] += effects
            out[enclave.identity] = effects
            for effect in effects:
                if isinstance(effect, Emit):
                    self.pool.append(effect.message)
                elif isinstance(effect, EmitAsWorker):
                    self.worker_pool.append(effect.message)
        for event in events:
            if isinstance(event, GatekeeperRegistered) and self.first_gatekeeper is None:
                self.first_gatekeeper = event.worker
        self._accept()
        return out

    def _accept(self) -> None:
        for message in self.worker_pool:
            payload = decode_gatekeeper_payload(message.payload)
            first = (
                isinstance(message.origin, WorkerOrigin) and message.origin.pubkey == self.first_gatekeeper
            )
            if isinstance(payload, MasterKeyPublished) and first and 0 not in self.published:
                self.published[0] = payload.master_public
                self._deliver(message)
        self.worker_pool = []
        for signed in sorted(self.pool, key=lambda m: m.sequence):
            encoded = signed.encode()
            if self.copies.setdefault(signed.sequence, encoded) != encoded:
                raise AssertionError(f"two different copies of gatekeeper message #{signed.sequence}")
        progress = True
        while progress:
            progress = False
            for signed in list(self.pool):
                if signed.sequence != self.next_sequence or not self.published:
                    continue
                key = self.published[max(self.published)]
                self.next_sequence = check_sequence(self.next_sequence, signed, key, KeyType.ED25519)
                payload = decode_gatekeeper_payload(signed.message.payload)
                if isinstance(payload, MasterKeyPublished):
                    self.published[payload.generation] = payload.master_public
                self._deliver(signed.message)
                progress = True
        # Later copies of accepted sequences are replays (identical, as checked above): dropped.
        self.pool = [m for m in self.pool if m.sequence >= self.next_sequence]

    def _deliver(self, message: Message) -> None:
        assert isinstance(message.origin, GatekeeperOrigin | WorkerOrigin)
        self.accepted.append(message)
        self.inbox.append(message)

    def settle(self, blocks: int = 6) -> None:
        for _ in range(blocks):
            self.run_block([])


def _with_entropy(event: ChainEvent, entropy: bytes) -> ChainEvent:
    if isinstance(event, GatekeeperRegistered | RotationRequested):
        return replace(event, entropy=entropy)
    return event


def registered(enclave: Enclave) -> GatekeeperRegistered:
    return GatekeeperRegistered(enclave.identity, enclave.x25519.public_key, bytes(32))


def rotation(generation: int) -> RotationRequested:
    return RotationRequested(generation, bytes(32))
