"""Mq logic: appending messages for enclaves, and accepting signed messages from them once, in order.

`queue_for_enclaves` is what other modules call to tell enclaves something. `accept` applies the
per-sender sequence rule of `phalanx.mq.check_sequence` with one refinement: a message whose sender
and sequence were accepted in the last `DEDUP_WINDOW` blocks *with the same signed content* is an
identical copy (several gatekeepers or contract replicas send the same message) and is ignored
without error; any other reuse of a sequence is a replay and is refused.
"""

from __future__ import annotations

from collections.abc import Sequence

from phalanx import mq
from phalanx.crypto import KeyType, blake2_256
from phalanx.mq import Message, SignedMessage
from phalanx.runtime.framework import Context
from phalanx.runtime.modules.mq import declarations as d


def queue_for_enclaves(ctx: Context, message: Message) -> None:
    """Append `message` to this block's messages for enclaves (`Mq.InboundMessages`)."""
    d.InboundMessages.append(ctx.state, message)
    d.InboundTotal.put(ctx.state, d.InboundTotal.get(ctx.state) + 1)


def accept(ctx: Context, signed: SignedMessage, keys: Sequence[tuple[bytes, KeyType]]) -> bool:
    """Accept `signed` as its sender's next message, signed by one of `keys`.

    Returns True when accepted (the sequence advances), False for an identical copy of a recently
    accepted message (nothing changes). Raises BadSignature, Replayed or OutOfOrder.
    """
    sender = signed.message.origin
    expected = d.Sequences.get(ctx.state, sender)
    for public_key, key_type in keys:
        try:
            following = mq.check_sequence(expected, signed, public_key, key_type)
        except mq.BadSignature:
            continue
        except mq.Replayed:
            if d.Accepted.get(ctx.state, (sender, signed.sequence)) == _digest(signed):
                return False
            raise d.Replayed(
                f"message #{signed.sequence} of this sender was already accepted (next is #{expected})"
            ) from None
        except mq.OutOfOrder:
            raise d.OutOfOrder(
                f"message #{signed.sequence} skips ahead: #{expected} must come first"
            ) from None
        d.Sequences.put(ctx.state, sender, following)
        d.Accepted.put(ctx.state, (sender, signed.sequence), _digest(signed))
        expiry = ctx.block_number + d.DEDUP_WINDOW
        pending = list(d.AcceptedExpiry.get(ctx.state, expiry))
        pending.append((sender, signed.sequence))
        d.AcceptedExpiry.put(ctx.state, expiry, pending)
        return True
    raise d.BadSignature(
        f"the signature of {type(sender).__name__} message #{signed.sequence} verifies under no key "
        "the chain knows for that sender"
    )


def _digest(signed: SignedMessage) -> bytes:
    return blake2_256(signed.signing_payload())


def on_initialize(ctx: Context) -> None:
    """Start the block with no messages for enclaves yet and forget dedup entries that left the window."""
    d.InboundMessages.kill(ctx.state)
    expired = list(d.AcceptedExpiry.get(ctx.state, ctx.block_number))
    if expired:
        for entry in expired:
            d.Accepted.remove(ctx.state, entry)
        d.AcceptedExpiry.remove(ctx.state, ctx.block_number)
