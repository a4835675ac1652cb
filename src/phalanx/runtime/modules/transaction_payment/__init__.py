"""TransactionPayment: the fee of every signed extrinsic, paid before its call runs.

    fee = BASE_FEE + LENGTH_FEE * encoded length + weight.ref_time // WEIGHT_FEE_DIVISOR + tip

The whole fee (tip included: there is no block-author reward yet) goes to the treasury account,
`PalletId(*b"py/trsry")` (`modl` ++ `py/trsry` ++ zeros), for a later treasury module to spend. The
fee is withdrawn keeping the payer alive: an extrinsic whose fee would take the sender's free balance
below the existential deposit or below its locks is invalid (`InvalidTransaction::Payment`) and never
enters a block. A call that fails keeps its fee.
"""

from __future__ import annotations

from dataclasses import replace

from phalanx.codec import U8, U128, AccountId, field_
from phalanx.runtime.framework import Constant, Context, EventDecl, Module, pallet_account
from phalanx.runtime.modules.balances import declarations as balances_d
from phalanx.runtime.modules.balances import logic as balances
from phalanx.runtime.modules.system import logic as system
from phalanx.runtime.types import AccountInfo

NAME = "TransactionPayment"
INDEX = 3

BASE_FEE = 100_000_000
"""0.0001 PHA per extrinsic."""
LENGTH_FEE = 1_000_000
"""Per encoded byte of the extrinsic."""
WEIGHT_FEE_DIVISOR = 1_000
"""One planck per 1,000 units of ref_time weight."""
OPERATIONAL_FEE_MULTIPLIER = 5

TREASURY_PALLET_ID = b"py/trsry"
TREASURY_ACCOUNT = pallet_account(TREASURY_PALLET_ID)

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

# -- logic ---------------------------------------------------------------------------------------------


def compute_fee_parts(length: int, weight: int) -> tuple[int, int, int]:
    """(base fee, length fee, weight fee) of an extrinsic; the tip comes on top."""
    return BASE_FEE, LENGTH_FEE * length, weight // WEIGHT_FEE_DIVISOR


def compute_fee(length: int, weight: int, tip: int) -> int:
    base, by_length, by_weight = compute_fee_parts(length, weight)
    return base + by_length + by_weight + tip


def can_pay(info: AccountInfo, fee: int) -> bool:
    """True if `fee` can be withdrawn from `info` keeping the account alive and its locks covered."""
    if fee > info.free:
        return False
    new_free = info.free - fee
    return new_free >= info.frozen and new_free + info.reserved >= balances_d.EXISTENTIAL_DEPOSIT


def charge(ctx: Context, who: bytes, info: AccountInfo, fee: int, tip: int) -> AccountInfo:
    """Take `fee` from `who` (whose current record is `info`) into the treasury, bump the nonce.

    The caller has checked `can_pay`. Returns the sender's new record. Emits Withdraw, Deposit,
    TransactionFeePaid.
    """
    after = replace(info, free=info.free - fee, nonce=(info.nonce + 1) & 0xFFFFFFFF)
    system.put_account(ctx, who, info, after)
    ctx.deposit_event(balances_d.Withdraw, who=who, amount=fee)
    if fee:
        treasury = system.get_account(ctx.state, TREASURY_ACCOUNT)
        balances.write_balance(ctx, TREASURY_ACCOUNT, treasury, treasury.free + fee, treasury.reserved)
        ctx.deposit_event(balances_d.Deposit, who=TREASURY_ACCOUNT, amount=fee)
    ctx.deposit_event(TransactionFeePaid, who=who, actual_fee=fee, tip=tip)
    return after


MODULE = Module(
    name=NAME,
    index=INDEX,
    crate="pallet_transaction_payment",
    events=(TransactionFeePaid,),
    constants=(
        Constant(
            "OperationalFeeMultiplier",
            U8,
            OPERATIONAL_FEE_MULTIPLIER,
            (
                'A fee multiplier for `Operational` extrinsics to compute "virtual tip" to boost their '
                "`priority`.",
            ),
        ),
    ),
)
