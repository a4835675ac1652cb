"""SS58 addresses: known addresses, round trips over one- and two-byte prefixes, and refusal of bad input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scalecodec.utils.ss58 import ss58_decode as reference_decode
from scalecodec.utils.ss58 import ss58_encode as reference_encode

from phalanx.primitives.ss58 import SS58_PREFIX, InvalidAddress, parse_account, ss58_decode, ss58_encode

ALICE = bytes.fromhex("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")
ALICE_42 = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"


def test_known_addresses() -> None:
    assert ss58_encode(ALICE, 42) == ALICE_42
    assert ss58_decode(ALICE_42) == (ALICE, 42)
    assert ss58_encode(ALICE, 0) == "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5"  # Polkadot
    assert ss58_encode(ALICE, 2) == "HNZata7iMYWmk5RvZRTiAsSDhV8366zq2YGb3tLH5Upf74F"  # Kusama
    assert SS58_PREFIX == 30
    assert ss58_encode(ALICE) == reference_encode(ALICE.hex(), 30)


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=32, max_size=32), st.integers(0, 16383))
def test_round_trip_and_reference(public: bytes, prefix: int) -> None:
    address = ss58_encode(public, prefix)
    assert ss58_decode(address) == (public, prefix)
    assert parse_account(address) == public
    if prefix not in (46, 47):  # reserved by the registry; the reference refuses to encode them
        assert address == reference_encode(public.hex(), prefix)
        assert reference_decode(address, valid_ss58_format=prefix) == public.hex()


@pytest.mark.parametrize("prefix", [30, 42, 63, 64, 255, 256, 1284, 16383])
def test_prefix_boundaries(prefix: int) -> None:
    address = ss58_encode(ALICE, prefix)
    assert ss58_decode(address) == (ALICE, prefix)
    assert len(address) in (47, 48, 49, 50)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 16383), st.data())
def test_any_changed_character_is_refused(prefix: int, data: st.DataObject) -> None:
    address = ss58_encode(ALICE, prefix)
    index = data.draw(st.integers(0, len(address) - 1))
    replacement = data.draw(st.sampled_from("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"))
    changed = address[:index] + replacement + address[index + 1 :]
    if changed != address:
        with pytest.raises(InvalidAddress):
            ss58_decode(changed)


@pytest.mark.parametrize(
    "address",
    [
        "", "1",
        "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ",  # checksum
        "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQ",  # one character short
        ALICE_42 + "1",
        "0GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",  # not base58
        "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQl",
        "I" * 48, "😀", "F7L6", reference_encode(bytes(8).hex(), 42), reference_encode(bytes(33).hex(), 42),
    ],
)  # fmt: skip
def test_bad_addresses_are_refused(address: str) -> None:
    with pytest.raises(InvalidAddress):
        ss58_decode(address)


def test_bad_encoder_input_is_refused() -> None:
    for public, prefix in ((bytes(31), 42), (bytes(33), 42), (ALICE, -1), (ALICE, 16384)):
        with pytest.raises(InvalidAddress):
            ss58_encode(public, prefix)


def test_parse_account_accepts_hex_and_refuses_junk() -> None:
    assert parse_account("0x" + ALICE.hex()) == ALICE
    assert parse_account(ALICE_42) == ALICE
    for bad in ("0x1234", "0xzz" + "00" * 31, "0x" + ALICE.hex() + "00", "not an address"):
        with pytest.raises(InvalidAddress):
            parse_account(bad)
