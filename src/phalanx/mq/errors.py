"""Typed errors of the message queue: malformed messages, bad signatures, replays and gaps."""

from __future__ import annotations

from phalanx.errors import PhalanxError


class MqError(PhalanxError):
    module = "mq"
    code = 0


class InvalidMessage(MqError):
    """A field of a message has the wrong shape (key length, empty or malformed topic, ...)."""

    code = 1


class BadSignature(MqError):
    """The signature does not verify for the sender's key over the message and its sequence."""

    code = 2


class Replayed(MqError):
    """The sender's message with this sequence number was already accepted."""

    code = 3


class OutOfOrder(MqError):
    """The sequence number skips ahead: an earlier message of this sender must be accepted first."""

    code = 4
