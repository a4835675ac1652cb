"""Contracts calls: check the origin, call the logic."""

from __future__ import annotations

from phalanx.codec import H256, U128, Bytes, Compact, Str, field_
from phalanx.runtime.framework import CallDecl, Context, Origin, ensure_root, ensure_signed
from phalanx.runtime.modules.contracts import logic


def push_command(ctx: Context, origin: Origin, contract_id: bytes, ciphertext: bytes) -> None:
    sender = ensure_signed(origin)
    logic.push_command(ctx, sender, contract_id, ciphertext)


def deposit(ctx: Context, origin: Origin, contract_id: bytes, amount: int) -> None:
    who = ensure_signed(origin)
    logic.deposit(ctx, who, contract_id, amount)


def force_instantiate_builtin(ctx: Context, origin: Origin, name: str) -> None:
    ensure_root(origin)
    logic.instantiate_builtin(ctx, name)


_CONTRACT = field_("contract_id", H256, "H256")

CALLS = (
    CallDecl("push_command", 0, (_CONTRACT, field_("ciphertext", Bytes, "Vec<u8>")), push_command,
             200_000_000,
             ("Queue a command encrypted to the contract's key; the signer is the command's origin.",)),
    CallDecl("deposit", 1, (_CONTRACT, field_("amount", Compact(U128), "BalanceOf<T>")), deposit, 300_000_000,
             ("Move public PHA into the contract and credit the signer inside it.",
              "The first deposit into an empty contract account also pays the existential deposit.")),
    CallDecl("force_instantiate_builtin", 2, (field_("name", Str, "String"),), force_instantiate_builtin,
             100_000_000, ("Deploy a built-in contract by name (root only).",)),
)  # fmt: skip
