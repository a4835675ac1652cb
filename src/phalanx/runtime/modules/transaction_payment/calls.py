"""TransactionPayment has no calls: it charges every signed extrinsic from the executive."""
