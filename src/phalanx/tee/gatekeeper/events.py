"""What the gatekeeper core consumes (chain events) and produces (effects), as frozen dataclasses.

Chain events are decoded by the enclave from finalized, proof-checked blocks: registry events
(`GatekeeperRegistered`, `WorkerRegistered`), contract events (`ContractDeployed`,
`ContractAssigned`), and the gatekeeper messages the chain accepted on the message queue
(`MasterKeyPublished`, `MasterKeyShareReceived`, and `RotationRequested` from the runtime's
`MasterKeyRotation`); `events_from_message` does the latter translation.

Randomness enters only through the `entropy` fields, which the enclave fills from its platform's
random source before it calls `apply`: the core stays a pure function of its inputs.

Effects are data for the enclave's driver to execute: `Emit` a signed gatekeeper message to the
host for submission, `EmitAsWorker` a message to sign with the enclave's own worker identity and
sequence, `StoreSealed` a snapshot for the host to persist (sealed by the platform first), `Log`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from phalanx.mq import (
    MASTER_KEY_TOPIC,
    GatekeeperOrigin,
    MasterKeyRotation,
    MasterKeyShare,
    Message,
    RuntimeOrigin,
    SignedMessage,
    WorkerOrigin,
    decode_gatekeeper_payload,
)
from phalanx.mq import (
    MasterKeyPublished as PublishedPayload,
)
from phalanx.tee.gatekeeper.errors import InvalidEvent


def _check(event: object, **values: bytes) -> None:
    for name, value in values.items():
        if not isinstance(value, bytes) or len(value) != 32:
            raise InvalidEvent(f"{type(event).__name__}.{name} must be 32 bytes")


def _check_int(event: object, name: str, value: int, bits: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 1 << bits:
        raise InvalidEvent(f"{type(event).__name__}.{name} must be a u{bits}")


# --- chain events ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BlockStarted:
    number: int
    hash: bytes

    def __post_init__(self) -> None:
        _check_int(self, "number", self.number, 32)
        _check(self, hash=self.hash)


@dataclass(frozen=True)
class GatekeeperRegistered:
    """Governance registered a gatekeeper (`worker` is its identity, `x25519` its attested box key)."""

    worker: bytes
    x25519: bytes
    entropy: bytes = field(repr=False)

    def __post_init__(self) -> None:
        _check(self, worker=self.worker, x25519=self.x25519, entropy=self.entropy)


@dataclass(frozen=True)
class MasterKeyPublished:
    generation: int
    master_public: bytes

    def __post_init__(self) -> None:
        _check_int(self, "generation", self.generation, 32)
        _check(self, master_public=self.master_public)


@dataclass(frozen=True)
class MasterKeyShareReceived:
    generation: int
    to_worker: bytes
    sealed_key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        _check_int(self, "generation", self.generation, 32)
        _check(self, to_worker=self.to_worker)
        if not isinstance(self.sealed_key, bytes):
            raise InvalidEvent("MasterKeyShareReceived.sealed_key must be bytes")


@dataclass(frozen=True)
class WorkerRegistered:
    worker: bytes
    x25519: bytes

    def __post_init__(self) -> None:
        _check(self, worker=self.worker, x25519=self.x25519)


@dataclass(frozen=True)
class ContractDeployed:
    contract_id: bytes

    def __post_init__(self) -> None:
        _check(self, contract_id=self.contract_id)


@dataclass(frozen=True)
class ContractAssigned:
    contract_id: bytes
    worker: bytes

    def __post_init__(self) -> None:
        _check(self, contract_id=self.contract_id, worker=self.worker)


@dataclass(frozen=True)
class RotationRequested:
    generation: int
    entropy: bytes = field(repr=False)

    def __post_init__(self) -> None:
        _check_int(self, "generation", self.generation, 32)
        _check(self, entropy=self.entropy)


ChainEvent = (
    BlockStarted
    | GatekeeperRegistered
    | MasterKeyPublished
    | MasterKeyShareReceived
    | WorkerRegistered
    | ContractDeployed
    | ContractAssigned
    | RotationRequested
)


# --- effects --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Emit:
    """A gatekeeper message, signed and sequenced, for the host to submit."""

    message: SignedMessage


@dataclass(frozen=True)
class EmitAsWorker:
    """A message the enclave signs with its own worker identity and next worker sequence."""

    message: Message


@dataclass(frozen=True)
class StoreSealed:
    """State to persist: the driver seals `data` with the platform and hands it to the host as `name`."""

    name: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Log:
    """A line for the host log; never carries secret material."""

    level: str
    text: str


Effect = Emit | EmitAsWorker | StoreSealed | Log


def events_from_message(message: Message, entropy: bytes) -> tuple[ChainEvent, ...]:
    """The gatekeeper events in a message the chain accepted on the master-key topic.

    `entropy` (32 fresh bytes) is attached to a rotation request. Messages of other topics, or
    from origins that may not send them, carry no gatekeeper event. Raises `DecodeError` for a
    malformed payload (which a verified block cannot contain).
    """
    if message.topic != MASTER_KEY_TOPIC:
        return ()
    payload = decode_gatekeeper_payload(message.payload)
    origin = message.origin
    if isinstance(payload, PublishedPayload) and isinstance(origin, GatekeeperOrigin | WorkerOrigin):
        return (MasterKeyPublished(payload.generation, payload.master_public),)
    if isinstance(payload, MasterKeyShare) and isinstance(origin, GatekeeperOrigin):
        return (MasterKeyShareReceived(payload.generation, payload.to_worker, payload.sealed_key),)
    if isinstance(payload, MasterKeyRotation) and isinstance(origin, RuntimeOrigin):
        return (RotationRequested(payload.generation, entropy),)
    return ()
