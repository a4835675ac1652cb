"""A websocket JSON-RPC connection for attack tests: batches, answers by id, notifications kept per
subscription, and waits that end at a deadline."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import aiohttp

DEADLINE = 120.0


def request(request_id: int, method: str, params: list[Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}


class RpcSocket:
    """One websocket; a reader task files every message it receives."""

    def __init__(self, http: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.http, self.ws = http, ws
        self.answers: dict[int, dict[str, Any]] = {}
        self.notifications: dict[str, list[Any]] = {}
        self._next_id = 0
        self._arrived = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(cls, url: str) -> Any:
        async with aiohttp.ClientSession() as http, http.ws_connect(url, max_msg_size=0) as ws:
            socket = cls(http, ws)
            try:
                yield socket
            finally:
                socket._reader.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await socket._reader

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            decoded = message.json()
            for item in decoded if isinstance(decoded, list) else [decoded]:
                if "id" in item:
                    self.answers[item["id"]] = item
                elif "params" in item:
                    params = item["params"]
                    self.notifications.setdefault(params["subscription"], []).append(params["result"])
            self._arrived.set()

    async def until(self, done: Callable[[], bool], what: str, deadline_s: float = DEADLINE) -> None:
        """Wait for messages until `done()`; TimeoutError naming `what` after `deadline_s`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + deadline_s
        while not done():
            if self._reader.done():
                raise ConnectionError(f"the connection closed while waiting for {what}")
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"no {what} within {deadline_s:.0f} s")
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)

    async def batch(self, calls: list[tuple[str, list[Any]]]) -> list[dict[str, Any]]:
        """Send `calls` as one batch; their answers in the same order."""
        ids = list(range(self._next_id + 1, self._next_id + 1 + len(calls)))
        self._next_id += len(calls)
        await self.ws.send_json([request(i, method, params)
                                 for i, (method, params) in zip(ids, calls, strict=True)])
        await self.until(lambda: all(i in self.answers for i in ids), f"answers to a batch of {len(calls)}")
        return [self.answers.pop(i) for i in ids]

    async def call(self, method: str, *params: Any) -> dict[str, Any]:
        """The whole answer (`result` or `error`) to one request."""
        return (await self.batch([(method, list(params))]))[0]

    async def result(self, method: str, *params: Any) -> Any:
        answer = await self.call(method, *params)
        if "result" not in answer:
            raise AssertionError(f"{method} failed: {answer}")
        return answer["result"]
