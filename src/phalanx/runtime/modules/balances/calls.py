"""Balances calls: check the origin, resolve addresses, call the logic."""

from __future__ import annotations

from typing import Any

from phalanx.codec import U128, Bool, Compact, field_
from phalanx.runtime.framework import CallDecl, Context, Origin, ensure_root, ensure_signed, lookup
from phalanx.runtime.modules.balances import logic
from phalanx.runtime.modules.system import logic as system
from phalanx.runtime.types import MULTI_ADDRESS


def transfer_allow_death(ctx: Context, origin: Origin, dest: tuple[str, Any], value: int) -> None:
    source = ensure_signed(origin)
    logic.transfer(ctx, source, lookup(dest), value, keep_alive=False)


def force_transfer(
    ctx: Context, origin: Origin, source: tuple[str, Any], dest: tuple[str, Any], value: int
) -> None:
    ensure_root(origin)
    logic.transfer(ctx, lookup(source), lookup(dest), value, keep_alive=False)


def transfer_keep_alive(ctx: Context, origin: Origin, dest: tuple[str, Any], value: int) -> None:
    source = ensure_signed(origin)
    logic.transfer(ctx, source, lookup(dest), value, keep_alive=True)


def transfer_all(ctx: Context, origin: Origin, dest: tuple[str, Any], keep_alive: bool) -> None:
    source = ensure_signed(origin)
    amount = logic.reducible_balance(system.get_account(ctx.state, source), keep_alive)
    logic.transfer(ctx, source, lookup(dest), amount, keep_alive)


def force_set_balance(ctx: Context, origin: Origin, who: tuple[str, Any], new_free: int) -> None:
    ensure_root(origin)
    logic.set_free_balance(ctx, lookup(who), new_free)


_DEST = field_("dest", MULTI_ADDRESS, "AccountIdLookupOf<T>")
_VALUE = field_("value", Compact(U128), "T::Balance")

CALLS = (
    CallDecl(
        "transfer_allow_death",
        0,
        (_DEST, _VALUE),
        transfer_allow_death,
        300_000_000,
        ("Transfer some liquid free balance to another account; the sender may be reaped.",),
    ),
    CallDecl(
        "force_transfer",
        2,
        (field_("source", MULTI_ADDRESS, "AccountIdLookupOf<T>"), _DEST, _VALUE),
        force_transfer,
        300_000_000,
        ("Exactly as `transfer_allow_death`, but from any account (root only).",),
    ),
    CallDecl(
        "transfer_keep_alive",
        3,
        (_DEST, _VALUE),
        transfer_keep_alive,
        250_000_000,
        ("Same as `transfer_allow_death`, but refused if the sender would be reaped.",),
    ),
    CallDecl(
        "transfer_all",
        4,
        (_DEST, field_("keep_alive", Bool, "bool")),
        transfer_all,
        300_000_000,
        ("Transfer the entire transferable balance from the caller account.",),
    ),
    CallDecl(
        "force_set_balance",
        8,
        (
            field_("who", MULTI_ADDRESS, "AccountIdLookupOf<T>"),
            field_("new_free", Compact(U128), "T::Balance"),
        ),
        force_set_balance,
        200_000_000,
        ("Set the regular balance of a given account (root only).",),
    ),
)
