"""The Registry's side of Mq: the keys of worker and gatekeeper messages, and the master-key topic.

`phalanx.runtime.assembly` registers these in `mq.routing`, so Mq does not import the Registry.
"""

from __future__ import annotations

from phalanx.crypto import KeyType
from phalanx.mq import GatekeeperOrigin, MasterKeyPublished, MasterKeyShare, Message, WorkerOrigin
from phalanx.runtime.framework import Context
from phalanx.runtime.modules.mq import declarations as mq_d
from phalanx.runtime.modules.mq import logic as mq
from phalanx.runtime.modules.mq.routing import decode_gatekeeper_message
from phalanx.runtime.modules.registry import declarations as d
from phalanx.runtime.modules.registry import logic
from phalanx.runtime.state import State


def get_worker_keys(state: State, sender: WorkerOrigin) -> list[tuple[bytes, KeyType]]:
    """A registered worker signs with its sr25519 enclave identity; UnknownSender for anyone else."""
    if d.Workers.get(state, sender.pubkey) is None:
        raise mq_d.UnknownSender(f"worker {sender.pubkey.hex()} is not registered")
    return [(sender.pubkey, KeyType.SR25519)]


def get_gatekeeper_keys(state: State, sender: GatekeeperOrigin) -> list[tuple[bytes, KeyType]]:
    """The group signs with the ed25519 identity of any published master-key generation, newest first."""
    keys = logic.get_gatekeeper_keys(state)
    if not keys:
        raise mq_d.UnknownSender("no master key is published yet, so no gatekeeper message can be checked")
    return keys


def handle_master_key_message(ctx: Context, message: Message) -> None:
    """`MasterKeyPublished` (generation 0 from the first gatekeeper as a worker, later ones from the
    group) is recorded; `MasterKeyShare` from the group passes; both are forwarded to enclaves."""
    sender = message.origin
    payload = decode_gatekeeper_message(message)
    if isinstance(payload, MasterKeyPublished) and isinstance(sender, WorkerOrigin | GatekeeperOrigin):
        worker = sender.pubkey if isinstance(sender, WorkerOrigin) else None
        logic.publish_master_key(ctx, worker, payload.generation, payload.master_public)
    elif not (isinstance(payload, MasterKeyShare) and isinstance(sender, GatekeeperOrigin)):
        raise mq_d.UnknownTopic(f"{type(sender).__name__} may not send {type(payload).__name__}")
    mq.queue_for_enclaves(ctx, message)
