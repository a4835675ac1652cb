"""Staking calls: check the origin, call the logic (which emits the events)."""

from __future__ import annotations

from typing import Any

from phalanx.codec import U32, U128, AccountId, Bytes, Compact, FixedBytes, Vec, field_
from phalanx.runtime.framework import CallDecl, Context, Origin, ensure_root, ensure_signed, lookup
from phalanx.runtime.modules.staking import declarations as d
from phalanx.runtime.modules.staking import logic, slashing
from phalanx.runtime.types import MULTI_ADDRESS


def bond(ctx: Context, origin: Origin, value: int) -> None:
    logic.bond(ctx, ensure_signed(origin), value)


def bond_extra(ctx: Context, origin: Origin, max_additional: int) -> None:
    logic.bond_extra(ctx, ensure_signed(origin), max_additional)


def unbond(ctx: Context, origin: Origin, value: int) -> None:
    logic.unbond(ctx, ensure_signed(origin), value)


def withdraw_unbonded(ctx: Context, origin: Origin) -> None:
    logic.withdraw_unbonded(ctx, ensure_signed(origin))


def validate(ctx: Context, origin: Origin, prefs: dict[str, Any]) -> None:
    logic.validate(ctx, ensure_signed(origin), int(prefs["commission"]), bool(prefs["blocked"]))


def nominate(ctx: Context, origin: Origin, targets: list[tuple[str, Any]]) -> None:
    logic.nominate(ctx, ensure_signed(origin), [lookup(t) for t in targets])


def chill(ctx: Context, origin: Origin) -> None:
    logic.chill(ctx, ensure_signed(origin))


def set_validator_count(ctx: Context, origin: Origin, new: int) -> None:
    ensure_root(origin)
    logic.set_validator_count(ctx, new)


def payout_stakers(ctx: Context, origin: Origin, validator_stash: bytes, era: int) -> None:
    ensure_signed(origin)
    logic.payout_stakers(ctx, validator_stash, era)


def report_equivocation(
    ctx: Context,
    origin: Origin,
    offender: bytes,
    first: bytes,
    first_signature: bytes,
    second: bytes,
    second_signature: bytes,
) -> None:
    ensure_signed(origin)
    height = slashing.check_equivocation_proof(
        ctx, offender, first, first_signature, second, second_signature
    )
    slashing.report_equivocation(ctx, offender, height)


_VALUE = Compact(U128)
_SIG = FixedBytes(64)

CALLS = (
    CallDecl(
        "bond",
        0,
        (field_("value", _VALUE, "BalanceOf<T>"),),
        bond,
        400_000_000,
        ("Lock `value` of the caller's free balance as its stake.",),
    ),
    CallDecl(
        "bond_extra",
        1,
        (field_("max_additional", _VALUE, "BalanceOf<T>"),),
        bond_extra,
        400_000_000,
        ("Add free balance to the caller's stake.",),
    ),
    CallDecl(
        "unbond",
        2,
        (field_("value", _VALUE, "BalanceOf<T>"),),
        unbond,
        400_000_000,
        ("Schedule part of the stake to unlock after the bonding duration (in eras).",),
    ),
    CallDecl(
        "withdraw_unbonded",
        3,
        (),
        withdraw_unbonded,
        400_000_000,
        ("Unlock the unbonded chunks whose bonding duration has passed.",),
    ),
    CallDecl(
        "validate",
        4,
        (field_("prefs", d.VALIDATOR_PREFS_ARGUMENT, "ValidatorPrefs"),),
        validate,
        400_000_000,
        ("Declare the wish to validate, with a commission (Perbill).",),
    ),
    CallDecl(
        "nominate",
        5,
        (field_("targets", Vec(MULTI_ADDRESS), "Vec<AccountIdLookupOf<T>>"),),
        nominate,
        600_000_000,
        ("Declare the wish to nominate `targets` (validator candidates).",),
    ),
    CallDecl("chill", 6, (), chill, 300_000_000, ("Stop validating or nominating.",)),
    CallDecl(
        "set_validator_count",
        9,
        (field_("new", Compact(U32), "u32"),),
        set_validator_count,
        100_000_000,
        ("Set the number of validators elected each era (root only).",),
    ),
    CallDecl(
        "payout_stakers",
        18,
        (field_("validator_stash", AccountId, "T::AccountId"), field_("era", U32, "EraIndex")),
        payout_stakers,
        2_000_000_000,
        ("Pay out the stakers of `validator_stash` for a finished era (anyone may call).",),
    ),
    CallDecl(
        "report_equivocation",
        30,
        (
            field_("offender", AccountId, "T::AccountId"),
            field_("first", Bytes, "Vec<u8>"),
            field_("first_signature", _SIG, "[u8; 64]"),
            field_("second", Bytes, "Vec<u8>"),
            field_("second_signature", _SIG, "[u8; 64]"),
        ),
        report_equivocation,
        1_000_000_000,
        ("Prove that `offender` signed two different headers of one height; slashes it.",),
    ),
)
