"""Balances: the PHA token. Free, reserved and frozen balances, transfers, existential deposit.

Amounts are in planck (1 PHA = 10**12 planck). The existential deposit is 1 PHA cent (10**10 planck).
Other modules use `logic.reserve` / `unreserve` / `slash_reserved` for deposits and `set_lock` /
`remove_lock` for staking and voting locks; `logic.withdraw` / `deposit` burn and mint.
"""

from __future__ import annotations

from collections.abc import Sequence

from phalanx.runtime.framework import Context, Module
from phalanx.runtime.modules.balances import declarations as d
from phalanx.runtime.modules.balances import logic
from phalanx.runtime.modules.balances.calls import CALLS
from phalanx.runtime.modules.system import declarations as system_d
from phalanx.runtime.state import State


def genesis(ctx: Context, balances: Sequence[tuple[bytes, int]]) -> None:
    """Endow each account; every amount must be at least the existential deposit."""
    total = 0
    for who, amount in balances:
        if amount < d.EXISTENTIAL_DEPOSIT:
            raise ValueError(f"genesis balance {amount} of 0x{who.hex()} is below the existential deposit")
        before = system_d.Account.get(ctx.state, who)
        logic.write_balance(ctx, who, before, before.free + amount, before.reserved)
        total += amount
    d.TotalIssuance.put(ctx.state, d.TotalIssuance.get(ctx.state) + total)


def invariants(state: State) -> list[str]:
    """TotalIssuance equals the sum of all balances; no account below ED; frozen is the largest lock."""
    problems = []
    total = 0
    for who, info in system_d.Account.iter(state):
        balance = info.free + info.reserved
        total += balance
        if 0 < balance < d.EXISTENTIAL_DEPOSIT:
            problems.append(f"account 0x{who.hex()} holds {balance}, below the existential deposit")
        locks = d.Locks.get(state, who)
        if info.frozen != max((lk.amount for lk in locks), default=0):
            problems.append(f"account 0x{who.hex()} frozen {info.frozen} is not its largest lock")
    issuance = d.TotalIssuance.get(state)
    if issuance != total:
        problems.append(f"TotalIssuance {issuance} != sum of balances {total}")
    return problems


MODULE = Module.from_declarations(
    d, CALLS, genesis=lambda ctx, config: genesis(ctx, config.balances), invariants=invariants,
)
