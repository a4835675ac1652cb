"""Mq calls: `push_signed_message`, with which a worker's host submits what its enclave signed."""

from __future__ import annotations

from phalanx.codec import field_
from phalanx.mq import SignedMessage
from phalanx.runtime.errors import DispatchFailure
from phalanx.runtime.framework import CallDecl, Context, Origin, ensure_signed
from phalanx.runtime.modules.mq import declarations as d
from phalanx.runtime.modules.mq import logic, routing


def push_signed_message(ctx: Context, origin: Origin, message: SignedMessage) -> None:
    """Accept the enclave's message once and in order, then route it.

    A bad signature, a replay or a gap fails the extrinsic (only the fee is kept). Once accepted, the
    sequence is used even if the handler refuses the message (`MessageFailed`), so one refused
    message never blocks the sender's queue; the handler's writes are undone.
    """
    ensure_signed(origin)
    sender = message.message.origin
    keys = routing.get_signer_keys(ctx.state, sender)
    if not logic.accept(ctx, message, keys):
        ctx.deposit_event(d.DuplicateIgnored, sender=sender, sequence=message.sequence)
        return
    events_before = len(ctx.events)
    ctx.state.begin()
    try:
        routing.route(ctx, message.message)
    except DispatchFailure as failure:
        ctx.state.rollback()
        del ctx.events[events_before:]
        ctx.deposit_event(d.MessageFailed, sender=sender, sequence=message.sequence,
                          error=failure.dispatch_error())  # fmt: skip
        return
    ctx.state.commit()
    ctx.deposit_event(d.MessageAccepted, sender=sender, sequence=message.sequence,
                      topic=message.message.topic.path)  # fmt: skip


CALLS = (
    CallDecl("push_signed_message", 0, (field_("message", d.SIGNED_MESSAGE_ARG, "SignedMessage"),),
             push_signed_message, 400_000_000,
             ("Submit a message an enclave signed (worker, gatekeeper group or contract).",
              "Any account may relay it and pays the fee; the chain checks signature and sequence.")),
)  # fmt: skip
