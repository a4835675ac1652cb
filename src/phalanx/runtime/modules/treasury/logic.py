"""Treasury: the chain's common purse, held by the account `PalletId(*b"py/trsry")`.

Income: every transaction fee (paid there by TransactionPayment), the part of each era's maximum
inflation that stakers did not earn (minted by Staking), and every staking slash. Spending: only
`spend(amount, beneficiary)`, which needs the root origin; on chains without a sudo key root comes
only from an approved Democracy referendum. The treasury account is kept alive (never drained below
the existential deposit) so that fees of any size can always flow in.
"""

from __future__ import annotations

from typing import Any

from phalanx.codec import U32, U128, AccountId, Compact, FixedBytes, field_
from phalanx.runtime.errors import ModuleError
from phalanx.runtime.framework import (
    CallDecl,
    Constant,
    Context,
    EventDecl,
    Module,
    Origin,
    StorageValue,
    ensure_root,
)
from phalanx.runtime.modules.balances import logic as balances
from phalanx.runtime.modules.balances.calls import lookup
from phalanx.runtime.modules.system import logic as system
from phalanx.runtime.modules.transaction_payment import TREASURY_ACCOUNT, TREASURY_PALLET_ID
from phalanx.runtime.state import State
from phalanx.runtime.types import MULTI_ADDRESS

NAME = "Treasury"
INDEX = 12
ACCOUNT = TREASURY_ACCOUNT

# -- storage -------------------------------------------------------------------------------------------

SpendCount = StorageValue(NAME, "SpendCount", U32, 0, docs="Number of spends made so far.")
TotalSpent = StorageValue(NAME, "TotalSpent", U128, 0, docs="Planck paid out by spends so far.")

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

# -- errors --------------------------------------------------------------------------------------------


class InsufficientFunds(ModuleError):
    """The treasury holds less than the spend (it keeps the existential deposit)."""

    module = "treasury"
    code = 0


# -- logic ---------------------------------------------------------------------------------------------


def balance(state: State) -> int:
    """Free balance of the treasury account."""
    return system.get_account(state, ACCOUNT).free


def mint(ctx: Context, amount: int) -> None:
    """Mint `amount` into the treasury (TotalIssuance rises). Emits Deposit."""
    if amount > 0:
        balances.deposit(ctx, ACCOUNT, amount)
        ctx.deposit_event(Deposit, value=amount)


def receive(ctx: Context, source: bytes, amount: int) -> None:
    """Move `amount` of `source`'s free balance to the treasury, ignoring locks (for slashes).

    The caller has already lowered the locks of `source` by `amount`; TotalIssuance is unchanged.
    """
    if amount <= 0:
        return
    info = system.get_account(ctx.state, source)
    taken = min(amount, info.free)
    balances.write_balance(ctx, source, info, info.free - taken, info.reserved)
    treasury = system.get_account(ctx.state, ACCOUNT)
    balances.write_balance(ctx, ACCOUNT, treasury, treasury.free + taken, treasury.reserved)
    ctx.deposit_event(Deposit, value=taken)


def spend_funds(ctx: Context, amount: int, beneficiary: bytes) -> None:
    """Pay `amount` to `beneficiary`; InsufficientFunds unless the treasury stays alive."""
    if amount > balance(ctx.state) - balances.ED:
        raise InsufficientFunds(
            f"the treasury holds {balance(ctx.state)} planck; it cannot pay {amount} "
            "and keep its existential deposit"
        )
    balances.transfer(ctx, ACCOUNT, beneficiary, amount, keep_alive=True)
    index = SpendCount.get(ctx.state)
    SpendCount.put(ctx.state, index + 1)
    TotalSpent.put(ctx.state, TotalSpent.get(ctx.state) + amount)
    ctx.deposit_event(Awarded, proposal_index=index, award=amount, account=beneficiary)


# -- calls ---------------------------------------------------------------------------------------------


def spend(ctx: Context, origin: Origin, amount: int, beneficiary: tuple[str, Any]) -> None:
    ensure_root(origin)
    spend_funds(ctx, amount, lookup(beneficiary))


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


def invariants(state: State) -> list[str]:
    from phalanx.runtime.modules.balances.declarations import EXISTENTIAL_DEPOSIT

    if 0 < balance(state) < EXISTENTIAL_DEPOSIT:
        return ["the treasury holds less than the existential deposit"]
    return []


MODULE = Module(
    name=NAME,
    index=INDEX,
    crate="pallet_treasury",
    storage=(SpendCount, TotalSpent),
    calls=CALLS,
    events=(Awarded, Deposit),
    errors=(InsufficientFunds,),
    invariants=invariants,
    constants=(
        Constant(
            "PalletId",
            FixedBytes(8),
            TREASURY_PALLET_ID,
            ("The treasury's module id; its account is `modl` ++ id ++ zeros.",),
        ),
    ),
)
