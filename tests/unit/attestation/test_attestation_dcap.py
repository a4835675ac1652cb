"""DCAP verification against REAL Intel SGX and TDX quotes and their collateral (tests/data/dcap)."""

from __future__ import annotations

import time

import dcap_qvl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phalanx.attestation import (
    AttestationError,
    AttestationPolicy,
    CollateralExpired,
    CollateralNotYetValid,
    DcapEvidence,
    MalformedEvidence,
    MeasurementNotAllowed,
    QuoteVerificationFailed,
    RegistrationInfo,
    ReportDataMismatch,
    TcbOutOfDate,
    TcbRevoked,
    TcbStatusUnknown,
    compute_confidence_level,
    compute_report_data,
    compute_tdx_measurement,
    encode_evidence,
    verify_attestation,
)
from phalanx.attestation.verify import classify_dcap_failure
from tests.support.attestation_samples import IN_WINDOW_S, SGX_MR_ENCLAVE, load_dcap

# The SGX sample's report data: ASCII "Hello, world!" zero-padded to 64 bytes; it binds no key of ours.
SGX_REPORT_DATA = b"Hello, world!".ljust(64, b"\x00")
SGX_WINDOW_END_S = 1752922878  # 2025-07-19 10:01:18 UTC, the earliest expiry in the SGX collateral
OUR_INFO = RegistrationInfo(bytes(32), bytes(32), "dcap", None, b"http://127.0.0.1:1", 1)


def tdx_measurement(evidence: DcapEvidence) -> bytes:
    report = dcap_qvl.parse_quote(evidence.quote).report
    return compute_tdx_measurement(report.mr_td, (report.rt_mr0, report.rt_mr1, report.rt_mr2, report.rt_mr3))


def sgx_policy(**overrides: object) -> AttestationPolicy:
    return AttestationPolicy(measurement_allowlist=frozenset({SGX_MR_ENCLAVE}), **overrides)  # type: ignore[arg-type]


def test_sgx_sample_verifies_with_configuration_and_sw_hardening_needed(sgx_evidence: DcapEvidence) -> None:
    report = verify_attestation(
        sgx_evidence, now_s=IN_WINDOW_S, expected_report_data=SGX_REPORT_DATA, policy=sgx_policy()
    )
    assert report.provider == "dcap"
    assert report.measurement == SGX_MR_ENCLAVE
    assert report.tcb_status == "ConfigurationAndSWHardeningNeeded"
    assert report.advisory_ids == ("INTEL-SA-00289", "INTEL-SA-00615")
    # Both advisories lie outside Phala's allowlist: tier 4, as Phala rates such a platform.
    assert report.confidence_level == 4


def test_allowlisted_advisories_raise_the_level_to_3(sgx_evidence: DcapEvidence) -> None:
    policy = sgx_policy(advisory_allowlist=frozenset({"INTEL-SA-00289", "INTEL-SA-00615"}))
    report = verify_attestation(
        sgx_evidence, now_s=IN_WINDOW_S, expected_report_data=SGX_REPORT_DATA, policy=policy
    )
    assert report.confidence_level == 3


def test_tdx_sample_verifies_up_to_date(tdx_evidence: DcapEvidence) -> None:
    measurement = tdx_measurement(tdx_evidence)
    report_data = bytes(dcap_qvl.parse_quote(tdx_evidence.quote).report.report_data)
    policy = AttestationPolicy(measurement_allowlist=frozenset({measurement}))
    report = verify_attestation(
        tdx_evidence, now_s=IN_WINDOW_S, expected_report_data=report_data, policy=policy
    )
    assert (report.tcb_status, report.confidence_level, report.advisory_ids) == ("UpToDate", 1, ())
    assert report.measurement == measurement


def test_evidence_as_scale_bytes_verifies_the_same(sgx_evidence: DcapEvidence) -> None:
    report = verify_attestation(
        encode_evidence(sgx_evidence),
        now_s=IN_WINDOW_S,
        expected_report_data=SGX_REPORT_DATA,
        policy=sgx_policy(),
    )
    assert report.tcb_status == "ConfigurationAndSWHardeningNeeded"


# Bytes 0..1046 of the SGX sample are the header, report body, ECDSA signature, QE report and QE
# authentication data: all signed. The PEM certificate chain after them is checked certificate by
# certificate; its root certificate and the PEM line breaks are not used (Intel's root is built into
# the verifier), so flipping those bytes leaves the quote valid. Nothing the chain relies on is there.
SIGNED_PREFIX = 1046


def test_every_flipped_byte_of_the_signed_part_is_refused(sgx_evidence: DcapEvidence) -> None:
    for offset in range(SIGNED_PREFIX):
        tampered = bytearray(sgx_evidence.quote)
        tampered[offset] ^= 0x01
        evidence = DcapEvidence(bytes(tampered), sgx_evidence.collateral)
        with pytest.raises((QuoteVerificationFailed, MalformedEvidence)):
            verify_attestation(
                evidence, now_s=IN_WINDOW_S, expected_report_data=SGX_REPORT_DATA, policy=sgx_policy()
            )


def test_a_flipped_report_byte_fails_the_signature(sgx_evidence: DcapEvidence) -> None:
    tampered = bytearray(sgx_evidence.quote)
    tampered[48 + 64] ^= 0x01  # inside MRENCLAVE of the signed report body
    with pytest.raises(QuoteVerificationFailed, match="signature"):
        verify_attestation(
            DcapEvidence(bytes(tampered), sgx_evidence.collateral),
            now_s=IN_WINDOW_S,
            expected_report_data=SGX_REPORT_DATA,
            policy=sgx_policy(),
        )


def test_an_unlisted_measurement_is_refused(sgx_evidence: DcapEvidence) -> None:
    policy = AttestationPolicy(measurement_allowlist=frozenset({bytes(32)}))
    with pytest.raises(MeasurementNotAllowed, match=SGX_MR_ENCLAVE.hex()):
        verify_attestation(
            sgx_evidence, now_s=IN_WINDOW_S, expected_report_data=SGX_REPORT_DATA, policy=policy
        )


def test_hello_world_report_data_does_not_bind_our_keys(sgx_evidence: DcapEvidence) -> None:
    with pytest.raises(ReportDataMismatch):
        verify_attestation(
            sgx_evidence,
            now_s=IN_WINDOW_S,
            expected_report_data=compute_report_data(OUR_INFO),
            policy=sgx_policy(),
        )


@pytest.mark.parametrize("now_s", [SGX_WINDOW_END_S + 1, IN_WINDOW_S + 2 * 86400, 2_000_000_000])
def test_now_after_the_collateral_window_is_expired(sgx_evidence: DcapEvidence, now_s: int) -> None:
    with pytest.raises(CollateralExpired):
        verify_attestation(
            sgx_evidence, now_s=now_s, expected_report_data=SGX_REPORT_DATA, policy=sgx_policy()
        )


def test_now_before_the_collateral_window_is_not_yet_valid(sgx_evidence: DcapEvidence) -> None:
    with pytest.raises(CollateralNotYetValid):
        verify_attestation(
            sgx_evidence, now_s=1750000000, expected_report_data=SGX_REPORT_DATA, policy=sgx_policy()
        )


def test_the_wall_clock_is_never_read(sgx_evidence: DcapEvidence, monkeypatch: pytest.MonkeyPatch) -> None:
    wall = time.time()
    with pytest.raises(CollateralExpired):  # today the collateral is expired ...
        verify_attestation(
            sgx_evidence, now_s=int(wall), expected_report_data=SGX_REPORT_DATA, policy=sgx_policy()
        )

    def no_clock() -> float:
        raise AssertionError("the verifier read the wall clock")

    monkeypatch.setattr(time, "time", no_clock)
    monkeypatch.setattr(time, "time_ns", no_clock)
    monkeypatch.setattr(time, "monotonic", no_clock)
    # ... yet with a block time inside the window it verifies: only `now_s` counts.
    assert wall > SGX_WINDOW_END_S
    report = verify_attestation(
        sgx_evidence, now_s=IN_WINDOW_S, expected_report_data=SGX_REPORT_DATA, policy=sgx_policy()
    )
    assert report.measurement == SGX_MR_ENCLAVE


def test_outdated_tdx_sample_is_refused_in_its_window() -> None:
    evidence = load_dcap("tdx_quote_outdated")
    policy = AttestationPolicy(
        measurement_allowlist=frozenset({tdx_measurement(evidence)}), allow_out_of_date=True
    )
    # dcap-qvl 0.7.0 finds no TCB level of this collateral that matches the quote (2026-02-19 UTC).
    with pytest.raises(QuoteVerificationFailed, match="TCB level"):
        verify_attestation(evidence, now_s=1771500000, expected_report_data=bytes(64), policy=policy)


def test_malformed_dcap_parts_are_refused(sgx_evidence: DcapEvidence) -> None:
    kwargs = {"now_s": IN_WINDOW_S, "expected_report_data": SGX_REPORT_DATA, "policy": sgx_policy()}
    for evidence in [
        DcapEvidence(sgx_evidence.quote, b"not json"),
        DcapEvidence(sgx_evidence.quote, b"\xff\xfe"),
        DcapEvidence(sgx_evidence.quote, b"{}"),
        DcapEvidence(b"\x03\x00" + bytes(100), sgx_evidence.collateral),
        DcapEvidence(b"", sgx_evidence.collateral),
        DcapEvidence(sgx_evidence.quote[:1000], sgx_evidence.collateral),
    ]:
        with pytest.raises((MalformedEvidence, QuoteVerificationFailed)):
            verify_attestation(evidence, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("status", "level"),
    [
        ("UpToDate", 1),
        ("SWHardeningNeeded", 2),
        ("ConfigurationNeeded", 3),
        ("ConfigurationAndSWHardeningNeeded", 3),
    ],
)
def test_confidence_levels(status: str, level: int) -> None:
    assert compute_confidence_level(status, (), AttestationPolicy()) == level
    assert compute_confidence_level(status, ("INTEL-SA-00334",), AttestationPolicy()) == level


def test_configuration_with_unlisted_advisories_is_level_4() -> None:
    assert compute_confidence_level("ConfigurationNeeded", ("INTEL-SA-00615",), AttestationPolicy()) == 4


@pytest.mark.parametrize(
    "status",
    [
        "OutOfDate",
        "OutOfDateConfigurationNeeded",
        "TDRelaunchAdvised",
        "TDRelaunchAdvisedConfigurationNeeded",
    ],
)
def test_out_of_date_is_refused_or_level_5_per_policy(status: str) -> None:
    with pytest.raises(TcbOutOfDate):
        compute_confidence_level(status, (), AttestationPolicy())
    assert compute_confidence_level(status, (), AttestationPolicy(allow_out_of_date=True)) == 5


def test_revoked_and_unknown_statuses_are_refused() -> None:
    with pytest.raises(TcbRevoked):
        compute_confidence_level("Revoked", (), AttestationPolicy(allow_out_of_date=True))
    with pytest.raises(TcbStatusUnknown):
        compute_confidence_level("Splendid", (), AttestationPolicy())


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ("Verification failed: TCB status is invalid: Revoked", TcbRevoked),
        ("Verification failed: CertRevoked", TcbRevoked),
        ("Verification failed: TCBInfo expired", CollateralExpired),
        (
            "Verification failed: CrlExpired { time: UnixTime(1), next_update: UnixTime(0) }",
            CollateralExpired,
        ),
        ("Verification failed: QE Identity expired", CollateralExpired),
        ("Verification failed: TCBInfo issue date is in the future", CollateralNotYetValid),
        ("Verification failed: CertNotValidYet", CollateralNotYetValid),
        ("Verification failed: ISV enclave report signature is invalid", QuoteVerificationFailed),
        (
            "Verification failed: Failed to decode TcbInfo\n\nCaused by:\n  unknown `Revoked expired`",
            QuoteVerificationFailed,
        ),
    ],
)
def test_dcap_failures_are_classified(message: str, error: type[Exception]) -> None:
    assert type(classify_dcap_failure(message)) is error


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutated_dcap_evidence_fails_only_with_typed_errors(
    sgx_evidence: DcapEvidence, data: st.DataObject
) -> None:
    quote, collateral = bytearray(sgx_evidence.quote), bytearray(sgx_evidence.collateral)
    target = data.draw(st.sampled_from([quote, collateral]))
    if data.draw(st.booleans()):
        target[data.draw(st.integers(0, len(target) - 1)) :] = b""
    else:
        target[data.draw(st.integers(0, len(target) - 1))] ^= data.draw(st.integers(1, 255))
    try:
        report = verify_attestation(
            DcapEvidence(bytes(quote), bytes(collateral)),
            now_s=IN_WINDOW_S,
            expected_report_data=SGX_REPORT_DATA,
            policy=sgx_policy(),
        )
    except AttestationError:
        return
    # Accepted only when the mutation hit bytes no signature covers: the verified facts are unchanged.
    assert (report.measurement, report.tcb_status) == (SGX_MR_ENCLAVE, "ConfigurationAndSWHardeningNeeded")
