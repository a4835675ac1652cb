"""A worker following a CometBFT network, all real processes: validators (`phalanx node` + cometbft each,
the network `phalanx net up` starts) with a genesis that accepts this machine's SIMULATED workers and
names the network's trust anchor, and one `phalanx worker --cometbft-rpc URL` worker that
follows validator 0 with CometBFT finality (block H proven by CometBFT's signed header H+1).

The worker registers (its attested trust root is the network's), becomes the gatekeeper through sudo,
publishes master key generation 0, receives the token's key, applies a deposit and an encrypted
transfer, and answers encrypted queries. An enclave initialised on another chain's trust root is
refused at registration (`TrustRootMismatch`). Validators: PHALANX_WORKER_NET_VALIDATORS (default 4;
the whole test takes about 12 s on two cores, 4 s with one validator). The worker runs a copy of the
`phalanx` package taken when the test starts, whose measurement the genesis allows (`snapshot_code`).
Every process is stopped at the end, also when the test fails.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from phalanx.attestation import evidence_to_value
from phalanx.attestation.registration import CometBftTrustRoot, encode_trust_root
from phalanx.client.chain import Chain, build_call, compose_call
from phalanx.client.rpc import RpcClient
from phalanx.contracts.token import Transfer
from phalanx.crypto import Keypair
from phalanx.localnet import registry
from phalanx.localnet.cometbft.chain import runtime_app_state
from phalanx.localnet.cometbft.errors import CometBftNotFound
from phalanx.localnet.cometbft.keys import Ed25519Key
from phalanx.localnet.cometbft.network import (
    NetworkInfo,
    NetworkOptions,
    create_network,
    find_cometbft,
    start_network,
    stop_network,
)
from phalanx.runtime import ChainSpec
from phalanx.runtime.modules.registry import declarations as registry_d
from phalanx.tee.platform.process import EnclaveProcess
from tests.support.worker_live import (
    DAVE,
    EVE,
    PHA,
    SUDO,
    TOKEN,
    WorkerProcess,
    contract_public,
    push,
    registered,
    settled_balance,
    snapshot_code,
    submit,
    until,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

VALIDATORS = int(os.environ.get("PHALANX_WORKER_NET_VALIDATORS", "4"))
CHAIN_ID = "phalanx-worker-net"
POWER = 10


class CometBftWorker(WorkerProcess):
    def __init__(self, node: str, cometbft: str, base_path: Path, platform_dir: Path, account: str,
                 code_root: Path) -> None:  # fmt: skip
        super().__init__(node, base_path, platform_dir, account, 4, code_root)
        self.args += ["--cometbft-rpc", cometbft]


@dataclass(frozen=True)
class Network:
    info: NetworkInfo
    machine: Path
    code: Path
    """The copy of the `phalanx` package workers run (its measurement is the one the genesis allows)."""
    measurement: bytes


@pytest.fixture
def network(tmp_path: Path) -> Iterator[Network]:
    try:
        find_cometbft()
    except CometBftNotFound as error:
        pytest.skip(error.message)
    base, machine = tmp_path / "net", tmp_path / "machine"
    code, measurement = snapshot_code(tmp_path)
    try:
        keys = [Ed25519Key.generate() for _ in range(VALIDATORS)]
        spec = ChainSpec.from_json(runtime_app_state(keys, POWER))
        spec = registry.prepare_cometbft_genesis(spec, machine, CHAIN_ID,
                                                 [(k.public_key, POWER) for k in keys], measurement)
        info = create_network(base, VALIDATORS, app="runtime", chain_id=CHAIN_ID, keys=keys,
                              app_state=spec.to_json(), options=NetworkOptions(timeout_commit="200ms"))
        yield Network(start_network(info), machine, code, measurement)
    finally:
        stop_network(base)


@pytest.fixture
def workers() -> Iterator[list[WorkerProcess]]:
    started: list[WorkerProcess] = []
    try:
        yield started
    finally:
        for worker in started:
            worker.kill()
            print(f"--- worker {worker.base_path} (last lines) ---")
            print("\n".join(worker.lines[-40:]))


def test_a_worker_follows_a_cometbft_network(
    tmp_path: Path, network: Network, workers: list[WorkerProcess]
) -> None:
    validator = network.info.validators[0]
    started = time.monotonic()

    async def scenario() -> None:
        async with RpcClient.connect(validator.substrate_rpc_url) as rpc, aiohttp.ClientSession() as http:
            gk = CometBftWorker(validator.substrate_rpc_url, validator.cometbft_rpc_url, tmp_path / "gk",
                                network.machine, "//Bob", network.code)
            workers.append(gk)
            await asyncio.to_thread(gk.start)
            await registered(rpc, gk)
            await registry.force_register_gatekeeper(rpc, SUDO, gk.identity)
            await registry.wait_master_key(rpc, 0)
            key = await until("the token's public key", lambda: contract_public(rpc))
            await submit(rpc, DAVE, "Contracts", "deposit", contract_id=TOKEN, amount=10 * PHA)
            await push(rpc, DAVE, key, Transfer(EVE.public_key, 3 * PHA, "rent"))
            await settled_balance(http, gk, DAVE, 7 * PHA)
            await settled_balance(http, gk, EVE, 3 * PHA)
            assert gk.log_has("this worker is registered on chain")

            # an enclave that trusts another chain (other chain id) is refused at registration
            await register_stranger(rpc, tmp_path, network)

    asyncio.run(scenario())
    print(f"worker on {VALIDATORS} CometBFT validator(s): scenario took {time.monotonic() - started:.1f} s")


async def register_stranger(rpc: RpcClient, tmp_path: Path, network: Network) -> None:
    genesis = bytes.fromhex((await rpc.request("chain_getBlockHash", [0]))[2:])
    root = CometBftTrustRoot(genesis, "another-chain", b"\x11" * 32)
    enclave = EnclaveProcess(network.machine, tmp_path / "stranger")
    await asyncio.to_thread(enclave.start)
    try:
        measurement = await asyncio.to_thread(enclave.measurement)
        if measurement != network.measurement:
            # this enclave runs the source tree, which changed since the test started: allow its code,
            # so that what the registry refuses is the trust root, not the measurement
            allow = build_call("Registry", "force_allow_measurement", measurement=measurement)
            await registry.submit_call(rpc, SUDO, compose_call("Sudo", "sudo", call=allow))
        await asyncio.to_thread(enclave.init_trust, encode_trust_root(root))
        info, evidence = await asyncio.to_thread(enclave.get_info, b"http://127.0.0.1:9/query", None)
    finally:
        await asyncio.to_thread(enclave.stop)
    call = compose_call("Registry", "register_worker", info=info, evidence=evidence_to_value(evidence))
    with pytest.raises(registry.DevnetStepFailed) as refused:
        await registry.submit_call(rpc, Keypair.from_suri("//Ferdie"), call)
    code = bytes((registry_d.TrustRootMismatch.code, 0, 0, 0))
    module_error = repr({"index": registry_d.INDEX, "error": code})
    assert module_error in refused.value.message
    assert await Chain(rpc).get_entry(registry_d.Workers, info.identity_public) is None
