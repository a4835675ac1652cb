"""Sudo: one key that may dispatch any call with the root origin. Present only when genesis names a key.

`sudo(call)` runs `call` as root, `sudo_as(who, call)` as a signed `who`; either way the inner call
runs in its own storage transaction and its result is reported in `Sudid` / `SudoAsDone` (the outer
extrinsic succeeds even when the inner call fails, as in Substrate).
"""

from __future__ import annotations

from typing import Any

from phalanx.codec import AccountId, Enum, Option, Unit, field_, variant
from phalanx.runtime.errors import DispatchFailure, ModuleError
from phalanx.runtime.framework import (
    ROOT,
    RUNTIME_CALL,
    CallDecl,
    Context,
    EventDecl,
    Module,
    Origin,
    StorageValue,
    ensure_signed,
)
from phalanx.runtime.modules.balances.calls import lookup
from phalanx.runtime.types import DISPATCH_ERROR, MULTI_ADDRESS

NAME = "Sudo"
INDEX = 4

# -- storage -------------------------------------------------------------------------------------------

Key = StorageValue(NAME, "Key", AccountId, None, docs="The `AccountId` of the sudo key.")

# -- events --------------------------------------------------------------------------------------------

DISPATCH_RESULT = Enum(
    ("Result",),
    [variant("Ok", 0, field_(None, Unit)), variant("Err", 1, field_(None, DISPATCH_ERROR))],
    params=(("T", Unit), ("E", DISPATCH_ERROR)),
)
Sudid = EventDecl(
    "Sudid", 0, (field_("sudo_result", DISPATCH_RESULT, "DispatchResult"),), ("A sudo call just took place.",)
)
KeyChanged = EventDecl(
    "KeyChanged",
    1,
    (field_("old", Option(AccountId), "Option<T::AccountId>"), field_("new", AccountId, "T::AccountId")),
    ("The sudo key has been updated.",),
)
KeyRemoved = EventDecl("KeyRemoved", 2, (), ("The key was permanently removed.",))
SudoAsDone = EventDecl(
    "SudoAsDone",
    3,
    (field_("sudo_result", DISPATCH_RESULT, "DispatchResult"),),
    ("A sudo_as call just took place.",),
)

# -- errors --------------------------------------------------------------------------------------------


class RequireSudo(ModuleError):
    """Sender must be the Sudo account."""

    module = "sudo"
    code = 0


# -- logic ---------------------------------------------------------------------------------------------


def ensure_sudo(ctx: Context, origin: Origin) -> bytes:
    who = ensure_signed(origin)
    if Key.get(ctx.state) != who:
        raise RequireSudo("only the sudo key may make this call")
    return who


def _result(error: DispatchFailure | None) -> tuple[str, Any]:
    return ("Ok", ()) if error is None else ("Err", error.dispatch_error())


def _dispatch(ctx: Context, call: Any, origin: Origin) -> DispatchFailure | None:
    if ctx.dispatch is None:
        raise DispatchFailure("nested dispatch is not available here")
    return ctx.dispatch(call, origin)


# -- calls ---------------------------------------------------------------------------------------------


def sudo(ctx: Context, origin: Origin, call: Any) -> None:
    ensure_sudo(ctx, origin)
    ctx.deposit_event(Sudid, sudo_result=_result(_dispatch(ctx, call, ROOT)))


def set_key(ctx: Context, origin: Origin, new: tuple[str, Any]) -> None:
    old = ensure_sudo(ctx, origin)
    account = lookup(new)
    Key.put(ctx.state, account)
    ctx.deposit_event(KeyChanged, old=old, new=account)


def sudo_as(ctx: Context, origin: Origin, who: tuple[str, Any], call: Any) -> None:
    ensure_sudo(ctx, origin)
    result = _dispatch(ctx, call, Origin.signed(lookup(who)))
    ctx.deposit_event(SudoAsDone, sudo_result=_result(result))


def remove_key(ctx: Context, origin: Origin) -> None:
    ensure_sudo(ctx, origin)
    Key.kill(ctx.state)
    ctx.deposit_event(KeyRemoved)


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


def genesis(ctx: Context, key: bytes | None) -> None:
    if key is not None:
        Key.put(ctx.state, key)


MODULE = Module(
    name=NAME,
    index=INDEX,
    crate="pallet_sudo",
    storage=(Key,),
    calls=CALLS,
    events=(Sudid, KeyChanged, KeyRemoved, SudoAsDone),
    errors=(RequireSudo,),
)
