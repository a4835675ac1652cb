"""Workers against a live dev node, all real processes: `phalanx dev` with a genesis that accepts this
machine's SIMULATED workers, and `phalanx worker` processes (host + enclave process each).

One scenario, in order: a worker registers and becomes the gatekeeper (generation 0 published, the
token's key distributed with its egress key); a second worker registers and receives the token key;
deposits and encrypted commands go through the chain; both replicas answer encrypted queries alike;
a withdrawal's egress is executed once although both replicas submit it; the plain worker is killed
with SIGKILL (host and enclave), commands go on without it, and it restarts from its sealed state,
catches up and agrees (nothing lost or applied twice); a second gatekeeper receives the master key and,
when a third one is registered, both produce the key share, which the chain accepts once.

Workers run a copy of the `phalanx` package taken when the test starts (`snapshot_code`), whose enclave
measurement the genesis allows: edits to the source tree during the test do not change the workers' code.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

from phalanx.client.chain import Chain, compose_call
from phalanx.client.rpc import RpcClient
from phalanx.contracts.token import Transfer, Withdraw
from phalanx.crypto import Keypair
from phalanx.localnet import registry
from phalanx.mq import ContractOrigin, GatekeeperOrigin
from phalanx.runtime import ChainSpec
from phalanx.runtime.modules.contracts import declarations as contracts_d
from phalanx.tee.host.submission import RetryPolicy, SubmissionFailed, Submitter
from tests.support.worker_live import (
    DAVE,
    DEADLINE,
    EVE,
    PHA,
    SUDO,
    TOKEN,
    WorkerProcess,
    command_count,
    contract_public,
    dev_options,
    free_balance,
    push,
    registered,
    sequence_of,
    settled_balance,
    snapshot_code,
    submit,
    until,
)

if TYPE_CHECKING:
    from tests.support.dev_nodes import DevNodes

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]


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


def test_workers_against_a_live_dev_node(
    tmp_path: Path, dev_nodes: DevNodes, workers: list[WorkerProcess]
) -> None:
    machine = tmp_path / "machine"
    code, measurement = snapshot_code(tmp_path)
    spec = registry.prepare_dev_genesis(ChainSpec.development(), machine, measurement)
    (tmp_path / "spec.json").write_text(json.dumps(spec.to_json()))
    node = dev_nodes.start(*dev_options(tmp_path / "spec.json"))

    def worker(name: str, account: str, checkpoint_interval: int = 4) -> WorkerProcess:
        process = WorkerProcess(node.url, tmp_path / name, machine, account, checkpoint_interval, code)
        workers.append(process)
        return process.start()

    async def scenario() -> None:
        async with RpcClient.connect(node.url) as rpc, aiohttp.ClientSession() as http:
            # -- a gatekeeper and a plain worker ---------------------------------------------------------
            gk1 = await asyncio.to_thread(worker, "gk1", "//Bob")
            await registered(rpc, gk1)
            await registry.force_register_gatekeeper(rpc, SUDO, gk1.identity)
            await registry.wait_master_key(rpc, 0)
            # w2 seals only on new key material: after SIGKILL it replays every block since its key
            w2 = await asyncio.to_thread(worker, "w2", "//Charlie", 10_000)
            await registered(rpc, w2)
            key = await until("the token's public key", lambda: contract_public(rpc))
            assignments = await Chain(rpc).get_entry(contracts_d.Assignments, TOKEN)
            assert set(assignments) == {gk1.identity, w2.identity}

            # -- deposits and commands through the chain; encrypted queries to both replicas ---------------
            await submit(rpc, DAVE, "Contracts", "deposit", contract_id=TOKEN, amount=10 * PHA)
            await push(rpc, DAVE, key, Transfer(EVE.public_key, 3 * PHA, "rent"))
            for replica in (gk1, w2):
                await settled_balance(http, replica, DAVE, 7 * PHA)
                await settled_balance(http, replica, EVE, 3 * PHA)

            # -- a withdrawal: both replicas emit the egress, the chain pays once ------------------------
            eve_public = await free_balance(rpc, EVE.public_key)
            await push(rpc, EVE, key, Withdraw(1 * PHA))
            await until("the withdrawal on chain",
                        lambda: _true(sequence_of(rpc, ContractOrigin(TOKEN)), 1))  # fmt: skip
            for replica in (gk1, w2):
                await settled_balance(http, replica, EVE, 2 * PHA)
            paid = await free_balance(rpc, EVE.public_key) - eve_public
            assert 0 < paid <= 1 * PHA and paid > PHA // 2  # 1 PHA minus Eve's fee for the command

            # -- SIGKILL the plain worker; commands go on; it restarts from its sealed state -------------
            await asyncio.to_thread(w2.kill)
            await push(rpc, DAVE, key, Transfer(EVE.public_key, 1 * PHA, ""))
            await submit(rpc, DAVE, "Contracts", "deposit", contract_id=TOKEN, amount=2 * PHA)
            await settled_balance(http, gk1, DAVE, 8 * PHA)
            await asyncio.to_thread(w2.start)
            await settled_balance(http, w2, DAVE, 8 * PHA)
            await settled_balance(http, w2, EVE, 3 * PHA)
            assert await command_count(rpc) == 5  # 2 deposits, 3 commands, each applied once by each replica
            assert await sequence_of(rpc, ContractOrigin(TOKEN)) == 1  # the replayed withdrawal is not repaid
            assert w2.log_has("egress ContractOrigin #0 is on chain already; skipped")

            # -- a second gatekeeper gets the master key; with a third, both produce the share ------------
            gk3 = await asyncio.to_thread(worker, "gk3", "//Ferdie")
            await registered(rpc, gk3)
            before = await sequence_of(rpc, GatekeeperOrigin())
            await registry.force_register_gatekeeper(rpc, SUDO, gk3.identity)
            await until("the share to the second gatekeeper",
                        lambda: _true(sequence_of(rpc, GatekeeperOrigin()), before + 1))  # fmt: skip
            await until("the second gatekeeper opens its share",
                        lambda: _found(gk3, "received master key generation 0"))  # fmt: skip
            await registry.force_register_gatekeeper(rpc, SUDO, w2.identity)
            await until("the share to the third gatekeeper",
                        lambda: _true(sequence_of(rpc, GatekeeperOrigin()), before + 2))  # fmt: skip
            await until("the third gatekeeper opens its share",
                        lambda: _found(w2, "received master key generation 0"))  # fmt: skip
            share = f"GatekeeperOrigin #{before + 1}"
            await until("both gatekeepers produced the share",
                        lambda: _both(gk1, gk3, share))  # fmt: skip
            assert await sequence_of(rpc, GatekeeperOrigin()) == before + 2  # accepted once
            assert await registry.get_gatekeepers(rpc) == [gk1.identity, gk3.identity, w2.identity]

    asyncio.run(scenario())


async def _true(value: Awaitable[int], at_least: int) -> bool | None:
    return True if await value >= at_least else None


async def _found(worker: WorkerProcess, text: str) -> bool | None:
    return True if worker.log_has(text) else None


async def _both(a: WorkerProcess, b: WorkerProcess, egress: str) -> bool | None:
    return True if all(w.log_has(f"egress {egress} ") for w in (a, b)) else None


def test_the_host_follows_its_extrinsics_to_their_block(dev_node: Any) -> None:
    """The host's `Submitter` against a real dev node: a call that succeeds, one that fails in its block
    (named by its module error), an effect already on chain (nothing submitted), and a transaction the
    pool refuses every time (bounded attempts, then `SubmissionFailed`)."""
    def transfer(value: int) -> bytes:
        return compose_call("Balances", "transfer_keep_alive", dest=("Id", EVE.public_key), value=value)

    async def scenario() -> None:
        async with RpcClient.connect(dev_node.url) as rpc:
            policy = RetryPolicy(attempts=2, inclusion_timeout_s=DEADLINE, backoff_s=0.1)
            submitter = Submitter(rpc, DAVE, policy)
            accepted: list[bool] = []

            async def small() -> bytes:
                return transfer(PHA)

            done = await submitter.submit(small, "a transfer", on_accepted=lambda: accepted.append(True))
            assert done is not None and done.failure is None and done.block_number > 0 and accepted == [True]

            async def too_much() -> bytes:
                return transfer(10**9 * PHA)

            failed = await submitter.submit(too_much, "an overdraft")
            assert failed is not None and failed.failure is not None
            assert failed.failure.startswith("Balances."), failed.failure

            async def already() -> bool:
                return True

            assert await submitter.submit(small, "a settled transfer", settled=already) is None

            broke = Submitter(rpc, Keypair.from_suri("//Nobody/with/no/funds"), submitter.policy)
            with pytest.raises(SubmissionFailed) as refused:
                await broke.submit(small, "a transfer without fees")
            message = refused.value.message
            assert "2 attempts" in message and "the pool did not accept it" in message

    asyncio.run(scenario())
