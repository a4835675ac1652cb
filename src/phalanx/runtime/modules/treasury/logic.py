"""Treasury logic: what the treasury holds, what flows in (mints and slashes) and what it pays out."""

from __future__ import annotations

from phalanx.runtime.framework import Context
from phalanx.runtime.modules.balances import logic as balances
from phalanx.runtime.modules.system import logic as system
from phalanx.runtime.modules.treasury import declarations as d
from phalanx.runtime.modules.treasury.declarations import ACCOUNT
from phalanx.runtime.state import State


def balance(state: State) -> int:
    """Free balance of the treasury account."""
    return system.get_account(state, ACCOUNT).free


def mint(ctx: Context, amount: int) -> None:
    """Mint `amount` into the treasury (TotalIssuance rises). Emits Deposit."""
    if amount > 0:
        balances.deposit(ctx, ACCOUNT, amount)
        ctx.deposit_event(d.Deposit, value=amount)


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
    ctx.deposit_event(d.Deposit, value=taken)


def spend_funds(ctx: Context, amount: int, beneficiary: bytes) -> None:
    """Pay `amount` to `beneficiary`; InsufficientFunds unless the treasury stays alive."""
    if amount > balance(ctx.state) - balances.ED:
        raise d.InsufficientFunds(
            f"the treasury holds {balance(ctx.state)} planck; it cannot pay {amount} "
            "and keep its existential deposit"
        )
    balances.transfer(ctx, ACCOUNT, beneficiary, amount, keep_alive=True)
    index = d.SpendCount.get(ctx.state)
    d.SpendCount.put(ctx.state, index + 1)
    d.TotalSpent.put(ctx.state, d.TotalSpent.get(ctx.state) + amount)
    ctx.deposit_event(d.Awarded, proposal_index=index, award=amount, account=beneficiary)
