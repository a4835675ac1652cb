"""TransactionPayment: the fee of every signed extrinsic, paid before its call runs.

    fee = BASE_FEE + LENGTH_FEE * encoded length + weight.ref_time // WEIGHT_FEE_DIVISOR + tip

The whole fee (tip included: there is no block-author reward yet) goes to the treasury account,
`system.declarations.TREASURY_ACCOUNT` (`modl` ++ `py/trsry` ++ zeros), which the Treasury module
spends. The fee is withdrawn keeping the payer alive: an extrinsic whose fee would take the sender's
free balance below the existential deposit or below its locks is invalid
(`InvalidTransaction::Payment`) and never enters a block. A call that fails keeps its fee.
"""

from __future__ import annotations

from phalanx.runtime.framework import Module
from phalanx.runtime.modules.transaction_payment import declarations as d
from phalanx.runtime.modules.transaction_payment.logic import can_pay, charge, compute_fee, compute_fee_parts

MODULE = Module.from_declarations(d)

__all__ = ["MODULE", "can_pay", "charge", "compute_fee", "compute_fee_parts"]
