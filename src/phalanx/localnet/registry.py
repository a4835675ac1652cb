"""Development networks with SIMULATED workers: a genesis that accepts them, and the governance steps
a dev chain needs to give them work.

- `prepare_dev_genesis(spec, platform_dir)`: the chain spec with its Registry genesis set to accept
  simulated quotes signed by the devnet attestation key of the machine whose platform directory is
  `platform_dir`, and to allow the measurement of this build's enclave code. Workers on that machine
  must run with the same platform directory (`WorkerConfig.platform_dir`). It also names the dev
  authority as the chain's trust anchor, so the registry refuses enclaves that follow another chain.
- `prepare_cometbft_genesis(spec, platform_dir, chain_id, validators)`: the same for a chain that
  CometBFT runs (`phalanx net up`): its trust anchor is the chain id and the genesis validator set.
- `force_register_gatekeeper(rpc, sudo, worker)`: make a registered worker a gatekeeper with
  `Sudo.sudo(Registry.force_register_gatekeeper)`, waiting for finality and for the call's result.
- `wait_worker_registered`, `wait_gatekeeper`, `wait_master_key`: poll chain storage with a deadline.

Simulated attestation gives no isolation: use it on development chains only.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from phalanx.client.chain import Chain, build_call, compose_call
from phalanx.client.rpc import RpcClient
from phalanx.crypto import Keypair
from phalanx.errors import PhalanxError
from phalanx.runtime import ChainSpec
from phalanx.runtime.events import EventRecord
from phalanx.runtime.modules.registry import CometBftAnchor, DevAnchor, RegistryGenesis
from phalanx.runtime.modules.registry import declarations as registry_d
from phalanx.runtime.modules.registry.genesis_config import TrustAnchor
from phalanx.tee.platform.measurement import compute_code_measurement
from phalanx.tee.platform.simulated import devnet_attestation_public_key
from phalanx.wire.trust import CometBftTrust


class DevnetStepFailed(PhalanxError):
    """A development-network step did not take effect (refused call, or a deadline passed)."""

    module = "worker"
    code = 20


def prepare_dev_genesis(
    spec: ChainSpec,
    platform_dir: Path,
    measurement: bytes | None = None,
    trust_anchor: TrustAnchor | None = None,
) -> ChainSpec:
    """`spec` with a Registry genesis that accepts this machine's SIMULATED workers.

    Sets `allow_simulated`, the devnet attestation public key of `platform_dir` (created there on first
    use) and adds the enclave measurement (default: this build's code) to the allowlist, keeping any
    measurements already listed. The trust anchor is `trust_anchor`, by default the spec's dev
    authority (sr25519). Everything else in `spec` is unchanged.
    """
    registry = spec.genesis.registry
    allowed = measurement if measurement is not None else compute_code_measurement()
    allowlist = registry.measurement_allowlist
    if allowed not in allowlist:
        allowlist = (*allowlist, allowed)
    authority = spec.genesis.dev_authority
    if trust_anchor is None and authority is not None:
        trust_anchor = DevAnchor(authority, 1)
    configured = RegistryGenesis(
        allow_simulated=True,
        simulated_attestation_key=devnet_attestation_public_key(platform_dir),
        measurement_allowlist=allowlist,
        allow_out_of_date=registry.allow_out_of_date,
        trust_anchor=trust_anchor or registry.trust_anchor,
    )
    configured.check()
    return replace(spec, genesis=replace(spec.genesis, registry=configured))


def prepare_cometbft_genesis(
    spec: ChainSpec,
    platform_dir: Path,
    chain_id: str,
    validators: list[tuple[bytes, int]],
    measurement: bytes | None = None,
) -> ChainSpec:
    """`prepare_dev_genesis` for a chain CometBFT runs: the trust anchor is `chain_id` and CometBFT's hash
    of the genesis `validators` (ed25519 public key, voting power; any order)."""
    trust = CometBftTrust.from_validators(bytes(32), chain_id, validators)
    anchor = CometBftAnchor(chain_id, trust.validator_set_hash)
    return prepare_dev_genesis(spec, platform_dir, measurement, anchor)


async def submit_call(rpc: RpcClient, signer: Keypair, call: bytes,
                      timeout: float = 60.0) -> list[EventRecord]:  # fmt: skip
    """Submit `call` signed by `signer`, wait until finalized, and return the events of its extrinsic.

    Raises `DevnetStepFailed` when the extrinsic failed (`System.ExtrinsicFailed`) or a sudo call inside it
    failed (`Sudo.Sudid` with an error)."""
    receipt = await Chain(rpc).submit(signer, call, timeout)
    if receipt.error is not None:
        raise DevnetStepFailed(f"the call failed: {receipt.error.value}")
    for event in receipt.events:
        result = event.fields.get("sudo_result")
        if (
            (event.module, event.name) == ("Sudo", "Sudid")
            and isinstance(result, tuple)
            and result[0] == "Err"
        ):
            raise DevnetStepFailed(f"the sudo call failed: {result[1]}")
    return list(receipt.events)


async def force_register_gatekeeper(
    rpc: RpcClient, sudo: Keypair, worker: bytes, timeout: float = 60.0
) -> None:
    """Make the registered worker `worker` (its identity public key) a gatekeeper, as the sudo key.

    Waits until the call is finalized; raises `DevnetStepFailed` if it was refused (not registered, already
    a gatekeeper, `sudo` is not the sudo key)."""
    inner = build_call("Registry", "force_register_gatekeeper", worker=worker)
    call = compose_call("Sudo", "sudo", call=inner)
    await submit_call(rpc, sudo, call, timeout)


async def _poll(what: str, check: Any, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise DevnetStepFailed(f"{what} did not happen within {timeout} s")
        await asyncio.sleep(0.2)


async def wait_worker_registered(rpc: RpcClient, worker: bytes, timeout: float = 60.0) -> None:
    """Wait until `worker` is in `Registry.Workers`."""

    async def check() -> bool:
        return await Chain(rpc).get_entry(registry_d.Workers, worker) is not None

    await _poll(f"registration of worker 0x{worker.hex()}", check, timeout)


async def get_gatekeepers(rpc: RpcClient) -> list[bytes]:
    return list(await Chain(rpc).get_value(registry_d.Gatekeepers))


async def wait_master_key(rpc: RpcClient, generation: int = 0, timeout: float = 60.0) -> bytes:
    """Wait until master-key generation `generation` is published; returns the group's public key."""

    async def check() -> bytes | None:
        found: bytes | None = await Chain(rpc).get_entry(registry_d.MasterPublicKeys, generation)
        return found

    found: bytes = await _poll(f"publication of master-key generation {generation}", check, timeout)
    return found
