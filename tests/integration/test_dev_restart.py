"""kill -9 of a dev node in the middle of a stream of transfers; restart on the same store.

Every transfer seen finalized (through its watch subscription) must be in its block after the
restart, finalized block hashes and state roots must be unchanged, and the chain must go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from phalanx.client.chain import compose_call
from phalanx.client.rpc import ClientError, RpcClient
from phalanx.client.tx import compose_signed_extrinsic, fetch_chain_context
from phalanx.crypto.keys import Keypair

if TYPE_CHECKING:
    from tests.support.dev_nodes import DevNodes

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

WANT_FINALIZED = 12
DEADLINE = 120.0


async def stream_until_killed(url: str, kill: Any) -> tuple[dict[str, str], dict[int, dict[str, Any]]]:
    """Submit transfers, record finalized ones (xt hex -> block hash) and finalized headers; kill the node
    once enough transfers are finalized while more are in flight."""
    alice, bob = Keypair.from_suri("//Alice"), Keypair.from_suri("//Bob")
    finalized: dict[str, str] = {}
    heads: dict[int, dict[str, Any]] = {}
    async with RpcClient.connect(url) as rpc:
        chain = await fetch_chain_context(rpc)

        async def follow_heads() -> None:
            with contextlib.suppress(ClientError):
                async with rpc.subscribe("chain_subscribeFinalizedHeads", [],
                                         "chain_unsubscribeFinalizedHeads") as stream:
                    async for header in stream:
                        hash_ = await rpc.request("chain_getBlockHash", [int(header["number"], 16)])
                        heads[int(header["number"], 16)] = {"hash": hash_, "stateRoot": header["stateRoot"]}

        async def watch(xt: bytes) -> None:
            with contextlib.suppress(ClientError):
                async with rpc.subscribe("author_submitAndWatchExtrinsic", ["0x" + xt.hex()],
                                         "author_unwatchExtrinsic") as updates:
                    async for status in updates:
                        if isinstance(status, dict) and "finalized" in status:
                            finalized["0x" + xt.hex()] = status["finalized"]
                            return

        heads_task = asyncio.create_task(follow_heads())
        watchers = []
        nonce = 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DEADLINE
        while len(finalized) < WANT_FINALIZED:
            if loop.time() > deadline:
                raise TimeoutError(f"only {len(finalized)} transfers finalized before the deadline")
            amount = 10**12 + nonce
            call = compose_call("Balances", "transfer_keep_alive", dest=("Id", bob.public_key), value=amount)
            watchers.append(asyncio.create_task(watch(compose_signed_extrinsic(alice, call, nonce, chain))))
            nonce += 1
            await asyncio.sleep(0.02)
        kill()  # transfers are still in flight
        await asyncio.wait(watchers, timeout=30)
        heads_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await heads_task
    return dict(finalized), dict(heads)


def test_kill_9_loses_nothing_finalized(dev_nodes: DevNodes, tmp_path: Path) -> None:
    base = tmp_path / "chain"
    node = dev_nodes.start("--block-time", "0.2", base_path=base)
    finalized, heads = asyncio.run(stream_until_killed(node.url, lambda: node.kill(signal.SIGKILL)))
    assert len(finalized) >= WANT_FINALIZED and heads

    restarted = dev_nodes.start("--block-time", "0.2", base_path=base)
    assert restarted.genesis == node.genesis

    async def check() -> None:
        async with RpcClient.connect(restarted.url) as rpc:
            for number, seen in heads.items():
                assert await rpc.request("chain_getBlockHash", [number]) == seen["hash"], number
                header = await rpc.request("chain_getHeader", [seen["hash"]])
                assert header["stateRoot"] == seen["stateRoot"], number
            for xt, block_hash in finalized.items():
                block = await rpc.request("chain_getBlock", [block_hash])
                assert block is not None and xt in block["block"]["extrinsics"]
            top = max(heads)

            async def chain_goes_on() -> None:
                subscription = rpc.subscribe("chain_subscribeNewHeads", [], "chain_unsubscribeNewHeads")
                async with subscription as new_heads:
                    async for header in new_heads:
                        if int(header["number"], 16) > top + 2:
                            return

            await asyncio.wait_for(chain_goes_on(), 60)
            alice = Keypair.from_suri("//Alice").ss58_address()
            alice_nonce = await rpc.request("system_accountNextIndex", [alice])
            assert alice_nonce >= len(finalized)

    asyncio.run(check())
