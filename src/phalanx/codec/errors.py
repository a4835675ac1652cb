"""Typed errors of the SCALE codec."""

from __future__ import annotations

from phalanx.errors import PhalanxError


class CodecError(PhalanxError):
    module = "codec"
    code = 0


class DecodeError(CodecError):
    """Bytes that are not a valid encoding of the expected type (truncated, trailing, out of range)."""

    code = 1


class EncodeError(CodecError):
    """A value that the type cannot represent (wrong Python type, out of range, wrong length)."""

    code = 2
