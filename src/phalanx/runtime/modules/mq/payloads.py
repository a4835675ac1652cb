"""Payloads the runtime sends to enclaves (chain → enclave) and the contract egress topic, as SCALE types.

Every chain → enclave message is a `phalanx.mq.Message` in `Mq.OutboundMessages`. The runtime sends
(origin / topic / SCALE payload):

- `RuntimeOrigin` / `REGISTRY_TOPIC` (b"phalanx/registry/event") / `REGISTRY_EVENT`:
  WorkerRegistered (0), GatekeeperRegistered (1).
- `RuntimeOrigin` / `CONTRACT_EVENT_TOPIC` (b"phalanx/contract/event") / `CONTRACT_EVENT`:
  ContractDeployed (0), ContractAssigned (1), ContractUnassigned (2).
- `RuntimeOrigin` / `MASTER_KEY_TOPIC` / `phalanx.mq.MasterKeyRotation` (governance asks a rotation).
- `AccountOrigin(signer)` / `Topic.contract_command(id)` / the ciphertext the signer pushed, as is.
- `RuntimeOrigin` / `Topic.contract_command(id)` / `CHAIN_COMMAND` {account, command}, in the clear
  (e.g. the token's `Deposit`); the enclave runs it with `Origin.chain(account)`.
- the accepted sender / `MASTER_KEY_TOPIC` or `CONTRACT_KEY_TOPIC` / gatekeeper messages the chain
  accepted through `push_signed_message`, forwarded unchanged.

Contract egress (enclave → chain) travels on `compute_egress_topic(contract_id)`
(b"phalanx/contract/<hex id>/egress") from `ContractOrigin(contract_id)`, one
`phalanx.contracts.EFFECT` per message.

This file imports only the codec and the message-queue wire types, so that enclave code may use it.
"""

from __future__ import annotations

from dataclasses import dataclass

from phalanx.codec import H256, AccountId, Bytes, FixedBytes, Struct, field_
from phalanx.mq import Topic
from phalanx.mq.errors import InvalidMessage
from phalanx.mq.scale import DataclassEnum

REGISTRY_TOPIC = Topic(b"phalanx/registry/event")
CONTRACT_EVENT_TOPIC = Topic(b"phalanx/contract/event")
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


REGISTRY_EVENT = DataclassEnum(
    ("phalanx", "runtime", "registry", "RegistryEvent"),
    [
        (0, WorkerRegistered, (field_("worker", _KEY, "[u8; 32]"), field_("x25519", _KEY, "[u8; 32]"))),
        (1, GatekeeperRegistered, (field_("worker", _KEY, "[u8; 32]"), field_("x25519", _KEY, "[u8; 32]"))),
    ],
)

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
CONTRACT_EVENT = DataclassEnum(
    ("phalanx", "runtime", "contracts", "ContractEvent"),
    [
        (0, ContractDeployed, (field_("contract_id", H256, "H256"),)),
        (1, ContractAssigned, _PAIR),
        (2, ContractUnassigned, _PAIR),
    ],
)

# --- chain-origin contract commands ----------------------------------------------------------------


@dataclass(frozen=True)
class ChainCommand:
    """A command the runtime itself sends a contract, in the clear, on behalf of `account`.

    The enclave runs `command` with `phalanx.contracts.Origin.chain(account)`.
    """

    account: bytes
    command: bytes

    def __post_init__(self) -> None:
        _check(account=self.account)


CHAIN_COMMAND = Struct(
    ("phalanx", "runtime", "contracts", "ChainCommand"),
    [field_("account", AccountId, "AccountId32"), field_("command", Bytes, "Vec<u8>")],
    cls=ChainCommand,
)
