"""What the chain accepts as attestation (`AttestationPolicy`) and what a verification yields.

The policy is chain configuration: genesis sets whether simulated evidence is allowed and the devnet
attestation key; governance sets the measurement allowlist. The verifier is a pure function of the
evidence, the policy, the expected report data and the block time.

Confidence levels follow Phala's worker tiers (its SGX attestation docs), stated for DCAP TCB statuses:

| level | TCB status                                             | advisories                       |
|-------|--------------------------------------------------------|----------------------------------|
| 1     | UpToDate                                               | any                              |
| 2     | SWHardeningNeeded                                      | any                              |
| 3     | ConfigurationNeeded, ConfigurationAndSWHardeningNeeded | all in `advisory_allowlist`      |
| 4     | ConfigurationNeeded, ConfigurationAndSWHardeningNeeded | some outside `advisory_allowlist`|
| 5     | OutOfDate, OutOfDateConfigurationNeeded,               | any; refused (`TcbOutOfDate`)    |
|       | TDRelaunchAdvised, TDRelaunchAdvisedConfigurationNeeded| unless `allow_out_of_date`       |
| -     | Revoked                                                | refused (`TcbRevoked`)           |

Phala's default advisory allowlist (advisories that do not weaken its security assumptions) is
INTEL-SA-00219, INTEL-SA-00334, INTEL-SA-00381, INTEL-SA-00389. Mining rewards then scale by level
(1-3 → 1.0, 4 → 0.8, 5 → 0.7; see the economics module).
"""

from __future__ import annotations

from dataclasses import dataclass, field

PROVIDER_SIMULATED = "simulated"
PROVIDER_DCAP = "dcap"

PHALA_ADVISORY_ALLOWLIST: frozenset[str] = frozenset(
    {"INTEL-SA-00219", "INTEL-SA-00334", "INTEL-SA-00381", "INTEL-SA-00389"}
)

DEFAULT_MAX_QUOTE_AGE_S = 24 * 3600
DEFAULT_MAX_CLOCK_SKEW_S = 5 * 60


@dataclass(frozen=True)
class AttestationPolicy:
    """The chain's rules for accepting a worker's attestation.

    allow_simulated: accept `simulated` evidence (devnets only; its isolation is not real).
    simulated_attestation_key: the ed25519 public key that signs simulated quotes (genesis).
    measurement_allowlist: code measurements governance allows (SGX MRENCLAVE, TDX digest, or the
        simulated platform's code hash; 32 bytes each).
    allow_out_of_date: accept out-of-date TCBs at confidence level 5 instead of refusing them.
    advisory_allowlist: advisories that keep a configuration-needed platform at level 3.
    max_quote_age_s / max_clock_skew_s: how far a simulated quote's timestamp may lie before / after
        the block time.
    """

    allow_simulated: bool = False
    simulated_attestation_key: bytes | None = None
    measurement_allowlist: frozenset[bytes] = frozenset()
    allow_out_of_date: bool = False
    advisory_allowlist: frozenset[str] = PHALA_ADVISORY_ALLOWLIST
    max_quote_age_s: int = DEFAULT_MAX_QUOTE_AGE_S
    max_clock_skew_s: int = DEFAULT_MAX_CLOCK_SKEW_S


@dataclass(frozen=True)
class AttestationReport:
    """What a successful verification establishes about a worker's platform.

    provider: "simulated" or "dcap". measurement: the allowed code measurement it runs.
    confidence_level: 1 (best) .. 5. tcb_status: the TCB status string ("UpToDate", ...;
    "Simulated" for the simulated platform). advisory_ids: Intel advisories that apply, sorted.
    """

    provider: str
    measurement: bytes
    confidence_level: int
    tcb_status: str
    advisory_ids: tuple[str, ...] = field(default=())
