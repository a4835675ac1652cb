"""Payloads the runtime sends to enclaves (chain → enclave) and the contract egress topic, as SCALE types.

Every chain → enclave message is a `phalanx.mq.Message` in `Mq.InboundMessages`. The runtime sends
(origin / topic / SCALE payload):

- `RuntimeOrigin` / `REGISTRY_TOPIC` (b"phalanx/registry/events") / `REGISTRY_EVENT`: WorkerRegistered (0),
  GatekeeperRegistered (1), ContractDeployed (2), ContractAssigned (3), ContractUnassigned (4)
  (the enum `phalanx.tee.enclave.chain_events` reads; same indices).
- `RuntimeOrigin` / `MASTER_KEY_TOPIC` / `phalanx.mq.MasterKeyRotation` (governance asks a rotation).
- `AccountOrigin(signer)` / `Topic.contract_command(id)` / the ciphertext the signer pushed, as is.
- `RuntimeOrigin` / `Topic.contract_command(id)` / the contract's own command in the clear (the
  token's `Deposit { who, amount }`); the account it acts for follows the variant tag, and the
  enclave runs it with `Origin.chain(who)`.
- the accepted sender / `MASTER_KEY_TOPIC` or `CONTRACT_KEY_TOPIC` / gatekeeper messages the chain
  accepted through `push_signed_message`, forwarded unchanged.

Contract egress (enclave → chain) travels on `compute_egress_topic(contract_id)`
(b"phalanx/contract/<hex id>/egress") from `ContractOrigin(contract_id)`, one
`phalanx.contracts.EFFECT` per message.

This file imports only the codec and the message-queue wire types, so that enclave code may use it.
"""

from __future__ import annotations

from dataclasses import dataclass

from phalanx.codec import H256, FixedBytes, field_
from phalanx.mq import Topic
from phalanx.mq.errors import InvalidMessage
from phalanx.mq.scale import DataclassEnum

REGISTRY_TOPIC = Topic(b"phalanx/registry/events")
_KEY = FixedBytes(32)


def _check(**values: bytes) -> None:
    for name, value in values.items():
        if not isinstance(value, bytes) or len(value) != 32:
            raise InvalidMessage(f"{name} must be 32 bytes")


def compute_egress_topic(contract_id: bytes) -> Topic:
    """The topic of a contract's egress effects: b"phalanx/contract/<hex id>/egress"."""
    _check(contract_id=contract_id)
    return Topic(b"phalanx/contract/" + contract_id.hex().encode() + b"/egress")


# --- registry events -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerRegistered:
    """An attested worker registered (or re-registered): its identity and X25519 public key."""

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


# --- contract events -------------------------------------------------------------------------------


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


_PAIR = (field_("contract_id", H256, "H256"), field_("worker", _KEY, "[u8; 32]"))
_WORKER_KEYS = (field_("worker", _KEY, "[u8; 32]"), field_("x25519", _KEY, "[u8; 32]"))
REGISTRY_EVENT = DataclassEnum(
    ("phalanx", "registry", "RegistryEvent"),
    [
        (0, WorkerRegistered, _WORKER_KEYS),
        (1, GatekeeperRegistered, _WORKER_KEYS),
        (2, ContractDeployed, (field_("contract_id", H256, "H256"),)),
        (3, ContractAssigned, _PAIR),
        (4, ContractUnassigned, _PAIR),
    ],
)
