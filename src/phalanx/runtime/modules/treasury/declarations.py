"""Treasury declarations: spend counters, events, its error and its pallet id."""

from __future__ import annotations

from phalanx.codec import U32, U128, AccountId, FixedBytes, field_
from phalanx.runtime.errors import ModuleError
from phalanx.runtime.framework import Constant, EventDecl, StorageValue
from phalanx.runtime.modules.system.declarations import TREASURY_ACCOUNT, TREASURY_PALLET_ID

NAME = "Treasury"
INDEX = 12
CRATE = "pallet_treasury"
ACCOUNT = TREASURY_ACCOUNT

# -- storage -------------------------------------------------------------------------------------------

SpendCount = StorageValue(NAME, "SpendCount", U32, 0, docs="Number of spends made so far.")
TotalSpent = StorageValue(NAME, "TotalSpent", U128, 0, docs="Planck paid out by spends so far.")

STORAGE = (SpendCount, TotalSpent)

# -- events --------------------------------------------------------------------------------------------

Awarded = EventDecl(
    "Awarded",
    2,
    (
        field_("proposal_index", U32, "ProposalIndex"),
        field_("award", U128, "BalanceOf<T, I>"),
        field_("account", AccountId, "T::AccountId"),
    ),
    ("Some funds have been paid out of the treasury by root.",),
)
Deposit = EventDecl(
    "Deposit",
    6,
    (field_("value", U128, "BalanceOf<T, I>"),),
    ("Some funds have been deposited (minted inflation remainder or a slash).",),
)

EVENTS = (Awarded, Deposit)

# -- errors --------------------------------------------------------------------------------------------


class InsufficientFunds(ModuleError):
    """The treasury holds less than the spend (it keeps the existential deposit)."""

    module = "treasury"
    code = 0


ERRORS = (InsufficientFunds,)

# -- constants -----------------------------------------------------------------------------------------

CONSTANTS = (
    Constant(
        "PalletId",
        FixedBytes(8),
        TREASURY_PALLET_ID,
        ("The treasury's module id; its account is `modl` ++ id ++ zeros.",),
    ),
)
