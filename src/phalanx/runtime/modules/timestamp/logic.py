"""Timestamp: the block's time in milliseconds, set by the block author as the first extrinsic.

`Timestamp.set(now)` is an unsigned inherent (extrinsic version byte 0x04) that every block must carry
first, exactly once. Time never goes backwards (`now >= previous + MinimumPeriod`, MinimumPeriod 0 so
the dev engine may seal several blocks in one millisecond); anything else makes the block invalid.
"""

from __future__ import annotations

from phalanx.codec import U64, Bool, Compact, field_
from phalanx.runtime.errors import InvalidBlock
from phalanx.runtime.framework import CallDecl, Constant, Context, Module, Origin, StorageValue, ensure_none

NAME = "Timestamp"
INDEX = 1
MINIMUM_PERIOD = 0

# -- storage -------------------------------------------------------------------------------------------

Now = StorageValue(
    NAME, "Now", U64, 0, docs="The current time for the current block (ms since the Unix epoch)."
)
DidUpdate = StorageValue(
    NAME, "DidUpdate", Bool, False, docs="Whether the timestamp has been updated in this block."
)

# -- logic ---------------------------------------------------------------------------------------------


def set_now(ctx: Context, now: int) -> None:
    """Record the block time; InvalidBlock if set twice or if time goes backwards."""
    state = ctx.state
    if DidUpdate.get(state):
        raise InvalidBlock("Timestamp must be updated only once in the block")
    previous = Now.get(state)
    if now < previous + MINIMUM_PERIOD:
        raise InvalidBlock(f"Timestamp {now} is before the previous block's {previous}")
    Now.put(state, now)
    DidUpdate.put(state, True)


# -- calls ---------------------------------------------------------------------------------------------


def set_(ctx: Context, origin: Origin, now: int) -> None:
    ensure_none(origin)
    set_now(ctx, now)


CALLS = (
    CallDecl(
        "set",
        0,
        (field_("now", Compact(U64), "T::Moment"),),
        set_,
        10_000_000,
        ("Set the current time (inherent, first extrinsic of every block).",),
    ),
)

# -- hooks ---------------------------------------------------------------------------------------------


def on_finalize(ctx: Context) -> None:
    if not DidUpdate.get(ctx.state):
        raise InvalidBlock("Timestamp must be updated once in the block")
    DidUpdate.kill(ctx.state)


MODULE = Module(
    name=NAME,
    index=INDEX,
    crate="pallet_timestamp",
    storage=(Now, DidUpdate),
    calls=CALLS,
    constants=(Constant("MinimumPeriod", U64, MINIMUM_PERIOD, ("The minimum period between blocks.",)),),
    on_finalize=on_finalize,
)
