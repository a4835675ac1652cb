"""Attestation evidence as it travels in a `register_worker` extrinsic, and its SCALE encoding.

Evidence is a SCALE enum, so that one extrinsic argument carries either kind:

    AttestationEvidence = Simulated { quote: SimulatedQuote, signature: [u8; 64] }   (index 0)
                        | Dcap { quote: Vec<u8>, collateral: Vec<u8> }               (index 1)

    SimulatedQuote = { measurement: [u8; 32], report_data: [u8; 64],
                       confidence_level: u8, timestamp_s: u64 }

A *simulated* quote is what the simulated platform produces: no hardware vouches for it, only the
devnet attestation key (ed25519) whose public key is configured at genesis. It signs
`SIMULATED_QUOTE_CONTEXT ++ SCALE(quote)`. A *DCAP* quote is a real Intel SGX or TDX quote; its
collateral is the JSON text of `dcap_qvl.QuoteCollateralV3` (PCK CRL chain, root CA CRL, TCB info,
QE identity), fetched by the untrusted host and checked by the verifier against Intel's root key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from phalanx.attestation.errors import MalformedEvidence
from phalanx.codec import U8, U64, Bytes, CodecError, Enum, FixedBytes, Struct, field_, variant

MEASUREMENT_LEN = 32
REPORT_DATA_LEN = 64
SIGNATURE_LEN = 64
MAX_EVIDENCE_LEN = 64 * 1024
SIMULATED_QUOTE_CONTEXT = b"phalanx/simulated-quote/v1"


@dataclass(frozen=True)
class SimulatedQuote:
    """What the simulated platform asserts: this code (measurement) produced this report data.

    `confidence_level` (1..5) stands in for the TCB rating a hardware quote would carry; `timestamp_s`
    is when the quote was made (Unix seconds), so that the chain can refuse stale quotes.
    """

    measurement: bytes
    report_data: bytes
    confidence_level: int
    timestamp_s: int


@dataclass(frozen=True)
class SimulatedEvidence:
    quote: SimulatedQuote
    signature: bytes


@dataclass(frozen=True)
class DcapEvidence:
    """An Intel DCAP quote (SGX v3 or TDX v4/v5) and its collateral as `QuoteCollateralV3` JSON (UTF-8)."""

    quote: bytes
    collateral: bytes


AttestationEvidence = SimulatedEvidence | DcapEvidence

SIMULATED_QUOTE_CODEC = Struct(
    ("phalanx", "attestation", "SimulatedQuote"),
    [
        field_("measurement", FixedBytes(MEASUREMENT_LEN), "[u8; 32]"),
        field_("report_data", FixedBytes(REPORT_DATA_LEN), "[u8; 64]"),
        field_("confidence_level", U8, "u8"),
        field_("timestamp_s", U64, "u64"),
    ],
    cls=SimulatedQuote,
)

EVIDENCE_CODEC = Enum(
    ("phalanx", "attestation", "AttestationEvidence"),
    [
        variant(
            "Simulated",
            0,
            field_("quote", SIMULATED_QUOTE_CODEC, "SimulatedQuote"),
            field_("signature", FixedBytes(SIGNATURE_LEN), "[u8; 64]"),
        ),
        variant("Dcap", 1, field_("quote", Bytes, "Vec<u8>"), field_("collateral", Bytes, "Vec<u8>")),
    ],
)


def compute_simulated_quote_payload(quote: SimulatedQuote) -> bytes:
    """The bytes the devnet attestation key signs for `quote`."""
    return SIMULATED_QUOTE_CONTEXT + SIMULATED_QUOTE_CODEC.encode(quote)


def encode_evidence(evidence: AttestationEvidence) -> bytes:
    return EVIDENCE_CODEC.encode(evidence_to_value(evidence))


def evidence_to_value(evidence: AttestationEvidence) -> tuple[str, dict[str, Any]]:
    """The codec value of `evidence` (what `EVIDENCE_CODEC` encodes and decodes)."""
    if isinstance(evidence, SimulatedEvidence):
        return ("Simulated", {"quote": evidence.quote, "signature": evidence.signature})
    return ("Dcap", {"quote": evidence.quote, "collateral": evidence.collateral})


def evidence_from_value(value: tuple[str, Any]) -> AttestationEvidence:
    """Build the evidence dataclass from a value decoded by `EVIDENCE_CODEC` (e.g. a call argument)."""
    name, fields = value
    if name == "Simulated":
        return SimulatedEvidence(fields["quote"], fields["signature"])
    if name == "Dcap":
        return DcapEvidence(fields["quote"], fields["collateral"])
    raise MalformedEvidence(f"unknown evidence kind {name!r}")


def decode_evidence(data: bytes) -> AttestationEvidence:
    """Decode evidence bytes; raises `MalformedEvidence` for anything that is not whole, valid evidence."""
    if len(data) > MAX_EVIDENCE_LEN:
        raise MalformedEvidence(f"evidence is {len(data)} bytes, more than the limit of {MAX_EVIDENCE_LEN}")
    try:
        value = EVIDENCE_CODEC.decode(data)
    except CodecError as exc:
        raise MalformedEvidence(f"evidence does not decode: {exc.message}") from None
    return evidence_from_value(value)
