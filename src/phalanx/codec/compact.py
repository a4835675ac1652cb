"""SCALE compact integers: the variable-length unsigned encoding used for lengths, nonces and balances.

Modes by the two low bits of the first byte: 0b00 one byte (< 2**6), 0b01 two bytes (< 2**14),
0b10 four bytes (< 2**30), 0b11 "big integer" with (len - 4) in the upper six bits, then `len`
little-endian bytes. Decoding refuses non-canonical encodings, as Substrate does.
"""

from __future__ import annotations

from phalanx.codec.errors import DecodeError, EncodeError

_MAX = 1 << 536


def encode_compact(value: int) -> bytes:
    if value < 0:
        raise EncodeError(f"compact integers are unsigned, got {value}")
    if value < 1 << 6:
        return bytes((value << 2,))
    if value < 1 << 14:
        return ((value << 2) | 1).to_bytes(2, "little")
    if value < 1 << 30:
        return ((value << 2) | 2).to_bytes(4, "little")
    if value >= _MAX:
        raise EncodeError("compact integer too large")
    length = (value.bit_length() + 7) // 8
    return bytes((((length - 4) << 2) | 3,)) + value.to_bytes(length, "little")


def decode_compact(data: bytes, offset: int = 0) -> tuple[int, int]:
    """Decode a compact integer at `offset`; returns (value, offset after it)."""
    try:
        first = data[offset]
    except IndexError:
        raise DecodeError("truncated compact integer") from None
    mode = first & 3
    if mode == 0:
        return first >> 2, offset + 1
    if mode == 1:
        end = offset + 2
        if end > len(data):
            raise DecodeError("truncated compact integer")
        value = int.from_bytes(data[offset:end], "little") >> 2
        if value < 1 << 6:
            raise DecodeError("non-canonical compact integer")
        return value, end
    if mode == 2:
        end = offset + 4
        if end > len(data):
            raise DecodeError("truncated compact integer")
        value = int.from_bytes(data[offset:end], "little") >> 2
        if value < 1 << 14:
            raise DecodeError("non-canonical compact integer")
        return value, end
    length = (first >> 2) + 4
    end = offset + 1 + length
    if end > len(data):
        raise DecodeError("truncated compact integer")
    value = int.from_bytes(data[offset + 1 : end], "little")
    if value < 1 << 30 or value.bit_length() <= (length - 1) * 8:
        raise DecodeError("non-canonical compact integer")
    return value, end
