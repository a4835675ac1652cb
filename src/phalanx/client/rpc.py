"""A small JSON-RPC 2.0 websocket client for phalanx (and any Substrate) nodes.

    async with RpcClient.connect("ws://127.0.0.1:9944") as rpc:
        head = await rpc.request("chain_getHeader")
        async with rpc.subscribe("chain_subscribeNewHeads", [], "chain_unsubscribeNewHeads") as heads:
            async for header in heads: ...

Answers are matched to requests by id, so many requests may be in flight on one connection;
notifications go to their subscription's queue. Error answers raise `RpcRequestError` with the
node's code, message and data.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp

from phalanx.errors import PhalanxError

DEFAULT_RPC_URL = "ws://127.0.0.1:9944"


class ClientError(PhalanxError):
    """Base class of client errors."""

    module = "client"
    code = 0


class ConnectionFailed(ClientError):
    """The node cannot be reached, or the connection dropped."""

    code = 1


class RpcRequestError(ClientError):
    """The node answered with a JSON-RPC error."""

    code = 2

    def __init__(self, rpc_code: int, message: str, data: Any = None) -> None:
        text = f"{message} ({rpc_code})" + (f": {data}" if data is not None else "")
        super().__init__(text)
        self.rpc_code = rpc_code
        self.rpc_message = message
        self.data = data


class Subscription:
    """The notifications of one subscription; iterate to receive results in order."""

    def __init__(self, subscription_id: str) -> None:
        self.id = subscription_id
        self.queue: asyncio.Queue[Any] = asyncio.Queue()

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Any:
        item = await self.queue.get()
        if isinstance(item, ConnectionFailed):
            raise item
        return item


class RpcClient:
    """One websocket connection to a node."""

    def __init__(self, session: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._session = session
        self._ws = ws
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._subscriptions: dict[str, Subscription] = {}
        self._early: dict[str, list[Any]] = {}
        self._reader = asyncio.create_task(self._read())

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(cls, url: str = DEFAULT_RPC_URL, timeout: float = 10.0) -> AsyncIterator[RpcClient]:
        """`async with RpcClient.connect(url) as rpc:`; raises ConnectionFailed if the node is unreachable."""
        session = aiohttp.ClientSession()
        try:
            try:
                ws = await session.ws_connect(url, timeout=aiohttp.ClientWSTimeout(ws_close=timeout),
                                              max_msg_size=64 * 1024 * 1024)
            except (TimeoutError, aiohttp.ClientError, OSError) as error:
                raise ConnectionFailed(f"cannot connect to {url}: {error}") from None
            client = cls(session, ws)
            try:
                yield client
            finally:
                await client.close()
        finally:
            await session.close()

    async def close(self) -> None:
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
        await self._ws.close()

    async def _read(self) -> None:
        try:
            async for message in self._ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    continue
                data = json.loads(message.data)
                for item in data if isinstance(data, list) else [data]:
                    self._route(item)
        finally:
            failure = ConnectionFailed("the connection to the node closed")
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(failure)
            for subscription in self._subscriptions.values():
                subscription.queue.put_nowait(failure)

    def _route(self, item: dict[str, Any]) -> None:
        if "id" in item and item["id"] in self._pending:
            future = self._pending.pop(item["id"])
            if future.done():
                return
            if "error" in item:
                error = item["error"]
                code, text = error.get("code", 0), error.get("message", "")
                future.set_exception(RpcRequestError(code, text, error.get("data")))
            else:
                future.set_result(item.get("result"))
            return
        params = item.get("params")
        if isinstance(params, dict) and "subscription" in params:
            subscription = self._subscriptions.get(params["subscription"])
            if subscription is not None:
                subscription.queue.put_nowait(params.get("result"))
            else:  # a notification that raced ahead of its subscription id
                self._early.setdefault(params["subscription"], []).append(params.get("result"))

    async def request(self, method: str, params: list[Any] | None = None, timeout: float = 60.0) -> Any:
        """The result of one call. Raises RpcRequestError for an error answer, ConnectionFailed if the
        connection is lost, TimeoutError without an answer within `timeout` seconds."""
        request_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        payload = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params or []}
        try:
            await self._ws.send_str(json.dumps(payload))
        except (ConnectionError, RuntimeError) as error:
            self._pending.pop(request_id, None)
            raise ConnectionFailed(f"cannot send to the node: {error}") from None
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self._pending.pop(request_id, None)  # answered, or timed out: nothing waits for it any more

    @contextlib.asynccontextmanager
    async def subscribe(self, method: str, params: list[Any],
                        unsubscribe: str) -> AsyncIterator[Subscription]:
        subscription_id = await self.request(method, params)
        subscription = Subscription(str(subscription_id))
        self._subscriptions[subscription.id] = subscription
        for result in self._early.pop(subscription.id, []):
            subscription.queue.put_nowait(result)
        try:
            yield subscription
        finally:
            self._subscriptions.pop(subscription.id, None)
            if not self._ws.closed:
                with contextlib.suppress(ClientError, asyncio.TimeoutError):
                    await self.request(unsubscribe, [subscription.id], timeout=5.0)
