"""Simulated evidence: refused unless the policy allows it, signed by the genesis key, fresh and bound."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phalanx.attestation import (
    AttestationError,
    AttestationPolicy,
    BadSignature,
    MalformedEvidence,
    MeasurementNotAllowed,
    RegistrationInfo,
    ReportDataMismatch,
    SimulatedEvidence,
    SimulatedNotAllowed,
    SimulatedQuote,
    StaleQuote,
    compute_report_data,
    compute_simulated_quote_payload,
    encode_evidence,
    verify_attestation,
)
from phalanx.crypto import Keypair, KeyType

DEVNET_KEY = Keypair.from_seed(bytes([5]) * 32, KeyType.ED25519)
OTHER_KEY = Keypair.from_seed(bytes([6]) * 32, KeyType.ED25519)
MEASUREMENT = bytes([0xAB]) * 32
NOW = 1_800_000_000
INFO = RegistrationInfo(bytes([1]) * 32, bytes([2]) * 32, "simulated", None, b"http://127.0.0.1:9", 1)
REPORT_DATA = compute_report_data(INFO)
POLICY = AttestationPolicy(
    allow_simulated=True,
    simulated_attestation_key=DEVNET_KEY.public_key,
    measurement_allowlist=frozenset({MEASUREMENT}),
)


def make_evidence(
    *,
    key: Keypair = DEVNET_KEY,
    measurement: bytes = MEASUREMENT,
    report_data: bytes = REPORT_DATA,
    level: int = 2,
    timestamp_s: int = NOW - 10,
) -> SimulatedEvidence:
    quote = SimulatedQuote(measurement, report_data, level, timestamp_s)
    return SimulatedEvidence(quote, key.sign(compute_simulated_quote_payload(quote)))


def verify(
    evidence: SimulatedEvidence | bytes, policy: AttestationPolicy = POLICY, now_s: int = NOW
) -> object:
    return verify_attestation(evidence, now_s=now_s, expected_report_data=REPORT_DATA, policy=policy)


def test_valid_simulated_evidence_verifies() -> None:
    report = verify_attestation(make_evidence(), now_s=NOW, expected_report_data=REPORT_DATA, policy=POLICY)
    assert (report.provider, report.measurement, report.confidence_level) == ("simulated", MEASUREMENT, 2)
    assert report.tcb_status == "Simulated"
    assert report.advisory_ids == ()


def test_refused_when_the_policy_forbids_simulated() -> None:
    with pytest.raises(SimulatedNotAllowed):
        verify(make_evidence(), AttestationPolicy(simulated_attestation_key=DEVNET_KEY.public_key))
    with pytest.raises(SimulatedNotAllowed, match="no attestation key"):
        verify(make_evidence(), AttestationPolicy(allow_simulated=True))


def test_another_key_is_a_bad_signature() -> None:
    with pytest.raises(BadSignature):
        verify(make_evidence(key=OTHER_KEY))


def test_an_unlisted_measurement_is_refused() -> None:
    with pytest.raises(MeasurementNotAllowed):
        verify(make_evidence(measurement=bytes(32)))


def test_report_data_of_other_keys_is_refused() -> None:
    other = compute_report_data(RegistrationInfo(bytes(32), bytes(32), "simulated", None, b"", 1))
    with pytest.raises(ReportDataMismatch):
        verify(make_evidence(report_data=other))


@pytest.mark.parametrize("level", [0, 6, 255])
def test_confidence_outside_1_to_5_is_malformed(level: int) -> None:
    with pytest.raises(MalformedEvidence):
        verify(make_evidence(level=level))


def test_stale_and_future_quotes_are_refused() -> None:
    with pytest.raises(StaleQuote):
        verify(make_evidence(timestamp_s=NOW - POLICY.max_quote_age_s - 1))
    with pytest.raises(StaleQuote):
        verify(make_evidence(timestamp_s=NOW + POLICY.max_clock_skew_s + 1))
    verify(make_evidence(timestamp_s=NOW - POLICY.max_quote_age_s))
    verify(make_evidence(timestamp_s=NOW + POLICY.max_clock_skew_s))


ENCODED = encode_evidence(make_evidence())


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(ENCODED) - 1), st.integers(1, 255))
def test_any_flipped_byte_is_refused(offset: int, mask: int) -> None:
    mutated = bytearray(ENCODED)
    mutated[offset] ^= mask
    with pytest.raises(AttestationError):
        verify(bytes(mutated))


@settings(max_examples=200)
@given(st.data())
def test_random_mutations_are_refused(data: st.DataObject) -> None:
    mutated = bytearray(ENCODED)
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        position = data.draw(st.integers(0, max(len(mutated) - 1, 0)))
        if kind == "flip" and mutated:
            mutated[position] ^= data.draw(st.integers(1, 255))
        elif kind == "insert":
            mutated[position:position] = data.draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete" and mutated:
            del mutated[position]
        else:
            del mutated[position:]
    if bytes(mutated) == ENCODED:
        return
    with pytest.raises(AttestationError):
        verify(bytes(mutated))
