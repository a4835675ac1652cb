"""Contracts' side of Mq: the keys of contract messages, contract keys from the gatekeepers, egress.

`phalanx.runtime.assembly` registers these in `mq.routing`, so Mq does not import Contracts.
"""

from __future__ import annotations

from phalanx.contracts import BadEffect, decode_effect
from phalanx.crypto import KeyType
from phalanx.mq import ContractKeyDistribution, ContractOrigin, GatekeeperOrigin, Message
from phalanx.runtime.framework import Context
from phalanx.runtime.modules.contracts import declarations as d
from phalanx.runtime.modules.contracts import logic
from phalanx.runtime.modules.mq import declarations as mq_d
from phalanx.runtime.modules.mq import logic as mq
from phalanx.runtime.modules.mq.payloads import compute_egress_topic
from phalanx.runtime.modules.mq.routing import decode_gatekeeper_message, unknown_topic
from phalanx.runtime.state import State


def get_contract_keys(state: State, sender: ContractOrigin) -> list[tuple[bytes, KeyType]]:
    """A contract signs with its ed25519 egress key (`Contracts.PublicKeys`, published by the
    gatekeepers with the contract key); every replica signs the same messages with it."""
    if d.Instances.get(state, sender.contract_id) is None:
        raise mq_d.UnknownSender(f"no contract 0x{sender.contract_id.hex()} is deployed")
    keys = logic.get_egress_keys(state, sender.contract_id)
    if not keys:
        raise mq_d.UnknownSender(
            f"contract 0x{sender.contract_id.hex()} has no egress key yet (the gatekeepers publish it "
            "with the contract key)"
        )
    return keys


def handle_contract_key_message(ctx: Context, message: Message) -> None:
    """`ContractKeyDistribution` from the group: record the contract's public keys, forward to enclaves
    (the addressed worker opens it)."""
    sender = message.origin
    payload = decode_gatekeeper_message(message)
    if not (isinstance(payload, ContractKeyDistribution) and isinstance(sender, GatekeeperOrigin)):
        raise mq_d.UnknownTopic(f"{type(sender).__name__} may not send {type(payload).__name__}")
    logic.record_contract_key(ctx, payload)
    mq.queue_for_enclaves(ctx, message)


def handle_egress(ctx: Context, message: Message) -> None:
    """A contract's message on its own egress topic: one effect, executed here."""
    sender = message.origin
    if not isinstance(sender, ContractOrigin) or message.topic != compute_egress_topic(sender.contract_id):
        raise unknown_topic(message)
    try:
        effect = decode_effect(message.payload)
    except BadEffect as exc:
        raise d.BadEffect(exc.message) from None
    logic.execute_effect(ctx, sender.contract_id, effect)
