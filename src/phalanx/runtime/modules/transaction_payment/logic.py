"""TransactionPayment logic: compute a fee, check it can be paid, charge it into the treasury."""

from __future__ import annotations

from dataclasses import replace

from phalanx.runtime.framework import Context
from phalanx.runtime.modules.balances import declarations as balances_d
from phalanx.runtime.modules.balances import logic as balances
from phalanx.runtime.modules.system import logic as system
from phalanx.runtime.modules.system.declarations import TREASURY_ACCOUNT
from phalanx.runtime.modules.transaction_payment import declarations as d
from phalanx.runtime.types import AccountInfo


def compute_fee_parts(length: int, weight: int) -> tuple[int, int, int]:
    """(base fee, length fee, weight fee) of an extrinsic; the tip comes on top."""
    return d.BASE_FEE, d.LENGTH_FEE * length, weight // d.WEIGHT_FEE_DIVISOR


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
    ctx.deposit_event(d.TransactionFeePaid, who=who, actual_fee=fee, tip=tip)
    return after
