"""Balances logic: transfers, minting and burning, reserves and locks, over explicit state.

Rules kept by every function here:
- an account's total (free + reserved) is either zero (no record) or at least the existential deposit
  (ED); a change that leaves 0 < total < ED reaps the account and burns the rest as dust (`DustLost`);
- `TotalIssuance` always equals the sum of every account's total;
- `frozen` is the largest lock and free balance is never moved below it;
- an account holding a reserve or a lock (consumers > 0) is never reaped by a withdrawal.
Each function raises a module error before writing anything, so callers need no rollback of their own.
"""

from __future__ import annotations

from dataclasses import replace

from phalanx.runtime.errors import ArithmeticOverflow
from phalanx.runtime.framework import Context
from phalanx.runtime.modules.balances import declarations as d
from phalanx.runtime.modules.system import logic as system
from phalanx.runtime.types import AccountInfo

ED = d.EXISTENTIAL_DEPOSIT
_MAX = (1 << 128) - 1


def free_balance(ctx: Context, who: bytes) -> int:
    return system.get_account(ctx.state, who).free


def _issue(ctx: Context, delta: int) -> None:
    issuance = d.TotalIssuance.get(ctx.state) + delta
    if not 0 <= issuance <= _MAX:
        raise ArithmeticOverflow("total issuance out of range")
    d.TotalIssuance.put(ctx.state, issuance)


def write_balance(ctx: Context, who: bytes, before: AccountInfo, free: int, reserved: int) -> int:
    """Store new free/reserved amounts of `who`, endowing or reaping as the ED demands.

    Returns the dust burnt (0 unless the account was reaped with a non-zero remainder). Does not
    touch TotalIssuance for the amounts moved; it does subtract dust.
    """
    dust = 0
    total = free + reserved
    if 0 < total < ED:
        dust, free, reserved, total = total, 0, 0, 0
    had = before.free + before.reserved > 0
    providers = before.providers + (1 if total and not had else 0) - (1 if had and not total else 0)
    after = replace(
        before, free=free, reserved=reserved, providers=providers, frozen=before.frozen if total else 0
    )
    system.put_account(ctx, who, before, after)
    if total and not had:
        ctx.deposit_event(d.Endowed, account=who, free_balance=free)
    if dust:
        _issue(ctx, -dust)
        ctx.deposit_event(d.DustLost, account=who, amount=dust)
    return dust


def ensure_can_withdraw(info: AccountInfo, amount: int, keep_alive: bool) -> int:
    """The free balance left after withdrawing `amount`; raises the module error that forbids it."""
    if amount > info.free:
        raise d.InsufficientBalance(f"free balance {info.free} is below {amount}")
    new_free = info.free - amount
    if new_free < info.frozen:
        raise d.LiquidityRestrictions(f"{info.frozen} of the balance is locked")
    if new_free + info.reserved < ED and (keep_alive or info.consumers > 0 or info.reserved > 0):
        raise d.Expendability("the account would fall below the existential deposit")
    return new_free


def transfer(ctx: Context, source: bytes, dest: bytes, value: int, keep_alive: bool) -> None:
    """Move `value` from `source`'s free balance to `dest`. Emits Transfer (and Endowed/DustLost)."""
    if value == 0 or source == dest:
        return
    src = system.get_account(ctx.state, source)
    new_free = ensure_can_withdraw(src, value, keep_alive)
    dst = system.get_account(ctx.state, dest)
    if dst.free + dst.reserved == 0 and value < ED:
        raise d.ExistentialDeposit(f"a new account needs at least {ED} planck, got {value}")
    if dst.free + value > _MAX:
        raise ArithmeticOverflow("balance overflow")
    write_balance(ctx, source, src, new_free, src.reserved)
    ctx.deposit_event(d.Transfer, **{"from": source, "to": dest, "amount": value})
    write_balance(ctx, dest, dst, dst.free + value, dst.reserved)


def reducible_balance(info: AccountInfo, keep_alive: bool) -> int:
    """How much of the free balance can be withdrawn (all of it down to the lock, or down to ED)."""
    floor = info.frozen
    if keep_alive or info.consumers > 0 or info.reserved > 0:
        floor = max(floor, ED - min(ED, info.reserved))
    return max(0, info.free - floor)


def withdraw(ctx: Context, who: bytes, amount: int, keep_alive: bool) -> None:
    """Burn `amount` from the free balance (TotalIssuance falls). Emits Withdraw."""
    info = system.get_account(ctx.state, who)
    new_free = ensure_can_withdraw(info, amount, keep_alive)
    ctx.deposit_event(d.Withdraw, who=who, amount=amount)
    _issue(ctx, -amount)
    write_balance(ctx, who, info, new_free, info.reserved)


def deposit(ctx: Context, who: bytes, amount: int) -> None:
    """Mint `amount` into the free balance (TotalIssuance rises). Emits Deposit."""
    info = system.get_account(ctx.state, who)
    if info.free + info.reserved == 0 and amount < ED:
        raise d.ExistentialDeposit(f"a new account needs at least {ED} planck, got {amount}")
    if info.free + amount > _MAX:
        raise ArithmeticOverflow("balance overflow")
    _issue(ctx, amount)
    write_balance(ctx, who, info, info.free + amount, info.reserved)
    ctx.deposit_event(d.Deposit, who=who, amount=amount)


def set_free_balance(ctx: Context, who: bytes, new_free: int) -> None:
    """Root: set the free balance, minting or burning the difference. Emits BalanceSet."""
    info = system.get_account(ctx.state, who)
    if new_free > _MAX:
        raise ArithmeticOverflow("balance overflow")
    _issue(ctx, new_free - info.free)
    write_balance(ctx, who, info, new_free, info.reserved)
    ctx.deposit_event(d.BalanceSet, who=who, free=system.get_account(ctx.state, who).free)


# -- reserves (for deposits held by other modules) -----------------------------------------------------


def reserve(ctx: Context, who: bytes, amount: int) -> None:
    """Move `amount` from free to reserved. Emits Reserved."""
    info = system.get_account(ctx.state, who)
    if amount > info.free:
        raise d.InsufficientBalance(f"free balance {info.free} is below {amount}")
    if info.free - amount < info.frozen:
        raise d.LiquidityRestrictions(f"{info.frozen} of the balance is locked")
    write_balance(ctx, who, info, info.free - amount, info.reserved + amount)
    ctx.deposit_event(d.Reserved, who=who, amount=amount)


def unreserve(ctx: Context, who: bytes, amount: int) -> int:
    """Move up to `amount` from reserved back to free; returns what was moved. Emits Unreserved."""
    info = system.get_account(ctx.state, who)
    moved = min(amount, info.reserved)
    if moved:
        write_balance(ctx, who, info, info.free + moved, info.reserved - moved)
        ctx.deposit_event(d.Unreserved, who=who, amount=moved)
    return moved


def slash_reserved(ctx: Context, who: bytes, amount: int) -> int:
    """Burn up to `amount` of the reserved balance; returns what was burnt. Emits Slashed."""
    info = system.get_account(ctx.state, who)
    slashed = min(amount, info.reserved)
    if slashed:
        _issue(ctx, -slashed)
        write_balance(ctx, who, info, info.free, info.reserved - slashed)
        ctx.deposit_event(d.Slashed, who=who, amount=slashed)
    return slashed


# -- locks (for staking, voting, vesting) --------------------------------------------------------------


def set_lock(ctx: Context, lock_id: bytes, who: bytes, amount: int) -> None:
    """Create or replace the lock `lock_id` (8 bytes) of `amount` on `who`'s free balance."""
    current: list[d.BalanceLock] = d.Locks.get(ctx.state, who)
    locks = [lk for lk in current if lk.id != lock_id]
    if len(locks) >= d.MAX_LOCKS:
        raise d.TooManyFreezes(f"at most {d.MAX_LOCKS} locks per account")
    locks.append(d.BalanceLock(lock_id, amount, ("All", None)))
    _store_locks(ctx, who, bool(current), locks)
    ctx.deposit_event(d.Locked, who=who, amount=amount)


def remove_lock(ctx: Context, lock_id: bytes, who: bytes) -> None:
    locks: list[d.BalanceLock] = d.Locks.get(ctx.state, who)
    kept = [lk for lk in locks if lk.id != lock_id]
    if len(kept) != len(locks):
        _store_locks(ctx, who, True, kept)
        ctx.deposit_event(d.Unlocked, who=who, amount=sum(lk.amount for lk in locks if lk.id == lock_id))


def _store_locks(ctx: Context, who: bytes, had: bool, locks: list[d.BalanceLock]) -> None:
    """Store `who`'s locks (`had`: whether it held any before), its frozen amount and consumer count."""
    info = system.get_account(ctx.state, who)
    if not system.account_exists(info):
        raise d.DeadAccount("cannot lock the balance of an account that does not exist")
    frozen = max((lk.amount for lk in locks), default=0)
    has = bool(locks)
    consumers = info.consumers + (1 if has and not had else 0) - (1 if had and not has else 0)
    if locks:
        d.Locks.put(ctx.state, who, locks)
    else:
        d.Locks.remove(ctx.state, who)
    system.put_account(ctx, who, info, replace(info, frozen=frozen, consumers=consumers))
