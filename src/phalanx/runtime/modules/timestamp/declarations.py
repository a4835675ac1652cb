"""Timestamp declarations: the block time and whether this block has set it."""

from __future__ import annotations

from phalanx.codec import U64, Bool
from phalanx.runtime.framework import Constant, StorageValue

NAME = "Timestamp"
INDEX = 1
CRATE = "pallet_timestamp"
MINIMUM_PERIOD = 0

# -- storage -------------------------------------------------------------------------------------------

Now = StorageValue(
    NAME, "Now", U64, 0, docs="The current time for the current block (ms since the Unix epoch)."
)
DidUpdate = StorageValue(
    NAME, "DidUpdate", Bool, False, docs="Whether the timestamp has been updated in this block."
)

STORAGE = (Now, DidUpdate)

# -- constants -----------------------------------------------------------------------------------------

CONSTANTS = (Constant("MinimumPeriod", U64, MINIMUM_PERIOD, ("The minimum period between blocks.",)),)
