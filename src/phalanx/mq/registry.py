"""Registry events the runtime sends to enclaves on `REGISTRY_TOPIC`, from `RuntimeOrigin`.

A worker or gatekeeper was registered, a contract deployed, assigned to a worker or unassigned from
it. Each event is one variant of the SCALE enum `REGISTRY_EVENT`; the runtime encodes them and the
enclave decodes them, both from this one definition.
"""

from __future__ import annotations

from dataclasses import dataclass

from phalanx.codec import H256, DataclassEnum, DecodeError, FixedBytes, field_, member
from phalanx.mq.errors import InvalidMessage
from phalanx.mq.message import Topic

REGISTRY_TOPIC = Topic(b"phalanx/registry/events")


def _check(**values: bytes) -> None:
    for name, value in values.items():
        if not isinstance(value, bytes) or len(value) != 32:
            raise InvalidMessage(f"{name} must be 32 bytes")


@dataclass(frozen=True)
class WorkerRegistered:
    """An attested worker registered (or re-registered): its identity and its attested X25519 key."""

    worker: bytes
    x25519: bytes

    def __post_init__(self) -> None:
        _check(worker=self.worker, x25519=self.x25519)


@dataclass(frozen=True)
class GatekeeperRegistered:
    """Governance made a registered worker a gatekeeper."""

    worker: bytes
    x25519: bytes

    def __post_init__(self) -> None:
        _check(worker=self.worker, x25519=self.x25519)


@dataclass(frozen=True)
class ContractDeployed:
    contract_id: bytes

    def __post_init__(self) -> None:
        _check(contract_id=self.contract_id)


@dataclass(frozen=True)
class ContractAssigned:
    """The chain assigned `contract_id` to `worker`: gatekeepers send it the contract key."""

    contract_id: bytes
    worker: bytes

    def __post_init__(self) -> None:
        _check(contract_id=self.contract_id, worker=self.worker)


@dataclass(frozen=True)
class ContractUnassigned:
    """The chain took `contract_id` away from `worker` (e.g. it became unresponsive)."""

    contract_id: bytes
    worker: bytes

    def __post_init__(self) -> None:
        _check(contract_id=self.contract_id, worker=self.worker)


RegistryEvent = (
    WorkerRegistered | GatekeeperRegistered | ContractDeployed | ContractAssigned | ContractUnassigned
)

_KEY = FixedBytes(32)
_PAIR = (field_("contract_id", H256, "H256"), field_("worker", _KEY, "[u8; 32]"))
_WORKER_KEYS = (field_("worker", _KEY, "[u8; 32]"), field_("x25519", _KEY, "[u8; 32]"))
REGISTRY_EVENT: DataclassEnum[RegistryEvent] = DataclassEnum(
    ("phalanx", "registry", "RegistryEvent"),
    [
        member(0, WorkerRegistered, *_WORKER_KEYS),
        member(1, GatekeeperRegistered, *_WORKER_KEYS),
        member(2, ContractDeployed, field_("contract_id", H256, "H256")),
        member(3, ContractAssigned, *_PAIR),
        member(4, ContractUnassigned, *_PAIR),
    ],
)


def encode_registry_event(event: RegistryEvent) -> bytes:
    return REGISTRY_EVENT.encode(event)


def decode_registry_event(data: bytes) -> RegistryEvent:
    """Decode a registry event; raises `DecodeError` on anything malformed."""
    value = REGISTRY_EVENT.decode(data)
    if not isinstance(
        value,
        WorkerRegistered | GatekeeperRegistered | ContractDeployed | ContractAssigned | ContractUnassigned,
    ):
        raise DecodeError("not a registry event")  # unreachable: every variant is one of these
    return value
