"""Validator-set changes that the runtime decided, turned into CometBFT validator updates.

The Validators runtime module (root-only calls) records each change as an event carrying the
validator's ed25519 consensus key and its new voting power (0 removes it). After FinalizeBlock the
application hands CometBFT one update per changed key, the last change of the block winning.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from phalanx.crypto.hashing import twox_128
from phalanx.engine.abci.types import ValidatorUpdate
from phalanx.runtime.modules import validators

VALIDATOR_EVENT = (validators.NAME, validators.PowerSet.name)
VALIDATOR_STORAGE = twox_128(validators.NAME.encode())
"""Every storage key of the Validators module starts with twox128("Validators")."""


def validator_updates_from_events(events: Iterable[Any]) -> tuple[ValidatorUpdate, ...]:
    """Updates from decoded event records shaped `(module, event, fields)` or with those attributes."""
    updates: dict[bytes, ValidatorUpdate] = {}
    for record in events:
        module = getattr(record, "module", None)
        name = getattr(record, "name", None) or getattr(record, "event", None)
        fields = getattr(record, "fields", None) or getattr(record, "attributes", None)
        if (module, name) != VALIDATOR_EVENT or not isinstance(fields, dict):
            continue
        key, power = fields.get("pub_key"), fields.get("power")
        if isinstance(key, bytes) and len(key) == 32 and isinstance(power, int) and power >= 0:
            updates[key] = ValidatorUpdate(pub_key=key, power=power)
    return tuple(updates.values())
