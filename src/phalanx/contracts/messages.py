"""Decoding a contract's wire types with the contract's own typed error.

A contract's commands, queries, answers and effects are each a `phalanx.codec.DataclassEnum` (an
ordinary SCALE enum whose values are frozen dataclasses); `decode_or_raise` reads one from untrusted
bytes and turns a malformed input into the typed error the contract documents.
"""

from __future__ import annotations

from typing import TypeVar

from phalanx.codec import Codec, DecodeError
from phalanx.errors import PhalanxError

T = TypeVar("T")


def decode_or_raise(codec: Codec[T], data: bytes, error: type[PhalanxError]) -> T:
    """Decode all of `data` with `codec`; a malformed input raises `error` (a typed contract error)."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise error(f"expected bytes, got {type(data).__name__}")
    try:
        return codec.decode(bytes(data))
    except DecodeError as exc:
        raise error(f"cannot decode {codec!r}: {exc.message}") from None
