"""Payloads the runtime sends to enclaves (chain → enclave) and the contract egress topic, as SCALE types.

Every chain → enclave message is a `phalanx.mq.Message` in `Mq.InboundMessages`. The runtime sends
(origin / topic / SCALE payload):

- `RuntimeOrigin` / `REGISTRY_TOPIC` (b"phalanx/registry/events") / `REGISTRY_EVENT`: WorkerRegistered (0),
  GatekeeperRegistered (1), ContractDeployed (2), ContractAssigned (3), ContractUnassigned (4)
  (defined once in `phalanx.mq.registry`, which the enclave reads too).
- `RuntimeOrigin` / `MASTER_KEY_TOPIC` / `phalanx.mq.MasterKeyRotation` (governance asks a rotation).
- `AccountOrigin(signer)` / `Topic.contract_command(id)` / the ciphertext the signer pushed, as is.
- `AccountOrigin(who)` / `Topic.contract_chain_command(id)` / the contract's own command in the clear (the
  token's `Deposit { who, amount }`); the enclave runs it with `Origin.chain(who)`.
- the accepted sender / `MASTER_KEY_TOPIC` or `CONTRACT_KEY_TOPIC` / gatekeeper messages the chain
  accepted through `push_signed_message`, forwarded unchanged.

Contract egress (enclave → chain) travels on `compute_egress_topic(contract_id)`
(b"phalanx/contract/<hex id>/egress") from `ContractOrigin(contract_id)`, one
`phalanx.contracts.EFFECT` per message.

This file imports only the codec and the message-queue wire types, so that enclave code may use it.
"""

from __future__ import annotations

from phalanx.mq import Topic
from phalanx.mq.registry import (  # one definition, shared with the enclave
    REGISTRY_EVENT,
    REGISTRY_TOPIC,
    ContractAssigned,
    ContractDeployed,
    ContractUnassigned,
    GatekeeperRegistered,
    RegistryEvent,
    WorkerRegistered,
)

__all__ = [
    "REGISTRY_EVENT", "REGISTRY_TOPIC", "ContractAssigned", "ContractDeployed", "ContractUnassigned",
    "GatekeeperRegistered", "RegistryEvent", "WorkerRegistered", "compute_egress_topic",
]  # fmt: skip


compute_egress_topic = Topic.contract_egress
"""The topic of a contract's egress effects, defined once in `phalanx.mq` for the runtime and the enclave."""


