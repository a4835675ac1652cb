"""Varint length framing of ABCI messages."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phalanx.engine.abci.errors import FrameTooLarge, MalformedFrame
from phalanx.engine.abci.framing import FrameDecoder, encode_frame, encode_uvarint


def test_uvarint_golden() -> None:
    assert encode_uvarint(0) == b"\x00"
    assert encode_uvarint(127) == b"\x7f"
    assert encode_uvarint(128) == b"\x80\x01"
    assert encode_uvarint(300) == b"\xac\x02"
    assert encode_uvarint(2**64 - 1) == b"\xff" * 9 + b"\x01"


@given(st.lists(st.binary(max_size=300), max_size=8), st.integers(min_value=1, max_value=7))
def test_frames_survive_any_chunking(messages: list[bytes], chunk: int) -> None:
    stream = b"".join(encode_frame(m) for m in messages)
    decoder = FrameDecoder()
    out: list[bytes] = []
    for start in range(0, len(stream), chunk):
        decoder.feed(stream[start : start + chunk])
        while (frame := decoder.next_frame()) is not None:
            out.append(frame)
    assert out == messages
    assert decoder.buffered == 0


def test_overlong_varint_is_malformed() -> None:
    decoder = FrameDecoder()
    decoder.feed(b"\xff" * 11)
    with pytest.raises(MalformedFrame):
        decoder.next_frame()


def test_frame_over_the_limit_is_refused() -> None:
    decoder = FrameDecoder(max_frame_bytes=1000)
    decoder.feed(encode_uvarint(1001))
    with pytest.raises(FrameTooLarge):
        decoder.next_frame()
