"""System calls: remarks."""

from __future__ import annotations

from phalanx.codec import Bytes, field_
from phalanx.crypto import blake2_256
from phalanx.runtime.framework import CallDecl, Context, Origin, ensure_signed
from phalanx.runtime.modules.system import declarations as d


def remark(ctx: Context, origin: Origin, remark: bytes) -> None:
    ensure_signed(origin)


def remark_with_event(ctx: Context, origin: Origin, remark: bytes) -> None:
    who = ensure_signed(origin)
    ctx.deposit_event(d.Remarked, sender=who, hash=blake2_256(remark))


CALLS = (
    CallDecl(
        "remark",
        0,
        (field_("remark", Bytes, "Vec<u8>"),),
        remark,
        50_000_000,
        ("Make some on-chain remark.",),
    ),
    CallDecl(
        "remark_with_event",
        7,
        (field_("remark", Bytes, "Vec<u8>"),),
        remark_with_event,
        60_000_000,
        ("Make some on-chain remark and emit an event.",),
    ),
)
