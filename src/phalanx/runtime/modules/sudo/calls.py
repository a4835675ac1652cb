"""Sudo calls: dispatch as root or as another account, change or remove the key."""

from __future__ import annotations

from typing import Any

from phalanx.codec import field_
from phalanx.runtime.framework import ROOT, RUNTIME_CALL, CallDecl, Context, Origin, lookup
from phalanx.runtime.modules.sudo import declarations as d
from phalanx.runtime.modules.sudo import logic
from phalanx.runtime.types import MULTI_ADDRESS


def sudo(ctx: Context, origin: Origin, call: Any) -> None:
    logic.ensure_sudo(ctx, origin)
    ctx.deposit_event(d.Sudid, sudo_result=logic.compute_result(logic.dispatch(ctx, call, ROOT)))


def set_key(ctx: Context, origin: Origin, new: tuple[str, Any]) -> None:
    old = logic.ensure_sudo(ctx, origin)
    account = lookup(new)
    d.Key.put(ctx.state, account)
    ctx.deposit_event(d.KeyChanged, old=old, new=account)


def sudo_as(ctx: Context, origin: Origin, who: tuple[str, Any], call: Any) -> None:
    logic.ensure_sudo(ctx, origin)
    result = logic.dispatch(ctx, call, Origin.signed(lookup(who)))
    ctx.deposit_event(d.SudoAsDone, sudo_result=logic.compute_result(result))


def remove_key(ctx: Context, origin: Origin) -> None:
    logic.ensure_sudo(ctx, origin)
    d.Key.kill(ctx.state)
    ctx.deposit_event(d.KeyRemoved)


_CALL = field_("call", RUNTIME_CALL, "Box<<T as Config>::RuntimeCall>")

CALLS = (
    CallDecl(
        "sudo",
        0,
        (_CALL,),
        sudo,
        500_000_000,
        ("Authenticates the sudo key and dispatches a function call with `Root` origin.",),
    ),
    CallDecl(
        "set_key",
        2,
        (field_("new", MULTI_ADDRESS, "AccountIdLookupOf<T>"),),
        set_key,
        100_000_000,
        ("Authenticates the current sudo key and sets the given AccountId as the new sudo key.",),
    ),
    CallDecl(
        "sudo_as",
        3,
        (field_("who", MULTI_ADDRESS, "AccountIdLookupOf<T>"), _CALL),
        sudo_as,
        500_000_000,
        (
            "Authenticates the sudo key and dispatches a function call with `Signed` origin from a given "
            "account.",
        ),
    ),
    CallDecl("remove_key", 4, (), remove_key, 100_000_000, ("Permanently removes the sudo key.",)),
)
