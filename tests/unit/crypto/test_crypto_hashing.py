"""Hashes against published vectors: Substrate storage key prefixes, xxHash64 and BLAKE2b reference values."""

from __future__ import annotations

import pytest

from phalanx.crypto import (
    blake2_128,
    blake2_128_concat,
    blake2_256,
    identity,
    twox_64,
    twox_64_concat,
    twox_128,
    twox_256,
)


@pytest.mark.parametrize(
    ("name", "digest"),
    [
        ("System", "26aa394eea5630e07c48ae0c9558cef7"),
        ("Account", "b99d880ec681799c0cf30e8886371da9"),
        ("Number", "02a5c1b19ab7a04f536c519aca4983ac"),
        ("Events", "80d41e5e16056765bc8461851072c9d7"),
        ("Balances", "c2261276cc9d1f8598ea4b6a74b15c2f"),
        ("TotalIssuance", "57c875e4cff74148e4628f264b974c80"),
        ("Timestamp", "f0c365c3cf59d671eb72da0e7a4113c4"),
    ],
)
def test_twox_128_storage_prefixes(name: str, digest: str) -> None:
    assert twox_128(name.encode()).hex() == digest


def test_system_account_key_of_alice() -> None:
    alice = bytes.fromhex("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")
    key = twox_128(b"System") + twox_128(b"Account") + blake2_128_concat(alice)
    assert key.hex() == (
        "26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9"
        "de1e86a9a8c739864cf3cc5ec2bea59fd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
    )


def test_twox_layout() -> None:
    # xxHash64 of the empty input with seed 0 is 0xef46db3751d8e999; Substrate writes it little-endian
    assert twox_64(b"").hex() == "99e9d85137db46ef"
    assert twox_128(b"")[:8] == twox_64(b"")
    assert twox_256(b"abc")[:16] == twox_128(b"abc")
    assert len(twox_256(b"abc")) == 32
    assert twox_64_concat(b"\x01\x02") == twox_64(b"\x01\x02") + b"\x01\x02"


def test_blake2_vectors() -> None:
    assert blake2_256(b"").hex() == "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"
    assert blake2_128(b"").hex() == "cae66941d9efbd404e4d88758ea67670"
    assert blake2_256(b"abc").hex() == "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"
    assert blake2_128_concat(b"xyz") == blake2_128(b"xyz") + b"xyz"
    assert identity(b"key") == b"key"
