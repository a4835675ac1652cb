"""Registry: attested workers, gatekeepers, the measurement allowlist and the master public keys.

Rules:
- `register_worker(info, evidence)` (signed by the host, or by the operator the info names) stores the
  worker only if `phalanx.attestation.verify_attestation` accepts the evidence at the block time under
  the chain's policy (genesis settings + governance allowlist) with report data
  `compute_report_data(info, trust root hash)`: when genesis sets a trust anchor, the enclave must
  follow this chain (`TrustRootMismatch` otherwise). Registering again with fresh evidence updates
  the record.
- Gatekeepers are registered workers that governance (root) names; the first one makes master-key
  generation 0 and publishes its public identity through Mq (as a worker); later generations are
  published by the gatekeeper group after `force_rotate_master_key`.
- Every registration is also told to enclaves through `Mq.InboundMessages` (see
  `phalanx.runtime.modules.mq.payloads`). Storage layout: see `declarations`.
"""

from __future__ import annotations

from phalanx.runtime.framework import Context, Module
from phalanx.runtime.modules.registry import declarations as d
from phalanx.runtime.modules.registry.calls import CALLS
from phalanx.runtime.modules.registry.genesis_config import CometBftAnchor, DevAnchor, RegistryGenesis
from phalanx.runtime.modules.registry.logic import record_genesis_hash
from phalanx.runtime.state import State


def genesis(ctx: Context, config: RegistryGenesis) -> None:
    config.check()
    d.AttestationSettings.put(ctx.state, d.AttestationConfig(
        config.allow_simulated, config.simulated_attestation_key, config.allow_out_of_date,
    ))  # fmt: skip
    if config.measurement_allowlist:
        d.AllowedMeasurements.put(ctx.state, list(config.measurement_allowlist))
    anchor = config.trust_anchor
    if isinstance(anchor, DevAnchor):
        d.TrustAnchor.put(ctx.state, ("Dev", {
            "authority_public": anchor.authority_public, "authority_key_type": anchor.authority_key_type,
        }))  # fmt: skip
    elif isinstance(anchor, CometBftAnchor):
        d.TrustAnchor.put(ctx.state, ("CometBft", {
            "chain_id": anchor.chain_id, "validator_set_hash": anchor.validator_set_hash,
        }))  # fmt: skip


def invariants(state: State) -> list[str]:
    """Gatekeepers are registered and unique; published generations are 0..newest."""
    problems = []
    gatekeepers = d.Gatekeepers.get(state)
    if len(set(gatekeepers)) != len(gatekeepers):
        problems.append("a gatekeeper is listed twice")
    for gk in gatekeepers:
        if d.Workers.get(state, gk) is None:
            problems.append(f"gatekeeper {gk.hex()} is not a registered worker")
    newest = d.MasterKeyGeneration.get(state)
    for generation in range(0 if newest is None else newest + 1):
        if d.MasterPublicKeys.get(state, generation) is None:
            problems.append(f"master-key generation {generation} has no public key")
    return problems


MODULE = Module.from_declarations(
    d, CALLS, genesis=lambda ctx, config: genesis(ctx, config.registry), on_initialize=record_genesis_hash,
    invariants=invariants, docs=tuple(line for line in (__doc__ or "").splitlines()[:1]),
)

__all__ = ["MODULE", "CometBftAnchor", "DevAnchor", "RegistryGenesis", "genesis", "invariants"]
