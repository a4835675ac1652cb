"""ABCI socket framing: each protobuf message is preceded by its length as an unsigned varint."""

from __future__ import annotations

from phalanx.engine.abci.errors import FrameTooLarge, MalformedFrame

MAX_VARINT_BYTES = 10
DEFAULT_MAX_FRAME_BYTES = 128 * 1024 * 1024


def encode_uvarint(value: int) -> bytes:
    """Encode a non-negative integer as a protobuf unsigned varint."""
    if value < 0:
        raise ValueError(f"uvarint cannot encode the negative number {value}")
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def encode_frame(message: bytes) -> bytes:
    """Prefix one serialized message with its length."""
    return encode_uvarint(len(message)) + message


class FrameDecoder:
    """Splits a byte stream into frames; feed it bytes as they arrive, then take whole frames.

    Raises `MalformedFrame` on a varint longer than 10 bytes and `FrameTooLarge` when a prefix
    announces more than `max_frame_bytes`; after either the stream cannot be resynchronised.
    """

    def __init__(self, max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES) -> None:
        self._buffer = bytearray()
        self._max = max_frame_bytes

    def feed(self, data: bytes) -> None:
        self._buffer += data

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def next_frame(self) -> bytes | None:
        """Return the next whole frame's payload, or None until more bytes arrive."""
        length = 0
        shift = 0
        for index, byte in enumerate(self._buffer):
            if index >= MAX_VARINT_BYTES:
                raise MalformedFrame("length prefix is longer than 10 bytes")
            length |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                header = index + 1
                break
        else:
            if len(self._buffer) > MAX_VARINT_BYTES:
                raise MalformedFrame("length prefix is longer than 10 bytes")
            return None
        if length > self._max:
            raise FrameTooLarge(f"frame of {length} bytes exceeds the limit of {self._max} bytes")
        if len(self._buffer) < header + length:
            return None
        payload = bytes(self._buffer[header : header + length])
        del self._buffer[: header + length]
        return payload
