"""Registry calls: check the origin, call the logic."""

from __future__ import annotations

from typing import Any

from phalanx.attestation import EVIDENCE_CODEC, REGISTRATION_INFO_CODEC, RegistrationInfo, evidence_from_value
from phalanx.attestation.evidence import MAX_EVIDENCE_LEN, DcapEvidence
from phalanx.codec import field_
from phalanx.runtime.framework import CallDecl, Context, Origin, ensure_root, ensure_signed
from phalanx.runtime.modules.registry import declarations as d
from phalanx.runtime.modules.registry import logic


def register_worker(ctx: Context, origin: Origin, info: RegistrationInfo, evidence: tuple[str, Any]) -> None:
    host = ensure_signed(origin)
    decoded = evidence_from_value(evidence)
    if isinstance(decoded, DcapEvidence) and len(decoded.quote) + len(decoded.collateral) > MAX_EVIDENCE_LEN:
        raise d.MalformedEvidence(f"DCAP evidence is larger than {MAX_EVIDENCE_LEN} bytes")
    logic.register_worker(ctx, host, info, decoded)


def force_register_gatekeeper(ctx: Context, origin: Origin, worker: bytes) -> None:
    ensure_root(origin)
    logic.register_gatekeeper(ctx, worker)


def force_allow_measurement(ctx: Context, origin: Origin, measurement: bytes) -> None:
    ensure_root(origin)
    logic.allow_measurement(ctx, measurement)


def force_remove_measurement(ctx: Context, origin: Origin, measurement: bytes) -> None:
    ensure_root(origin)
    logic.remove_measurement(ctx, measurement)


def force_rotate_master_key(ctx: Context, origin: Origin) -> None:
    ensure_root(origin)
    logic.request_rotation(ctx)


_MEASUREMENT = field_("measurement", d.KEY, "[u8; 32]")

CALLS = (
    CallDecl("register_worker", 0,
             (field_("info", REGISTRATION_INFO_CODEC, "RegistrationInfo"),
              field_("evidence", EVIDENCE_CODEC, "AttestationEvidence")),
             register_worker, 2_000_000_000,
             ("Register (or re-register) a worker whose attestation binds its registration info.",
              "Signed by the worker's host; by its operator if the info names one.")),
    CallDecl("force_register_gatekeeper", 1, (field_("worker", d.KEY, "[u8; 32]"),),
             force_register_gatekeeper,
             100_000_000, ("Make a registered worker a gatekeeper (root only).",)),
    CallDecl("force_allow_measurement", 2, (_MEASUREMENT,), force_allow_measurement, 50_000_000,
             ("Add an enclave measurement to the allowlist (root only).",)),
    CallDecl("force_remove_measurement", 3, (_MEASUREMENT,), force_remove_measurement, 50_000_000,
             ("Remove an enclave measurement from the allowlist (root only).",)),
    CallDecl("force_rotate_master_key", 4, (), force_rotate_master_key, 50_000_000,
             ("Ask the gatekeepers for a new master-key generation (root only).",)),
)  # fmt: skip
