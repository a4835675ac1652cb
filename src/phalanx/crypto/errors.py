"""Typed errors of the crypto package."""

from __future__ import annotations

from phalanx.errors import PhalanxError


class CryptoError(PhalanxError):
    module = "crypto"
    code = 0


class InvalidKey(CryptoError):
    """A key has the wrong length or is not a valid point/scalar."""

    code = 1


class InvalidSecretUri(CryptoError):
    """A secret URI (`//Alice`, `phrase//hard/soft///password`) cannot be parsed."""

    code = 2


class DecryptionError(CryptoError):
    """A ciphertext failed authentication: wrong key, wrong associated data, or tampered bytes."""

    code = 3
