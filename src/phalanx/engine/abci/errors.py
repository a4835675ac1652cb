"""Typed errors of the ABCI socket server."""

from __future__ import annotations

from phalanx.errors import PhalanxError


class AbciError(PhalanxError):
    """A peer spoke ABCI wrongly; the connection it came on is closed."""

    module = "abci"
    code = 0


class MalformedFrame(AbciError):
    """A length prefix was not a valid unsigned varint, or a frame did not decode as a Request."""

    code = 1


class FrameTooLarge(AbciError):
    """A length prefix announced more bytes than the server accepts in one message."""

    code = 2


class EmptyRequest(AbciError):
    """A Request decoded but named no method (its `value` oneof was unset or unknown)."""

    code = 3


class InvalidAddress(AbciError):
    """A listen address was neither `tcp://HOST:PORT` nor `unix://PATH`."""

    code = 4
