"""Attestation verification: the checks the chain runs before it trusts a worker's keys.

This package is chain-side and free of enclave code (it never imports `phalanx.tee`): it defines the
evidence wire format, the registration info whose hash a quote must carry, the chain's policy, and
`verify_attestation`, which accepts simulated quotes (devnets, when allowed) and Intel DCAP quotes.
"""

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
    EVIDENCE_CODEC,
    MEASUREMENT_LEN,
    REPORT_DATA_LEN,
    SIMULATED_QUOTE_CODEC,
    AttestationEvidence,
    DcapEvidence,
    SimulatedEvidence,
    SimulatedQuote,
    compute_simulated_quote_payload,
    decode_evidence,
    encode_evidence,
    evidence_from_value,
    evidence_to_value,
)
from phalanx.attestation.policy import (
    PHALA_ADVISORY_ALLOWLIST,
    PROVIDER_DCAP,
    PROVIDER_SIMULATED,
    AttestationPolicy,
    AttestationReport,
)
from phalanx.attestation.registration import (
    REGISTRATION_INFO_CODEC,
    REGISTRATION_INFO_VERSION,
    RegistrationInfo,
    compute_report_data,
    decode_registration_info,
    encode_registration_info,
)
from phalanx.attestation.verify import (
    SIMULATED_TCB_STATUS,
    compute_confidence_level,
    compute_tdx_measurement,
    verify_attestation,
)

__all__ = [
    "EVIDENCE_CODEC", "MEASUREMENT_LEN", "PHALA_ADVISORY_ALLOWLIST", "PROVIDER_DCAP", "PROVIDER_SIMULATED",
    "REGISTRATION_INFO_CODEC", "REGISTRATION_INFO_VERSION", "REPORT_DATA_LEN", "SIMULATED_QUOTE_CODEC",
    "SIMULATED_TCB_STATUS", "AttestationError", "AttestationEvidence", "AttestationPolicy",
    "AttestationReport", "BadSignature", "CollateralExpired", "CollateralNotYetValid", "DcapEvidence",
    "DebugEnclave", "MalformedEvidence", "MeasurementNotAllowed", "QuoteVerificationFailed",
    "RegistrationInfo", "ReportDataMismatch", "SimulatedEvidence", "SimulatedNotAllowed", "SimulatedQuote",
    "StaleQuote", "TcbOutOfDate", "TcbRevoked", "TcbStatusUnknown", "compute_confidence_level",
    "compute_report_data", "compute_simulated_quote_payload", "compute_tdx_measurement", "decode_evidence",
    "decode_registration_info", "encode_evidence", "encode_registration_info", "evidence_from_value",
    "evidence_to_value", "verify_attestation",
]  # fmt: skip
