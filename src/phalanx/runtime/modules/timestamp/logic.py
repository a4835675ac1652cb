"""Timestamp logic: record the block time once per block, never going backwards."""

from __future__ import annotations

from phalanx.runtime.errors import InvalidBlock
from phalanx.runtime.framework import Context
from phalanx.runtime.modules.timestamp import declarations as d


def set_now(ctx: Context, now: int) -> None:
    """Record the block time; InvalidBlock if set twice or if time goes backwards."""
    state = ctx.state
    if d.DidUpdate.get(state):
        raise InvalidBlock("Timestamp must be updated only once in the block")
    previous = d.Now.get(state)
    if now < previous + d.MINIMUM_PERIOD:
        raise InvalidBlock(f"Timestamp {now} is before the previous block's {previous}")
    d.Now.put(state, now)
    d.DidUpdate.put(state, True)


def on_finalize(ctx: Context) -> None:
    """Refuse a block that did not set its time; forget the flag for the next block."""
    if not d.DidUpdate.get(ctx.state):
        raise InvalidBlock("Timestamp must be updated once in the block")
    d.DidUpdate.kill(ctx.state)
