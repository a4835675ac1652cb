"""RPC limits over a fake chain: unread answers bounded in bytes, batch answers capped, subscriptions
and watched storage keys capped per connection and per node, storage notifications from the keys a
block wrote."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from phalanx.node.backend import ChainBackend
from phalanx.node.config import DevConfig
from phalanx.node.errors import ConfigError
from phalanx.node.pool import TransactionPool
from phalanx.node.rpc.api import SubstrateApi
from phalanx.node.rpc.limits import BATCH_ANSWER_TOO_LARGE, TOO_MANY_SUBSCRIPTIONS, RpcLimits
from phalanx.node.rpc.protocol import Call, JsonValue, handle_payload
from phalanx.node.rpc.session import Session
from phalanx.node.service import DevNode
from tests.support.fake_chain import NOW_KEY, FakeChain

pytestmark = pytest.mark.timeout(60)


async def start_node(chain: FakeChain, rpc: RpcLimits | None = None) -> DevNode:
    """A node that seals only when the test calls `node.engine.seal_block()`."""
    def open_chain(_config: DevConfig) -> tuple[ChainBackend, Any]:
        return chain, lambda: None

    node = DevNode(DevConfig(base_path=None, rpc_port=0, block_time=3600, rpc=rpc or RpcLimits()), open_chain)
    await node.start()
    return node


def req(request_id: int, method: str, params: list[Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}


def test_unread_answers_past_the_byte_bound_disconnect() -> None:
    async def main() -> None:
        aborted: list[bool] = []
        session = Session(True, RpcLimits(max_outbox_bytes=1000, max_batch_answer_bytes=1000),
                          abort=lambda: aborted.append(True))
        cancelled: list[str] = []
        session.add_subscription("s", lambda: cancelled.append("s"))
        for _ in range(9):
            session.send_text("x" * 100)
        assert session.outbox_bytes == 900 and not session.closed
        session.take(session.outbox.get_nowait())
        session.send_text("y" * 200)  # 1000 bytes: still within
        assert not session.closed
        session.send_text("z")
        assert session.closed and aborted == [True] and cancelled == ["s"]
        assert session.outbox_bytes == 0 and session.outbox.get_nowait() is None  # unread answers let go

    asyncio.run(main())


def test_a_batch_answer_past_its_cap_is_one_error() -> None:
    calls: list[str] = []

    async def handler(call: Call) -> JsonValue:
        calls.append(call.method)
        return "m" * 1000

    limits = RpcLimits(max_batch_answer_bytes=10_000)
    batch = json.dumps([req(i, "big", []) for i in range(50)])
    answer = json.loads(asyncio.run(handle_payload(batch, handler, limits)) or "null")
    assert answer["id"] is None and answer["error"]["code"] == BATCH_ANSWER_TOO_LARGE
    assert "10000 bytes" in answer["error"]["data"]
    assert len(calls) < 11  # it stopped at the limit instead of answering all 50
    small = json.dumps([req(i, "big", []) for i in range(5)])
    answers = json.loads(asyncio.run(handle_payload(small, handler, limits)) or "null")
    assert [a["id"] for a in answers] == [0, 1, 2, 3, 4]


def test_limits_are_checked_at_start_up() -> None:
    with pytest.raises(ConfigError, match="max_subscriptions"):
        DevConfig(rpc=RpcLimits(max_subscriptions=0)).check()
    with pytest.raises(ConfigError, match="outbox"):
        DevConfig(rpc=RpcLimits(max_outbox_bytes=10, max_batch_answer_bytes=20)).check()


class Socket:
    """A websocket that keeps notifications aside while waiting for answers."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.notifications: list[dict[str, Any]] = []
        self._next_id = 0

    async def call(self, method: str, *params: Any) -> dict[str, Any]:
        self._next_id += 1
        await self.ws.send_json(req(self._next_id, method, list(params)))
        while True:
            message = await self.ws.receive_json(timeout=10)
            if message.get("id") == self._next_id:
                return dict(message)
            self.notifications.append(message)

    async def storage_notification(self, subscription: str) -> dict[str, Any]:
        while True:
            for message in self.notifications:
                if message["params"]["subscription"] == subscription:
                    self.notifications.remove(message)
                    return dict(message["params"]["result"])
            self.notifications.append(await self.ws.receive_json(timeout=10))


def hex_keys(count: int, salt: str) -> list[str]:
    return ["0x" + f"{salt}:{index}".encode().hex() for index in range(count)]


def test_subscriptions_and_watched_keys_are_capped_per_connection_and_per_node(fake_chain: FakeChain) -> None:
    limits = RpcLimits(max_subscriptions_per_connection=4, max_subscriptions=6,
                       max_storage_keys_per_connection=50, max_storage_keys=80)

    async def main() -> None:
        node = await start_node(fake_chain, limits)
        try:
            async with aiohttp.ClientSession() as http:
                async with http.ws_connect(node.rpc_url) as one_ws, http.ws_connect(node.rpc_url) as two_ws:
                    one, two = Socket(one_ws), Socket(two_ws)
                    first = (await one.call("state_subscribeStorage", hex_keys(50, "a")))["result"]
                    refused = await one.call("state_subscribeStorage", hex_keys(1, "b"))
                    assert refused["error"]["code"] == TOO_MANY_SUBSCRIPTIONS
                    assert "watch 50 storage keys" in refused["error"]["data"]
                    for _ in range(3):
                        assert "result" in await one.call("chain_subscribeNewHeads")
                    refused = await one.call("chain_subscribeNewHeads")
                    assert "4 subscriptions" in refused["error"]["data"]
                    assert "result" in await two.call("state_subscribeStorage", hex_keys(30, "c"))
                    refused = await two.call("state_subscribeStorage", hex_keys(1, "d"))
                    assert "limit of 80 storage keys" in refused["error"]["data"]
                    assert "result" in await two.call("chain_subscribeNewHeads")
                    refused = await two.call("chain_subscribeNewHeads")  # 6 on the node
                    assert "limit of 6 subscriptions" in refused["error"]["data"]
                    assert (await one.call("state_unsubscribeStorage", first))["result"] is True
                    assert "result" in await two.call("state_subscribeStorage", hex_keys(20, "e"))
                assert node.api is not None
                await asyncio.sleep(0)  # let the server see both connections close
                for _ in range(100):
                    if node.api.subscription_count == 0:
                        break
                    await asyncio.sleep(0.05)
                assert node.api.subscription_count == 0 and node.api.watched_key_count == 0
        finally:
            await node.close()

    asyncio.run(main())


class CountingChain(FakeChain):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def state_get(self, key: bytes, at: bytes | None = None) -> bytes | None:
        self.reads += 1
        return super().state_get(key, at)


def test_storage_notifications_come_from_the_keys_a_block_wrote() -> None:
    chain = CountingChain()

    async def main() -> None:
        node = await start_node(chain)
        assert node.engine is not None
        try:
            async with aiohttp.ClientSession() as http, http.ws_connect(node.rpc_url) as ws:
                socket = Socket(ws)
                watched = ["0x" + NOW_KEY.hex(), "0x" + b"nonce:a".hex(), *hex_keys(998, "idle")]
                subscription = (await socket.call("state_subscribeStorage", watched))["result"]
                initial = await socket.storage_notification(subscription)
                assert len(initial["changes"]) == 1000  # every key's value (None when absent), as before
                assert initial["changes"][1] == ["0x" + b"nonce:a".hex(), None]
                fake_chain_submit = await socket.call("author_submitExtrinsic", "0x" + b"XTa\x00\x01".hex())
                assert "result" in fake_chain_submit
                before = chain.reads
                node.engine.seal_block()
                reads = chain.reads - before
                changed = await socket.storage_notification(subscription)
                assert [change[0] for change in changed["changes"]] == watched[:2]  # only what changed
                assert changed["changes"][1][1] == "0x01"
                assert reads < 20  # not one read per watched key
                node.engine.seal_block()
                assert [c[0] for c in (await socket.storage_notification(subscription))["changes"]] \
                    == watched[:1]  # the nonce did not change again
        finally:
            await node.close()

    asyncio.run(main())


def test_a_session_dropped_by_a_notification_loses_its_other_subscriptions_cleanly() -> None:
    async def main() -> None:
        chain = FakeChain()
        api = SubstrateApi(chain, TransactionPool(chain.validate_transaction), name="phalanx", version="0")
        session = Session(True, RpcLimits(max_outbox_bytes=400, max_batch_answer_bytes=400))
        now = "0x" + NOW_KEY.hex()
        for request_id in (1, 2, 3):  # their initial values are not sent: nothing runs the deferred
            await api.dispatch(session, Call("state_subscribeStorage", [[now]], request_id, False))
        assert api.subscription_count == 3 and api.watched_key_count == 3
        built = chain.build_block(chain.best_hash(), 1_000, [])
        chain.commit(built)
        api.block_imported(built.hash, True, built.changed_keys)  # one fits, the next overflows
        assert session.closed and api.subscription_count == 0 and api.watched_key_count == 0

    asyncio.run(main())


def test_the_server_drops_a_connection_past_its_outbox_and_serves_the_next(fake_chain: FakeChain) -> None:
    # A batch's answer and its subscriptions' initial values are queued before the writer runs.
    limits = RpcLimits(max_outbox_bytes=700, max_batch_answer_bytes=500)

    async def main() -> None:
        node = await start_node(fake_chain, limits)
        assert node.api is not None and node.server is not None
        try:
            async with aiohttp.ClientSession() as http:
                async with http.ws_connect(node.rpc_url) as ws:
                    keys = [["0x" + b"balance:a".hex()]]
                    await ws.send_json([req(i, "state_subscribeStorage", keys) for i in range(3)])
                    message = await ws.receive(timeout=10)
                    assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED,
                                            aiohttp.WSMsgType.ERROR), message
                for _ in range(100):  # the server's handler finishes on its own
                    if not node.server._sessions:
                        break
                    await asyncio.sleep(0.05)
                assert not node.server._sessions and node.api.subscription_count == 0
                async with http.ws_connect(node.rpc_url) as ws:
                    socket = Socket(ws)
                    assert (await socket.call("system_name"))["result"] == "phalanx"
        finally:
            await node.close()

    asyncio.run(main())
