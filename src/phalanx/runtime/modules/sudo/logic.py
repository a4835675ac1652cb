"""Sudo logic: check the sudo key, dispatch a nested call, report its result."""

from __future__ import annotations

from typing import Any

from phalanx.runtime.errors import DispatchFailure
from phalanx.runtime.framework import Context, Origin, ensure_signed
from phalanx.runtime.modules.sudo import declarations as d


def ensure_sudo(ctx: Context, origin: Origin) -> bytes:
    who = ensure_signed(origin)
    if d.Key.get(ctx.state) != who:
        raise d.RequireSudo("only the sudo key may make this call")
    return who


def compute_result(error: DispatchFailure | None) -> tuple[str, Any]:
    """The `DispatchResult` event field of a nested call that failed with `error` (None: it succeeded)."""
    return ("Ok", ()) if error is None else ("Err", error.dispatch_error())


def dispatch(ctx: Context, call: Any, origin: Origin) -> DispatchFailure | None:
    """Run `call` as `origin` in its own storage transaction; its failure, or None."""
    if ctx.dispatch is None:
        raise DispatchFailure("nested dispatch is not available here")
    return ctx.dispatch(call, origin)
