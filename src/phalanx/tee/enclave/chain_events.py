"""What the chain tells enclaves through the message queue, besides gatekeeper keys and commands.

The runtime appends, for each block, `Message`s to the storage value `Mq.InboundMessages`
(`INBOUND_MESSAGES_KEY`, SCALE `Vec<Message>`, emptied at the start of the next block), so that the
state after block N holds exactly block N's messages and an enclave reads them with one proof:

- origin `RuntimeOrigin`, topic `REGISTRY_TOPIC`: a `RegistryEvent` (a worker or gatekeeper was
  registered, a contract deployed, assigned to a worker or unassigned from it);
- origin `RuntimeOrigin` or `GatekeeperOrigin`/`WorkerOrigin`, topic `MASTER_KEY_TOPIC`: gatekeeper
  payloads (`phalanx.mq.gatekeeper`), relayed once the runtime accepted them;
- origin `GatekeeperOrigin`, topic `CONTRACT_KEY_TOPIC`: a `ContractKeyDistribution`;
- topic `Topic.contract_command(id)`: a command to a contract, from `AccountOrigin(signer)` as a
  sealed box to the contract key (see `phalanx.tee.enclave.commands`), or from `RuntimeOrigin` in
  the clear (a chain-origin command such as a token `Deposit`, whose content is public anyway).

The block's timestamp is read the same way from `Timestamp.Now` (`TIMESTAMP_KEY`, u64 ms).

`RegistryEvent` mirrors `phalanx.runtime.modules.mq.payloads.REGISTRY_EVENT` (same indices and
fields) without importing the runtime into the enclave; a test checks that both encode alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from phalanx.codec import H256, DecodeError, FixedBytes, field_
from phalanx.crypto import twox_128
from phalanx.mq.message import Topic
from phalanx.mq.scale import DataclassEnum

INBOUND_MESSAGES_KEY = twox_128(b"Mq") + twox_128(b"InboundMessages")
TIMESTAMP_KEY = twox_128(b"Timestamp") + twox_128(b"Now")
REGISTRY_TOPIC = Topic(b"phalanx/registry/events")


def _check(what: str, value: bytes) -> None:
    if not isinstance(value, bytes) or len(value) != 32:
        raise DecodeError(f"{what} must be 32 bytes")


@dataclass(frozen=True)
class WorkerRegistered:
    """A worker's attestation was accepted: its identity and its attested X25519 key."""

    worker: bytes
    x25519: bytes

    def __post_init__(self) -> None:
        _check("worker", self.worker)
        _check("x25519", self.x25519)


@dataclass(frozen=True)
class GatekeeperRegistered:
    """Governance made a registered worker a gatekeeper."""

    worker: bytes
    x25519: bytes

    def __post_init__(self) -> None:
        _check("worker", self.worker)
        _check("x25519", self.x25519)


@dataclass(frozen=True)
class ContractDeployed:
    contract_id: bytes

    def __post_init__(self) -> None:
        _check("contract_id", self.contract_id)


@dataclass(frozen=True)
class ContractAssigned:
    """The chain assigned `contract_id` to `worker`; gatekeepers will send it the contract key."""

    contract_id: bytes
    worker: bytes

    def __post_init__(self) -> None:
        _check("contract_id", self.contract_id)
        _check("worker", self.worker)


@dataclass(frozen=True)
class ContractUnassigned:
    """The chain took `contract_id` away from `worker` (e.g. it became unresponsive)."""

    contract_id: bytes
    worker: bytes

    def __post_init__(self) -> None:
        _check("contract_id", self.contract_id)
        _check("worker", self.worker)


RegistryEvent = (
    WorkerRegistered | GatekeeperRegistered | ContractDeployed | ContractAssigned | ContractUnassigned
)

_KEY = FixedBytes(32)
REGISTRY_EVENT = DataclassEnum(
    ("phalanx", "registry", "RegistryEvent"),
    [
        (0, WorkerRegistered, (field_("worker", _KEY, "[u8; 32]"), field_("x25519", _KEY, "[u8; 32]"))),
        (1, GatekeeperRegistered, (field_("worker", _KEY, "[u8; 32]"), field_("x25519", _KEY, "[u8; 32]"))),
        (2, ContractDeployed, (field_("contract_id", H256, "H256"),)),
        (3, ContractAssigned, (field_("contract_id", H256, "H256"), field_("worker", _KEY, "[u8; 32]"))),
        (4, ContractUnassigned, (field_("contract_id", H256, "H256"), field_("worker", _KEY, "[u8; 32]"))),
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
        raise DecodeError("not a registry event")
    return value


def parse_contract_command_topic(topic: Topic) -> bytes | None:
    """The contract id of a `Topic.contract_command(id)` topic, or None for any other topic."""
    path = topic.path
    prefix, suffix = b"phalanx/contract/", b"/command"
    if not (path.startswith(prefix) and path.endswith(suffix)):
        return None
    hex_id = path[len(prefix) : -len(suffix)]
    if len(hex_id) != 64:
        return None
    try:
        contract_id = bytes.fromhex(hex_id.decode())
    except ValueError:
        return None
    return contract_id if Topic.contract_command(contract_id) == topic else None
