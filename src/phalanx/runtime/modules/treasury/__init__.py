"""Treasury: the chain's common purse, held by the account `PalletId(*b"py/trsry")`.

Income: every transaction fee (paid there by TransactionPayment), the part of each era's maximum
inflation that stakers did not earn (minted by Staking), and every staking slash. Spending: only
`spend(amount, beneficiary)`, which needs the root origin; on chains without a sudo key root comes
only from an approved Democracy referendum. The treasury account is kept alive (never drained below
the existential deposit) so that fees of any size can always flow in.
"""

from __future__ import annotations

from phalanx.runtime.framework import Module
from phalanx.runtime.modules.balances.declarations import EXISTENTIAL_DEPOSIT
from phalanx.runtime.modules.treasury import declarations as d
from phalanx.runtime.modules.treasury.calls import CALLS
from phalanx.runtime.modules.treasury.declarations import ACCOUNT, SpendCount, TotalSpent
from phalanx.runtime.modules.treasury.logic import balance, mint, receive
from phalanx.runtime.state import State


def invariants(state: State) -> list[str]:
    if 0 < balance(state) < EXISTENTIAL_DEPOSIT:
        return ["the treasury holds less than the existential deposit"]
    return []


MODULE = Module.from_declarations(d, CALLS, invariants=invariants)

__all__ = ["ACCOUNT", "MODULE", "SpendCount", "TotalSpent", "balance", "invariants", "mint", "receive"]
