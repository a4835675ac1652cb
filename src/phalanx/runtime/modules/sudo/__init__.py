"""Sudo: one key that may dispatch any call with the root origin. Present only when genesis names a key.

`sudo(call)` runs `call` as root, `sudo_as(who, call)` as a signed `who`; either way the inner call
runs in its own storage transaction and its result is reported in `Sudid` / `SudoAsDone` (the outer
extrinsic succeeds even when the inner call fails, as in Substrate).
"""

from __future__ import annotations

from phalanx.runtime.framework import Context, Module
from phalanx.runtime.modules.sudo import declarations as d
from phalanx.runtime.modules.sudo.calls import CALLS


def genesis(ctx: Context, key: bytes | None) -> None:
    if key is not None:
        d.Key.put(ctx.state, key)


MODULE = Module.from_declarations(d, CALLS, genesis=lambda ctx, config: genesis(ctx, config.sudo_key))

__all__ = ["MODULE", "genesis"]
