"""Typed errors of attestation verification, each with a fixed code (module "attestation").

The registry module turns these into dispatch errors of `register_worker`; the codes are part of
the chain's interface and are never reused for another condition.
"""

from __future__ import annotations

from phalanx.errors import PhalanxError


class AttestationError(PhalanxError):
    """Base class: the evidence does not prove what a registration needs it to prove."""

    module = "attestation"
    code = 0


class MalformedEvidence(AttestationError):
    """The evidence bytes do not decode, or a field is out of its range."""

    code = 1


class SimulatedNotAllowed(AttestationError):
    """Simulated evidence on a chain whose policy accepts only hardware attestation."""

    code = 2


class BadSignature(AttestationError):
    """A simulated quote not signed by the attestation key configured at genesis."""

    code = 3


class QuoteVerificationFailed(AttestationError):
    """A DCAP quote failed verification: bad signature, broken certificate chain, unknown TCB level."""

    code = 4


class CollateralExpired(AttestationError):
    """The DCAP collateral (CRLs, TCB info, QE identity) expired before `now`: fetch fresh collateral."""

    code = 5


class CollateralNotYetValid(AttestationError):
    """The DCAP collateral was issued after `now`: the block time is behind the collateral's issue date."""

    code = 6


class MeasurementNotAllowed(AttestationError):
    """The attested code measurement is not in the governance-set allowlist."""

    code = 7


class ReportDataMismatch(AttestationError):
    """The quote's report data does not bind the registration info presented with it."""

    code = 8


class TcbRevoked(AttestationError):
    """The platform's TCB (or a key in its certificate chain) is revoked."""

    code = 9


class TcbOutOfDate(AttestationError):
    """The platform's TCB is out of date and the policy does not accept out-of-date platforms."""

    code = 10


class DebugEnclave(AttestationError):
    """The quote comes from a debug-mode enclave or TD, whose memory the host can read."""

    code = 11


class TcbStatusUnknown(AttestationError):
    """The verifier returned a TCB status this chain does not know how to rate."""

    code = 12


class StaleQuote(AttestationError):
    """A simulated quote whose timestamp is too far before (or after) the block time."""

    code = 13
