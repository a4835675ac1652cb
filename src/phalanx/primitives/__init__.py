"""Primitive chain types: SS58 addresses and the fixed-width values of the chain (see `phalanx.codec`)."""
