"""Treasury calls: `spend`, root only."""

from __future__ import annotations

from typing import Any

from phalanx.codec import U128, Compact, field_
from phalanx.runtime.framework import CallDecl, Context, Origin, ensure_root, lookup
from phalanx.runtime.modules.treasury import logic
from phalanx.runtime.types import MULTI_ADDRESS


def spend(ctx: Context, origin: Origin, amount: int, beneficiary: tuple[str, Any]) -> None:
    ensure_root(origin)
    logic.spend_funds(ctx, amount, lookup(beneficiary))


CALLS = (
    CallDecl(
        "spend",
        3,
        (
            field_("amount", Compact(U128), "BalanceOf<T, I>"),
            field_("beneficiary", MULTI_ADDRESS, "AccountIdLookupOf<T>"),
        ),
        spend,
        200_000_000,
        ("Pay `amount` from the treasury to `beneficiary` (root only: a referendum).",),
    ),
)
