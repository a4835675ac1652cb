"""Random and malformed input to a real dev node's RPC (HTTP and websocket) and to author_submitExtrinsic:
every request gets a typed error and the node keeps serving."""

from __future__ import annotations

import asyncio
import json
import random
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

from phalanx.codec.compact import encode_compact

if TYPE_CHECKING:
    from tests.support.dev_nodes import DevProcess

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

TYPED_SUBMIT_ERRORS = {1002, 1010, 1011, -32602}


def request(method: str, params: Any, request_id: int = 1) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}


def test_malformed_input_gets_typed_errors(dev_node: DevProcess) -> None:
    rng = random.Random(7)

    async def main() -> None:
        async with aiohttp.ClientSession() as http:
            async def post(body: bytes | str) -> tuple[int, Any]:
                async with http.post(dev_node.http_url, data=body,
                                     headers={"Content-Type": "application/json"}) as response:
                    text = await response.text()
                    return response.status, (json.loads(text) if text else None)

            for size in (0, 1, 7, 64, 1000, 70_000):
                blob = rng.randbytes(size)
                _, answer = await post(json.dumps(request("author_submitExtrinsic", ["0x" + blob.hex()])))
                assert answer["error"]["code"] in TYPED_SUBMIT_ERRORS, answer
                status, answer = await post(blob)
                assert status == 200 and answer["error"]["code"] in (-32700, -32600), answer
            # A signed-looking extrinsic with garbage inside: version byte 0x84 then noise.
            noisy = bytes([0x84]) + rng.randbytes(150)
            framed = encode_compact(len(noisy)) + noisy
            _, answer = await post(json.dumps(request("author_submitExtrinsic", ["0x" + framed.hex()])))
            assert answer["error"]["code"] in TYPED_SUBMIT_ERRORS, answer
            wrong = [
                request("author_submitExtrinsic", ["not hex"]),
                request("author_submitExtrinsic", [12345]),
                request("author_submitExtrinsic", {"extrinsic": None}),
                request("chain_getBlockHash", [-1]),
                request("chain_getBlockHash", [2**80]),
                request("chain_getHeader", ["0x1234"]),
                request("state_getStorage", [["nested"]]),
                request("state_getKeysPaged", ["0x", 10**9]),
                request("state_call", ["Core_version", "0xzz"]),
                request("system_accountNextIndex", ["not an address"]),
                request("state_queryStorageAt", ["0x00"]),
            ]
            for item in wrong:
                _, answer = await post(json.dumps(item))
                assert answer["error"]["code"] == -32602, (item, answer)
            _, answer = await post(json.dumps(request("no_such_method", [])))
            assert answer["error"]["code"] == -32601
            _, answers = await post(json.dumps([request("system_name", [], i) for i in range(5)] + [17, "x"]))
            assert len(answers) == 7 and sum("error" in a for a in answers) == 2
            status, _ = await post(b"[" * 20_000_000)
            assert status == 413
            _, answer = await post("[" * 5000 + "]" * 5000)  # deep nesting
            assert "error" in (answer if isinstance(answer, dict) else answer[0])

            async with http.ws_connect(dev_node.url) as ws:
                for index in range(30):
                    blob = rng.randbytes(rng.randrange(1, 300))
                    if index % 2:
                        await ws.send_bytes(blob)
                    else:
                        await ws.send_str(blob.hex())
                    answer = await ws.receive_json(timeout=30)
                    assert answer["error"]["code"] in (-32700, -32600), answer
                await ws.send_json(request("chain_subscribeNewHeads", [], 99))
                while (answer := await ws.receive_json(timeout=30)).get("id") != 99:
                    pass
                assert isinstance(answer["result"], str)
                await ws.send_json(request("chain_unsubscribeNewHeads", [12]))
                while "id" not in (answer := await ws.receive_json(timeout=30)):
                    pass
                assert answer["error"]["code"] == -32602

            _, answer = await post(json.dumps(request("system_health", [])))
            assert answer["result"]["isSyncing"] is False
            _, answer = await post(json.dumps(request("chain_getHeader", [])))
            assert int(answer["result"]["number"], 16) >= 0

    asyncio.run(main())
