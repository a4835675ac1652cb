"""`verify_attestation`: the one entry point the chain calls to check a worker's attestation.

It is a pure function of its arguments: the time it judges by is `now_s`, the block timestamp the
caller passes in, never the wall clock, so every node reaches the same verdict for the same block.
Checks run from the cheapest refusal to the most specific one: decode, provider allowed, signature /
quote verification (with the collateral's validity window), TCB status, measurement in the allowlist,
report data equal to the expected bytes.
"""

from __future__ import annotations

from typing import Any

import dcap_qvl

from phalanx.attestation.errors import (
    AttestationError,
    BadSignature,
    CollateralExpired,
    CollateralNotYetValid,
    DebugEnclave,
    MalformedEvidence,
    MeasurementNotAllowed,
    QuoteVerificationFailed,
    ReportDataMismatch,
    SimulatedNotAllowed,
    StaleQuote,
    TcbOutOfDate,
    TcbRevoked,
    TcbStatusUnknown,
)
from phalanx.attestation.evidence import (
    AttestationEvidence,
    DcapEvidence,
    SimulatedEvidence,
    compute_simulated_quote_payload,
    decode_evidence,
)
from phalanx.attestation.policy import PROVIDER_DCAP, PROVIDER_SIMULATED, AttestationPolicy, AttestationReport
from phalanx.crypto import KeyType, blake2_256, verify_signature

SIMULATED_TCB_STATUS = "Simulated"

_LEVEL_BY_STATUS = {"UpToDate": 1, "SWHardeningNeeded": 2}
_CONFIGURATION_STATUSES = frozenset({"ConfigurationNeeded", "ConfigurationAndSWHardeningNeeded"})
_OUT_OF_DATE_STATUSES = frozenset(
    {"OutOfDate", "OutOfDateConfigurationNeeded", "TDRelaunchAdvised", "TDRelaunchAdvisedConfigurationNeeded"}
)
_SGX_ATTRIBUTE_DEBUG = 0x02  # SGX ATTRIBUTES.FLAGS bit 1
_TDX_ATTRIBUTE_DEBUG = 0x01  # TDX TD_ATTRIBUTES bit 0 (TUD.DEBUG)


def verify_attestation(
    evidence: AttestationEvidence | bytes,
    *,
    now_s: int,
    expected_report_data: bytes,
    policy: AttestationPolicy,
) -> AttestationReport:
    """Check that `evidence` proves allowed code on an acceptable platform produced `expected_report_data`.

    `evidence` is the decoded dataclass or its SCALE bytes; `now_s` is the block timestamp in Unix
    seconds. Raises an `AttestationError` subclass naming the first check that failed.
    """
    if isinstance(evidence, bytes | bytearray):
        evidence = decode_evidence(bytes(evidence))
    expected = expected_report_data
    if isinstance(evidence, SimulatedEvidence):
        return verify_simulated(evidence, now_s=now_s, expected_report_data=expected, policy=policy)
    if isinstance(evidence, DcapEvidence):
        return verify_dcap(evidence, now_s=now_s, expected_report_data=expected, policy=policy)
    raise MalformedEvidence(f"unknown evidence type {type(evidence).__name__}")


def verify_simulated(
    evidence: SimulatedEvidence, *, now_s: int, expected_report_data: bytes, policy: AttestationPolicy
) -> AttestationReport:
    """Check a simulated quote: allowed by policy, signed by the genesis attestation key, fresh, bound."""
    if not policy.allow_simulated:
        raise SimulatedNotAllowed("this chain accepts only hardware attestation, not simulated evidence")
    key = policy.simulated_attestation_key
    if key is None:
        raise SimulatedNotAllowed("simulated evidence is allowed but no attestation key is configured")
    quote = evidence.quote
    if not verify_signature(KeyType.ED25519, key, compute_simulated_quote_payload(quote), evidence.signature):
        raise BadSignature("the simulated quote is not signed by the configured attestation key")
    if not 1 <= quote.confidence_level <= 5:
        raise MalformedEvidence(f"confidence level {quote.confidence_level} is outside 1..5")
    if quote.timestamp_s > now_s + policy.max_clock_skew_s:
        raise StaleQuote(f"the quote is dated {quote.timestamp_s}, after the block time {now_s}")
    if now_s - quote.timestamp_s > policy.max_quote_age_s:
        raise StaleQuote(
            f"the quote is dated {quote.timestamp_s}, more than {policy.max_quote_age_s} s before {now_s}"
        )
    _check_measurement(quote.measurement, policy)
    _check_report_data(quote.report_data, expected_report_data)
    level = quote.confidence_level
    return AttestationReport(PROVIDER_SIMULATED, quote.measurement, level, SIMULATED_TCB_STATUS)


def verify_dcap(
    evidence: DcapEvidence, *, now_s: int, expected_report_data: bytes, policy: AttestationPolicy
) -> AttestationReport:
    """Check an Intel DCAP quote with `dcap_qvl.verify(quote, collateral, now_s)`, then apply the policy."""
    collateral = _load_collateral(evidence.collateral)
    try:
        parsed = dcap_qvl.parse_quote(evidence.quote)
    except Exception as exc:  # the binding raises ValueError, but any failure means the same
        raise MalformedEvidence(f"the DCAP quote does not parse: {exc}") from None
    try:
        verified = dcap_qvl.verify(evidence.quote, collateral, now_s)
    except Exception as exc:
        raise classify_dcap_failure(str(exc)) from None
    status = str(verified.status)
    advisories = tuple(sorted(str(a) for a in verified.advisory_ids))
    level = compute_confidence_level(status, advisories, policy)
    measurement = _dcap_measurement(parsed)
    _check_measurement(measurement, policy)
    _check_report_data(bytes(parsed.report.report_data), expected_report_data)
    return AttestationReport(PROVIDER_DCAP, measurement, level, status, advisories)


def compute_confidence_level(status: str, advisories: tuple[str, ...], policy: AttestationPolicy) -> int:
    """Rate a DCAP TCB status 1 (best) .. 5, or refuse it (see the table in `policy`)."""
    if status in _LEVEL_BY_STATUS:
        return _LEVEL_BY_STATUS[status]
    if status in _CONFIGURATION_STATUSES:
        return 3 if all(a in policy.advisory_allowlist for a in advisories) else 4
    if status in _OUT_OF_DATE_STATUSES:
        if policy.allow_out_of_date:
            return 5
        raise TcbOutOfDate(f"the platform's TCB is {status}; update its microcode/firmware and re-attest")
    if status == "Revoked":
        raise TcbRevoked("the platform's TCB is revoked")
    raise TcbStatusUnknown(f"unknown TCB status {status!r}")


def classify_dcap_failure(message: str) -> AttestationError:
    """Map a `dcap_qvl.verify` failure message to a typed error.

    The binding reports every failure as one ValueError; the collateral window and revocation are
    told apart by the words its messages use ("TCBInfo expired", "CrlExpired { .. }", "issue date is
    in the future", "CertNotValidYet", "TCB status is invalid: Revoked", "CertRevoked"). Only the
    first line is read: the lines after it quote the offending input, which the sender controls.
    """
    lowered = message.split("\n", 1)[0].lower()
    if "revoked" in lowered:
        return TcbRevoked(f"DCAP verification refused a revoked TCB or certificate: {message}")
    if "expired" in lowered:
        return CollateralExpired(f"the DCAP collateral is not valid at the block time (expired): {message}")
    if "in the future" in lowered or "notvalidyet" in lowered or "not valid yet" in lowered:
        return CollateralNotYetValid(f"the DCAP collateral is not valid yet at the block time: {message}")
    return QuoteVerificationFailed(f"DCAP quote verification failed: {message}")


def compute_tdx_measurement(mr_td: bytes, rtmrs: tuple[bytes, bytes, bytes, bytes]) -> bytes:
    """The 32-byte measurement of a TD: blake2_256(MRTD ++ RTMR0 ++ RTMR1 ++ RTMR2 ++ RTMR3).

    MRTD measures the initial TD memory (virtual firmware); RTMR0 the firmware configuration, RTMR1
    the OS loader and kernel, RTMR2 the kernel command line and initrd, RTMR3 what the guest extends at
    run time (the application image). Only all five together pin the code that runs, so the allowlist
    holds a digest of all of them.
    """
    return blake2_256(mr_td + b"".join(rtmrs))


def _load_collateral(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedEvidence("the DCAP collateral is not UTF-8 JSON") from None
    try:
        return dcap_qvl.QuoteCollateralV3.from_json(text)
    except Exception as exc:
        raise MalformedEvidence(f"the DCAP collateral is not QuoteCollateralV3 JSON: {exc}") from None


def _dcap_measurement(parsed: Any) -> bytes:
    report = parsed.report
    if parsed.is_sgx():
        if bytes(report.attributes)[0] & _SGX_ATTRIBUTE_DEBUG:
            raise DebugEnclave("the SGX enclave runs in debug mode; its memory is readable by the host")
        return bytes(report.mr_enclave)
    if bytes(report.td_attributes)[0] & _TDX_ATTRIBUTE_DEBUG:
        raise DebugEnclave("the TD runs in debug mode; its memory is readable by the host")
    rtmrs = (bytes(report.rt_mr0), bytes(report.rt_mr1), bytes(report.rt_mr2), bytes(report.rt_mr3))
    return compute_tdx_measurement(bytes(report.mr_td), rtmrs)


def _check_measurement(measurement: bytes, policy: AttestationPolicy) -> None:
    if measurement not in policy.measurement_allowlist:
        raise MeasurementNotAllowed(
            f"measurement {measurement.hex()} is not in the allowlist; governance must add it first"
        )


def _check_report_data(actual: bytes, expected: bytes) -> None:
    if actual != expected:
        raise ReportDataMismatch(
            "the quote's report data does not bind this registration info "
            f"(quote has {actual[:32].hex()}..., expected {expected[:32].hex()}...)"
        )
