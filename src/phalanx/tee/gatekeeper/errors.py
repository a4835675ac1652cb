"""Typed errors of the gatekeeper: malformed chain events, snapshots and key material."""

from __future__ import annotations

from phalanx.errors import PhalanxError


class GatekeeperError(PhalanxError):
    module = "gatekeeper"
    code = 0


class InvalidEvent(GatekeeperError):
    """A chain event handed to the gatekeeper is malformed (wrong key length, block going backwards)."""

    code = 1


class InvalidSnapshot(GatekeeperError):
    """Bytes that are not a canonical gatekeeper state snapshot of a supported version."""

    code = 2


class InvalidKeyMaterial(GatekeeperError):
    """A key, id or counter given to a derivation has the wrong length or range."""

    code = 3
