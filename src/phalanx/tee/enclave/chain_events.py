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
  sealed box to the contract key (see `phalanx.wire.command`);
- topic `Topic.contract_chain_command(id)`: a command the runtime composed for
  `AccountOrigin(account)`, in the clear (a chain-origin command such as a token `Deposit`, whose
  content is public anyway), which the contract runs as `Origin.chain(account)`. Only the runtime
  writes this storage value, and it puts messages on that topic only for a deposit the account
  signed, so no user can send a chain-origin command.

The block's timestamp is read the same way from `Timestamp.Now` (`TIMESTAMP_KEY`, u64 ms).

The registry events are defined once, in `phalanx.mq.registry`, for the runtime and the enclave;
they are re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable

from phalanx.mq.message import Topic
from phalanx.mq.registry import (
    REGISTRY_EVENT,
    REGISTRY_TOPIC,
    ContractAssigned,
    ContractDeployed,
    ContractUnassigned,
    GatekeeperRegistered,
    RegistryEvent,
    WorkerRegistered,
    decode_registry_event,
    encode_registry_event,
)
from phalanx.wire.enclave_protocol import INBOUND_MESSAGES_KEY, TIMESTAMP_KEY

__all__ = [
    "INBOUND_MESSAGES_KEY", "REGISTRY_EVENT", "REGISTRY_TOPIC", "TIMESTAMP_KEY", "ContractAssigned",
    "ContractDeployed", "ContractUnassigned", "GatekeeperRegistered", "RegistryEvent", "WorkerRegistered",
    "decode_registry_event", "encode_registry_event", "parse_contract_chain_command_topic",
    "parse_contract_command_topic",
]  # fmt: skip


def parse_contract_command_topic(topic: Topic) -> bytes | None:
    """The contract id of a `Topic.contract_command(id)` topic, or None for any other topic."""
    return _parse_contract_topic(topic, b"/command", Topic.contract_command)


def parse_contract_chain_command_topic(topic: Topic) -> bytes | None:
    """The contract id of a `Topic.contract_chain_command(id)` topic, or None for any other topic."""
    return _parse_contract_topic(topic, b"/chain-command", Topic.contract_chain_command)


def _parse_contract_topic(topic: Topic, suffix: bytes, make: Callable[[bytes], Topic]) -> bytes | None:
    path = topic.path
    prefix = b"phalanx/contract/"
    if not (path.startswith(prefix) and path.endswith(suffix)):
        return None
    hex_id = path[len(prefix) : -len(suffix)]
    if len(hex_id) != 64:
        return None
    try:
        contract_id = bytes.fromhex(hex_id.decode())
    except ValueError:
        return None
    return contract_id if make(contract_id) == topic else None
