"""Who may sign a sender's messages, and where an accepted message goes: two tables the composition fills.

Mq knows no module it delivers to. `phalanx.runtime.assembly` registers, for each origin kind, the
function that names the keys its messages may be signed with (`register_signers`), and the handler of
each topic (`register_topic`) or, for topics that depend on the sender, of each origin kind
(`register_sender`). An origin kind nobody registered (`RuntimeOrigin`, `AccountOrigin`: the runtime
does not message itself, accounts use calls) is refused with `OriginNotAllowed`; a message no handler
claims with `UnknownTopic`. The routes of this runtime:

- `WorkerOrigin(pubkey)` is signed by the registered worker's sr25519 enclave identity, and
  `GatekeeperOrigin` by the group's ed25519 identity of any published master-key generation
  (Registry); `ContractOrigin(id)` by the contract's ed25519 egress key (Contracts).
- `MASTER_KEY_TOPIC` → Registry (master-key publications and shares, forwarded to enclaves);
  `CONTRACT_KEY_TOPIC` → Contracts (contract keys, forwarded to enclaves); a `ContractOrigin`'s own
  egress topic → Contracts (one effect per message).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from phalanx.codec import DecodeError
from phalanx.crypto import KeyType
from phalanx.errors import PhalanxError
from phalanx.mq import GatekeeperPayload, Message, MessageOrigin, Topic, decode_gatekeeper_payload
from phalanx.runtime.framework import Context
from phalanx.runtime.modules.mq import declarations as d
from phalanx.runtime.state import State

Origin = TypeVar("Origin")
Keys = list[tuple[bytes, KeyType]]
Handler = Callable[[Context, Message], None]
"""`(ctx, message)` executes an accepted message; raises a module error to refuse it."""

_SIGNERS: dict[type, Callable[[State, Any], Keys]] = {}
_TOPICS: dict[Topic, Handler] = {}
_SENDERS: dict[type, Handler] = {}


def register_signers(origin_kind: type[Origin], signer_keys: Callable[[State, Origin], Keys]) -> None:
    """Messages from `origin_kind` senders are checked against `signer_keys(state, sender)`, which
    raises UnknownSender for a sender the chain does not know."""
    _SIGNERS[origin_kind] = signer_keys


def register_topic(topic: Topic, handler: Handler) -> None:
    """Accepted messages on `topic` go to `handler`."""
    _TOPICS[topic] = handler


def register_sender(origin_kind: type, handler: Handler) -> None:
    """Accepted messages from `origin_kind` on a topic nobody registered go to `handler`, which raises
    `unknown_topic` for a topic it does not serve either."""
    _SENDERS[origin_kind] = handler


def get_signer_keys(state: State, sender: MessageOrigin) -> Keys:
    """The keys that may sign `sender`'s messages; raises UnknownSender / OriginNotAllowed."""
    signer_keys = _SIGNERS.get(type(sender))
    if signer_keys is None:
        raise d.OriginNotAllowed(f"{type(sender).__name__} messages are not accepted from enclaves")
    return signer_keys(state, sender)


def route(ctx: Context, message: Message) -> None:
    """Hand an accepted message to its handler; raises a module error if the handler refuses it."""
    handler = _TOPICS.get(message.topic) or _SENDERS.get(type(message.origin))
    if handler is None:
        raise unknown_topic(message)
    handler(ctx, message)


def unknown_topic(message: Message) -> d.UnknownTopic:
    """The error for a message its sender may not send on its topic."""
    return d.UnknownTopic(f"{type(message.origin).__name__} may not send on topic {message.topic.path!r}")


def decode_gatekeeper_message(message: Message) -> GatekeeperPayload:
    """The gatekeeper payload of `message`; raises BadPayload if it is none."""
    try:
        return decode_gatekeeper_payload(message.payload)
    except (DecodeError, PhalanxError) as exc:
        raise d.BadPayload(f"not a gatekeeper payload: {exc}") from None
