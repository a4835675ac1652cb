"""System: accounts (nonce, reference counts, balance data), block number and hashes, and events.

Storage `System.Account` holds `AccountInfo { nonce, consumers, providers, sufficients, data }` where
`data` is the Balances module's `AccountData { free, reserved, frozen, flags }`. An account exists
while it has a provider (Balances provides one while its total balance is at least the existential
deposit); when the last provider goes, its record (nonce included) is removed and `KilledAccount`
is emitted.
"""

from __future__ import annotations

from phalanx.runtime.framework import Module
from phalanx.runtime.modules.system import declarations as d
from phalanx.runtime.modules.system.calls import CALLS

MODULE = Module.from_declarations(d, CALLS)
