"""Who may sign a sender's messages, and where an accepted message goes.

Signers by origin kind:
- `WorkerOrigin(pubkey)`: the registered worker's enclave identity, sr25519.
- `GatekeeperOrigin`: the gatekeeper group's ed25519 identity of any published master-key
  generation (newest first; a rotation's publication is signed with the previous generation).
- `ContractOrigin(id)`: the contract's ed25519 egress key (`Contracts.PublicKeys`, published by
  the gatekeepers with the contract key); every assigned replica runs the same commands in the same
  order and signs the same messages under the contract's sequence with that deterministic key, so
  the first copy is executed and the others are recognised as identical copies.
- `RuntimeOrigin`, `AccountOrigin`: never (the runtime does not message itself; accounts use calls).

Routes (`route`) by topic:
- `MASTER_KEY_TOPIC`: `MasterKeyPublished` → `Registry` (generation 0 from the first gatekeeper as a
  worker, later ones from the group); `MasterKeyShare` from the group; both forwarded to enclaves.
- `CONTRACT_KEY_TOPIC`: `ContractKeyDistribution` from the group → `Contracts` records the contract's
  public key; forwarded to enclaves (the addressed worker opens it).
- `compute_egress_topic(id)` from `ContractOrigin(id)`: one effect, executed by `Contracts`.
"""

from __future__ import annotations

from phalanx.codec import DecodeError
from phalanx.contracts import BadEffect, decode_effect
from phalanx.crypto import KeyType
from phalanx.errors import PhalanxError
from phalanx.mq import (
    CONTRACT_KEY_TOPIC,
    MASTER_KEY_TOPIC,
    ContractKeyDistribution,
    ContractOrigin,
    GatekeeperOrigin,
    GatekeeperPayload,
    MasterKeyPublished,
    MasterKeyShare,
    Message,
    MessageOrigin,
    WorkerOrigin,
    decode_gatekeeper_payload,
)
from phalanx.runtime.framework import Context
from phalanx.runtime.modules.contracts import declarations as contracts_d
from phalanx.runtime.modules.contracts import logic as contracts
from phalanx.runtime.modules.mq import declarations as d
from phalanx.runtime.modules.mq import logic
from phalanx.runtime.modules.mq.payloads import compute_egress_topic
from phalanx.runtime.modules.registry import declarations as registry_d
from phalanx.runtime.modules.registry import logic as registry
from phalanx.runtime.state import State


def get_signer_keys(state: State, sender: MessageOrigin) -> list[tuple[bytes, KeyType]]:
    """The keys that may sign `sender`'s messages; raises UnknownSender / OriginNotAllowed."""
    if isinstance(sender, WorkerOrigin):
        if registry_d.Workers.get(state, sender.pubkey) is None:
            raise d.UnknownSender(f"worker {sender.pubkey.hex()} is not registered")
        return [(sender.pubkey, KeyType.SR25519)]
    if isinstance(sender, GatekeeperOrigin):
        keys = registry.get_gatekeeper_keys(state)
        if not keys:
            raise d.UnknownSender("no master key is published yet, so no gatekeeper message can be checked")
        return keys
    if isinstance(sender, ContractOrigin):
        if contracts_d.Instances.get(state, sender.contract_id) is None:
            raise d.UnknownSender(f"no contract 0x{sender.contract_id.hex()} is deployed")
        keys = contracts.get_egress_keys(state, sender.contract_id)
        if not keys:
            raise d.UnknownSender(
                f"contract 0x{sender.contract_id.hex()} has no egress key yet (the gatekeepers publish it "
                "with the contract key)"
            )
        return keys
    raise d.OriginNotAllowed(f"{type(sender).__name__} messages are not accepted from enclaves")


def route(ctx: Context, message: Message) -> None:
    """Hand an accepted message to its handler; raises a module error if the handler refuses it."""
    sender = message.origin
    if message.topic == MASTER_KEY_TOPIC:
        payload = _gatekeeper_payload(message)
        if isinstance(payload, MasterKeyPublished) and isinstance(sender, WorkerOrigin | GatekeeperOrigin):
            worker = sender.pubkey if isinstance(sender, WorkerOrigin) else None
            registry.publish_master_key(ctx, worker, payload.generation, payload.master_public)
        elif not (isinstance(payload, MasterKeyShare) and isinstance(sender, GatekeeperOrigin)):
            raise d.UnknownTopic(f"{type(sender).__name__} may not send {type(payload).__name__}")
        logic.push_outbound(ctx, message)
        return
    if message.topic == CONTRACT_KEY_TOPIC:
        payload = _gatekeeper_payload(message)
        if not (isinstance(payload, ContractKeyDistribution) and isinstance(sender, GatekeeperOrigin)):
            raise d.UnknownTopic(f"{type(sender).__name__} may not send {type(payload).__name__}")
        contracts.record_contract_key(ctx, payload)
        logic.push_outbound(ctx, message)
        return
    if isinstance(sender, ContractOrigin) and message.topic == compute_egress_topic(sender.contract_id):
        try:
            effect = decode_effect(message.payload)
        except BadEffect as exc:
            raise contracts_d.BadEffect(exc.message) from None
        contracts.execute_effect(ctx, sender.contract_id, effect)
        return
    raise d.UnknownTopic(f"{type(sender).__name__} may not send on topic {message.topic.path!r}")


def _gatekeeper_payload(message: Message) -> GatekeeperPayload:
    try:
        return decode_gatekeeper_payload(message.payload)
    except (DecodeError, PhalanxError) as exc:
        raise d.BadPayload(f"not a gatekeeper payload: {exc}") from None
