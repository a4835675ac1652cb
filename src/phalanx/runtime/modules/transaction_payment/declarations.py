"""TransactionPayment declarations: the fee schedule, the fee event and the operational multiplier."""

from __future__ import annotations

from phalanx.codec import U8, U128, AccountId, field_
from phalanx.runtime.framework import Constant, EventDecl

NAME = "TransactionPayment"
INDEX = 3
CRATE = "pallet_transaction_payment"

BASE_FEE = 100_000_000
"""0.0001 PHA per extrinsic."""
LENGTH_FEE = 1_000_000
"""Per encoded byte of the extrinsic."""
WEIGHT_FEE_DIVISOR = 1_000
"""One planck per 1,000 units of ref_time weight."""
OPERATIONAL_FEE_MULTIPLIER = 5

# -- events --------------------------------------------------------------------------------------------

TransactionFeePaid = EventDecl(
    "TransactionFeePaid",
    0,
    (
        field_("who", AccountId, "T::AccountId"),
        field_("actual_fee", U128, "BalanceOf<T>"),
        field_("tip", U128, "BalanceOf<T>"),
    ),
    (
        "A transaction fee `actual_fee`, of which `tip` was added to the minimum inclusion fee, has been "
        "paid by `who`.",
    ),
)

EVENTS = (TransactionFeePaid,)

# -- constants -----------------------------------------------------------------------------------------

CONSTANTS = (
    Constant(
        "OperationalFeeMultiplier",
        U8,
        OPERATIONAL_FEE_MULTIPLIER,
        (
            'A fee multiplier for `Operational` extrinsics to compute "virtual tip" to boost their '
            "`priority`.",
        ),
    ),
)
