"""RegistrationInfo: golden SCALE encoding, round trip, and the report data that binds it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from phalanx.attestation import (
    RegistrationInfo,
    compute_report_data,
    decode_registration_info,
    encode_registration_info,
)
from phalanx.crypto import blake2_256

INFO = RegistrationInfo(
    identity_public=bytes(range(32)),
    encryption_public=bytes(range(32, 64)),
    provider="simulated",
    operator=bytes([7]) * 32,
    endpoint=b"http://127.0.0.1:8000",
    version=1,
)
INFO_GOLDEN = (
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
    "2473696d756c61746564"  # compact(9) ++ "simulated"
    "01"
    + "07" * 32  # Some(operator)
    + "54687474703a2f2f3132372e302e302e313a38303030"  # compact(21) ++ endpoint
    + "01000000"  # version u32
)
INFO_REPORT_DATA = "60a46c05f23d9f27ba24745dd63aaa7f7fbffa49dfbdf45aabc3c5cdd86426d7" + "00" * 32


def test_golden_encoding() -> None:
    assert encode_registration_info(INFO).hex() == INFO_GOLDEN
    assert decode_registration_info(bytes.fromhex(INFO_GOLDEN)) == INFO


def test_golden_encoding_without_operator() -> None:
    info = RegistrationInfo(bytes(range(32)), bytes(range(32, 64)), "dcap", None, b"", 2)
    expected = bytes(range(64)).hex() + "1064636170" + "00" + "00" + "02000000"
    assert encode_registration_info(info).hex() == expected


def test_report_data_is_hash_then_zero_padding() -> None:
    report_data = compute_report_data(INFO)
    assert report_data.hex() == INFO_REPORT_DATA
    assert len(report_data) == 64
    assert report_data[:32] == blake2_256(encode_registration_info(INFO))
    assert report_data[32:] == bytes(32)


def test_report_data_changes_with_every_field() -> None:
    variants = [
        RegistrationInfo(bytes(32), INFO.encryption_public, INFO.provider, INFO.operator, INFO.endpoint, 1),
        RegistrationInfo(INFO.identity_public, bytes(32), INFO.provider, INFO.operator, INFO.endpoint, 1),
        RegistrationInfo(
            INFO.identity_public, INFO.encryption_public, "dcap", INFO.operator, INFO.endpoint, 1
        ),
        RegistrationInfo(INFO.identity_public, INFO.encryption_public, INFO.provider, None, INFO.endpoint, 1),
        RegistrationInfo(INFO.identity_public, INFO.encryption_public, INFO.provider, INFO.operator, b"x", 1),
        RegistrationInfo(INFO.identity_public, INFO.encryption_public, INFO.provider, INFO.operator, b"", 2),
    ]
    seen = {compute_report_data(v) for v in variants}
    assert len(seen) == len(variants)
    assert compute_report_data(INFO) not in seen


@given(
    st.binary(min_size=32, max_size=32),
    st.binary(min_size=32, max_size=32),
    st.text(max_size=20),
    st.none() | st.binary(min_size=32, max_size=32),
    st.binary(max_size=100),
    st.integers(0, 2**32 - 1),
)
def test_round_trip(
    ident: bytes, enc: bytes, provider: str, operator: bytes | None, endpoint: bytes, v: int
) -> None:
    info = RegistrationInfo(ident, enc, provider, operator, endpoint, v)
    assert decode_registration_info(encode_registration_info(info)) == info
