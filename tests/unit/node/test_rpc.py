"""The RPC server over a fake chain: HTTP and websocket, Substrate shapes, subscriptions and errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from phalanx.node.backend import ChainBackend
from phalanx.node.config import DevConfig
from phalanx.node.service import DevNode
from tests.support.fake_chain import FakeChain

pytestmark = pytest.mark.timeout(60)


async def start_node(chain: FakeChain, **options: Any) -> DevNode:
    def open_chain(_config: DevConfig) -> tuple[ChainBackend, Any]:
        return chain, lambda: None

    config = DevConfig(base_path=None, rpc_port=0, block_time=options.pop("block_time", 0.05), **options)
    node = DevNode(config, open_chain)
    await node.start()
    return node


def req(request_id: int, method: str, params: list[Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}


class Client:
    def __init__(self, url: str, session: aiohttp.ClientSession) -> None:
        self.http = url.replace("ws://", "http://")
        self.url = url
        self.session = session

    async def post(self, payload: Any) -> Any:
        data = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
        async with self.session.post(self.http, data=data, headers={"Content-Type": "application/json"}) as r:
            text = await r.text()
            return r.status, (json.loads(text) if text else None)

    async def call(self, method: str, *params: Any) -> Any:
        _, answer = await self.post({"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
        return answer


def run_with_client(chain: FakeChain, body: Callable[[Client], Awaitable[None]]) -> None:
    async def main() -> None:
        node = await start_node(chain, instant_seal=True)
        try:
            async with aiohttp.ClientSession() as session:
                await body(Client(node.rpc_url, session))
        finally:
            await node.close()

    asyncio.run(main())


def test_system_and_chain_methods(fake_chain: FakeChain) -> None:
    async def body(client: Client) -> None:
        assert (await client.call("system_chain"))["result"] == "phalanx dev"
        assert (await client.call("system_properties"))["result"]["ss58Format"] == 30
        assert (await client.call("system_health"))["result"] == {"peers": 0, "isSyncing": False,
                                                                 "shouldHavePeers": False}
        genesis = "0x" + fake_chain.genesis_hash.hex()
        assert (await client.call("chain_getBlockHash", 0))["result"] == genesis
        assert (await client.call("chain_getBlockHash", "0x0"))["result"] == genesis
        assert (await client.call("chain_getBlockHash", [0, 10_000]))["result"] == [genesis, None]
        assert (await client.call("chain_getHeader", genesis))["result"]["number"] == "0x0"
        assert (await client.call("chain_getBlock", genesis))["result"]["block"]["extrinsics"] == []
        methods = (await client.call("rpc_methods"))["result"]["methods"]
        assert "author_submitAndWatchExtrinsic" in methods and "chain_getFinalisedHead" in methods
        assert (await client.call("state_getStorage", "0x" + b"balance:a".hex()))["result"] == "0x64"
        assert (await client.call("state_getKeysPaged", "0x" + b"bal".hex(), 10))["result"] == [
            "0x" + b"balance:a".hex()]
        at = (await client.call("state_queryStorageAt", ["0x" + b"balance:a".hex()]))["result"][0]
        assert at["changes"] == [["0x" + b"balance:a".hex(), "0x64"]]
        assert (await client.call("system_accountNextIndex", "0x" + "00" * 32))["result"] == 0



    run_with_client(fake_chain, body)

def test_errors_are_typed_and_server_keeps_serving(fake_chain: FakeChain) -> None:
    async def body(client: Client) -> None:
        status, answer = await client.post(b"\xff\xfe{not json")
        assert answer["error"]["code"] == -32700
        assert (await client.post({"jsonrpc": "2.0", "id": 1}))[1]["error"]["code"] == -32600
        assert (await client.post([1, 2]))[1][0]["error"]["code"] == -32600
        assert (await client.post([]))[1]["error"]["code"] == -32600
        assert (await client.call("no_such_method"))["error"]["code"] == -32601
        assert (await client.call("chain_getBlockHash", "zz"))["error"]["code"] == -32602
        assert (await client.call("state_getStorage", 12))["error"]["code"] == -32602
        assert (await client.call("state_getStorage", "0x00", "0x" + "ab" * 32))["error"]["code"] == 4003
        assert (await client.call("chain_subscribeNewHeads"))["error"]["code"] == -32601  # not over HTTP
        undecodable = await client.call("author_submitExtrinsic", "0xdeadbeef")
        assert undecodable["error"]["code"] == 1002
        bad = await client.call("author_submitExtrinsic", "0x" + b"XTB\x00\x00".hex())
        assert bad["error"] == {"code": 1010, "message": "Invalid Transaction",
                                "data": "Transaction has a bad signature"}
        status, answer = await client.post(b"x" * (16 * 1024 * 1024))
        assert status == 413
        batch = [{"jsonrpc": "2.0", "id": i, "method": "system_name"} for i in range(3)]
        batch.append({"jsonrpc": "2.0", "method": "system_name"})  # a notification: no answer
        _, answers = await client.post(batch)
        assert [a["id"] for a in answers] == [0, 1, 2]
        assert (await client.call("system_name"))["result"] == "phalanx"



    run_with_client(fake_chain, body)

def test_watch_extrinsic_and_subscriptions(fake_chain: FakeChain) -> None:
    async def body(client: Client) -> None:
        async with client.session.ws_connect(client.url) as ws:
            await ws.send_json(req(1, "chain_subscribeNewHeads", []))
            heads_id = (await ws.receive_json(timeout=10))["result"]
            first = await ws.receive_json(timeout=10)
            assert first["method"] == "chain_newHead" and first["params"]["subscription"] == heads_id
            key = "0x" + b"nonce:a".hex()
            await ws.send_json(req(2, "state_subscribeStorage", [[key]]))
            storage_id = (await ws.receive_json(timeout=10))["result"]
            xt = "0x" + b"XTa\x00\x01".hex()
            await ws.send_json(req(3, "author_submitAndWatchExtrinsic", [xt]))
            watch_id = None
            updates: list[Any] = []
            storage: list[Any] = []
            while not updates or not isinstance(updates[-1], dict) or "finalized" not in updates[-1]:
                message = await ws.receive_json(timeout=10)
                if message.get("id") == 3:
                    assert not updates  # the subscription id comes before its first notification
                    watch_id = message["result"]
                elif message.get("method") == "author_extrinsicUpdate":
                    assert message["params"]["subscription"] == watch_id
                    updates.append(message["params"]["result"])
                elif message.get("method") == "state_storage":
                    assert message["params"]["subscription"] == storage_id
                    storage.append(message["params"]["result"])
            assert updates[0] == "ready" and "inBlock" in updates[1]
            while not any(c[1] == "0x01" for s in storage for c in s["changes"]):
                message = await ws.receive_json(timeout=10)
                if message.get("method") == "state_storage":
                    storage.append(message["params"]["result"])
            await ws.send_json(req(4, "chain_unsubscribeNewHeads", [heads_id]))
            while True:
                message = await ws.receive_json(timeout=10)
                if message.get("id") == 4:
                    assert message["result"] is True
                    break
            await ws.send_str("garbage")
            while (message := await ws.receive_json(timeout=10)).get("method"):
                pass
            assert message["error"]["code"] == -32700
            await ws.send_json(req(5, "author_submitExtrinsic", [xt]))
            while (message := await ws.receive_json(timeout=10)).get("method"):
                pass
            assert message["error"]["code"] in (1010, 1012)  # outdated, or banned as just included
        assert (await client.call("system_accountNextIndex", "0x" + "00" * 32))["result"] == 0
        await asyncio.sleep(0)

    run_with_client(fake_chain, body)
