"""Session calls: set and purge the caller's session keys."""

from __future__ import annotations

from phalanx.codec import Bytes, field_
from phalanx.runtime.framework import CallDecl, Context, Origin, ensure_signed
from phalanx.runtime.modules.session import declarations as d
from phalanx.runtime.modules.session import logic


def set_keys(ctx: Context, origin: Origin, keys: dict[str, bytes], proof: bytes) -> None:
    logic.set_keys(ctx, ensure_signed(origin), bytes(keys["consensus"]), bytes(proof))


def purge_keys(ctx: Context, origin: Origin) -> None:
    logic.purge_keys(ctx, ensure_signed(origin))


CALLS = (
    CallDecl("set_keys", 0,
             (field_("keys", d.SESSION_KEYS_ARGUMENT, "T::Keys"), field_("proof", Bytes, "Vec<u8>")),
             set_keys, 300_000_000,
             ("Set the caller's (a bonded stash's) consensus key, with its signature over the stash.",)),
    CallDecl("purge_keys", 1, (), purge_keys, 200_000_000, ("Remove the caller's session keys.",)),
)  # fmt: skip
