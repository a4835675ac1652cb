"""`prepare_dev_genesis`: a dev spec that accepts this machine's simulated workers, and a worker whose
quote it accepts registers on a real runtime."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from phalanx.localnet.registry import prepare_dev_genesis
from phalanx.runtime import ChainSpec
from phalanx.runtime.modules.registry import RegistryGenesis
from phalanx.tee.platform.measurement import compute_code_measurement
from phalanx.tee.platform.simulated import devnet_attestation_public_key


def test_prepare_dev_genesis_allows_the_machine_and_the_build(tmp_path: Path) -> None:
    other = b"\x05" * 32
    base = ChainSpec.development()
    base = replace(
        base, genesis=replace(base.genesis, registry=RegistryGenesis(measurement_allowlist=(other,)))
    )
    spec = prepare_dev_genesis(base, tmp_path / "machine")
    registry = spec.genesis.registry
    assert registry.allow_simulated
    assert registry.simulated_attestation_key == devnet_attestation_public_key(tmp_path / "machine")
    assert registry.measurement_allowlist == (other, compute_code_measurement())
    assert replace(spec, genesis=replace(spec.genesis, registry=base.genesis.registry)) == base
    # idempotent, and it survives the JSON round trip `phalanx dev --chain-spec` reads
    assert prepare_dev_genesis(spec, tmp_path / "machine") == spec
    assert ChainSpec.from_json(spec.to_json()) == spec
