"""Timestamp: the block's time in milliseconds, set by the block author as the first extrinsic.

`Timestamp.set(now)` is an unsigned inherent (extrinsic version byte 0x04) that every block must carry
first, exactly once. Time never goes backwards (`now >= previous + MinimumPeriod`, MinimumPeriod 0 so
the dev engine may seal several blocks in one millisecond); anything else makes the block invalid.
"""

from __future__ import annotations

from phalanx.runtime.framework import Context, Module
from phalanx.runtime.modules.timestamp import declarations as d
from phalanx.runtime.modules.timestamp import logic
from phalanx.runtime.modules.timestamp.calls import CALLS
from phalanx.runtime.modules.timestamp.declarations import Now


def genesis(ctx: Context, now_ms: int) -> None:
    """Block 0's time (ms since the Unix epoch)."""
    d.Now.put(ctx.state, now_ms)


MODULE = Module.from_declarations(
    d, CALLS, genesis=lambda ctx, config: genesis(ctx, config.timestamp_ms), on_finalize=logic.on_finalize,
)

__all__ = ["CALLS", "MODULE", "Now", "genesis"]
