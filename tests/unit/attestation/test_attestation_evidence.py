"""Evidence wire format: golden encodings, round trips, and refusal of bytes that are not evidence."""

from __future__ import annotations

import contextlib
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phalanx.attestation import (
    AttestationPolicy,
    DcapEvidence,
    MalformedEvidence,
    SimulatedEvidence,
    SimulatedQuote,
    compute_simulated_quote_payload,
    decode_evidence,
    encode_evidence,
    verify_attestation,
)
from phalanx.attestation.evidence import MAX_EVIDENCE_LEN
from phalanx.crypto import Keypair, KeyType

KEY = Keypair.from_seed(bytes([9]) * 32, KeyType.ED25519)
QUOTE = SimulatedQuote(bytes([1]) * 32, bytes([2]) * 64, 2, 1752919200)
SIMULATED_GOLDEN = (
    "00"  # variant Simulated
    + "01" * 32  # measurement
    + "02" * 64  # report data
    + "02"  # confidence level
    + "a06c7b6800000000"  # timestamp u64 = 1752919200
    + "dd607d7bb3d0cb000e7c3c7b41ab943a0ca08394a2233b5f02ae3216848a0cec"  # ed25519 signature (deterministic)
    + "fc9e636d22331ef75f66db0eed1fba350499b1cbdc01bcbf1d74c7980d7df608"
)


def test_simulated_golden() -> None:
    evidence = SimulatedEvidence(QUOTE, KEY.sign(compute_simulated_quote_payload(QUOTE)))
    assert encode_evidence(evidence).hex() == SIMULATED_GOLDEN
    assert decode_evidence(bytes.fromhex(SIMULATED_GOLDEN)) == evidence


def test_simulated_payload_is_domain_separated() -> None:
    payload = compute_simulated_quote_payload(QUOTE)
    assert payload.startswith(b"phalanx/simulated-quote/v1")
    assert payload.endswith(bytes.fromhex(SIMULATED_GOLDEN[2 : 2 + 2 * (32 + 64 + 1 + 8)]))


def test_dcap_golden() -> None:
    evidence = DcapEvidence(b"\x01\x02", b"{}")
    assert encode_evidence(evidence).hex() == "01" + "080102" + "087b7d"
    assert decode_evidence(bytes.fromhex("01080102087b7d")) == evidence


@pytest.mark.parametrize(
    "data",
    [b"", b"\x02", b"\x00", bytes.fromhex(SIMULATED_GOLDEN)[:-1], bytes.fromhex(SIMULATED_GOLDEN) + b"\x00",
     b"\x01\xff\xff\xff\xff", os.urandom(200)],
)  # fmt: skip
def test_malformed_bytes_are_refused(data: bytes) -> None:
    with pytest.raises(MalformedEvidence):
        decode_evidence(data)
    with pytest.raises(MalformedEvidence):
        verify_attestation(data, now_s=0, expected_report_data=bytes(64), policy=AttestationPolicy())


def test_oversized_evidence_is_refused() -> None:
    big = encode_evidence(DcapEvidence(bytes(MAX_EVIDENCE_LEN), b"{}"))
    with pytest.raises(MalformedEvidence, match="limit"):
        decode_evidence(big)


@given(st.binary(max_size=300))
def test_random_bytes_never_escape_as_untyped_errors(data: bytes) -> None:
    with contextlib.suppress(MalformedEvidence):
        decode_evidence(data)


@given(st.binary(max_size=200), st.binary(max_size=200))
def test_dcap_round_trip(quote: bytes, collateral: bytes) -> None:
    evidence = DcapEvidence(quote, collateral)
    assert decode_evidence(encode_evidence(evidence)) == evidence
