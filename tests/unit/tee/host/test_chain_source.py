"""The host rebuilds the exact SCALE header bytes from the node's header JSON (the enclave hashes them)."""

from __future__ import annotations

from phalanx.runtime.block import DigestItem, Header
from phalanx.tee.host.chain_source import encode_header_json


def test_header_json_roundtrip() -> None:
    header = Header(b"\x01" * 32, 70000, b"\x02" * 32, b"\x03" * 32, (DigestItem("Other", b"xyz"),))
    assert encode_header_json(header.to_json()) == header.encode()
