"""Timestamp calls: the `set` inherent."""

from __future__ import annotations

from phalanx.codec import U64, Compact, field_
from phalanx.runtime.framework import CallDecl, Context, Origin, ensure_none
from phalanx.runtime.modules.timestamp import logic


def set_(ctx: Context, origin: Origin, now: int) -> None:
    ensure_none(origin)
    logic.set_now(ctx, now)


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
