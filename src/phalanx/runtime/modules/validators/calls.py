"""Validators calls: root sets one validator's power."""

from __future__ import annotations

from phalanx.codec import U64, field_
from phalanx.runtime.framework import CallDecl, Context, Origin, ensure_root
from phalanx.runtime.modules.validators import logic
from phalanx.runtime.modules.validators.declarations import PUB_KEY


def force_set_power(ctx: Context, origin: Origin, pub_key: bytes, power: int) -> None:
    ensure_root(origin)
    logic.set_power(ctx, pub_key, power)


CALLS = (
    CallDecl("force_set_power", 0, (field_("pub_key", PUB_KEY, "[u8; 32]"), field_("power", U64, "u64")),
             force_set_power, 50_000_000,
             ("Add a validator, change its power, or remove it with power 0 (root only).",)),
)  # fmt: skip
