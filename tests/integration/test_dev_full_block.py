"""Overfilling a real dev node's block: what does not fit lands in the next block, nothing is banned.

Three remarks of 1.8 MiB and a small one after them, from one sender, arrive in one batch (so in one
pool state): the first two fill a 5 MiB block, the third has no room (`ExhaustsResources`) and the
fourth's nonce comes after it (`Future`). Both used to be dropped and banned (error 1012 on resubmit).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest

from phalanx.crypto.keys import Keypair
from phalanx.runtime.assembly import CALLS
from phalanx.runtime.executive import MAX_BLOCK_LENGTH
from phalanx.runtime.extrinsic import sign_extrinsic
from phalanx.runtime.version import SPEC_VERSION, TRANSACTION_VERSION
from tests.support.rpc_socket import RpcSocket

if TYPE_CHECKING:
    from tests.support.dev_nodes import DevProcess

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

REMARK_BYTES = 1_800_000


def test_transactions_past_a_full_block_land_in_the_next(dev_node: DevProcess) -> None:
    alice = Keypair.from_suri("//Alice")
    assert 2 * REMARK_BYTES < MAX_BLOCK_LENGTH < 3 * REMARK_BYTES

    async def main() -> None:
        async with RpcSocket.connect(dev_node.url) as rpc:
            nonce = await rpc.result("system_accountNextIndex", alice.ss58_address())
            remarks = [b"%d" % index * REMARK_BYTES for index in range(3)] + [b"small"]
            xts = ["0x" + sign_extrinsic(
                alice, CALLS.encode(CALLS.call("System", "remark", remark=remark[:REMARK_BYTES])), nonce + n,
                genesis_hash=bytes.fromhex(dev_node.genesis[2:]), spec_version=SPEC_VERSION,
                transaction_version=TRANSACTION_VERSION).hex() for n, remark in enumerate(remarks)]
            answers = await rpc.batch([("author_submitAndWatchExtrinsic", [xt]) for xt in xts])
            watches = [answer["result"] for answer in answers]

            def statuses(watch: str) -> list[Any]:
                return rpc.notifications.get(watch, [])

            def finalized(watch: str) -> bool:
                return any(isinstance(s, dict) and "finalized" in s for s in statuses(watch))

            def refused(watch: str) -> bool:
                return any(s in ("invalid", "dropped") for s in statuses(watch))

            await rpc.until(lambda: all(finalized(w) for w in watches) or any(refused(w) for w in watches),
                            "all four transactions finalized")
            assert all(s == "ready" or isinstance(s, dict) for w in watches for s in statuses(w)), \
                [statuses(w) for w in watches]  # never "invalid" nor "dropped"
            blocks = [next(s["inBlock"] for s in statuses(w) if isinstance(s, dict) and "inBlock" in s)
                      for w in watches]
            numbers = [int((await rpc.result("chain_getHeader", block))["number"], 16) for block in blocks]
            assert numbers[0] == numbers[1], numbers  # the first two filled one block
            assert numbers[2] == numbers[3] == numbers[0] + 1, numbers  # the rest went into the next
            for xt, block in zip(xts, blocks, strict=True):
                assert xt in (await rpc.result("chain_getBlock", block))["block"]["extrinsics"]
            assert await rpc.result("system_accountNextIndex", alice.ss58_address()) == nonce + 4

    asyncio.run(main())
