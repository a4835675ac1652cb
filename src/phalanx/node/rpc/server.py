"""The RPC server: JSON-RPC 2.0 over websocket and HTTP POST on one port (aiohttp).

`GET /` with an upgrade header opens a websocket (subscriptions live there); `POST /` answers one
request or a batch. Requests larger than `RpcLimits.max_request_bytes` are refused (HTTP 413, or a
websocket close with "message too big"); anything else malformed gets a JSON-RPC error and the server
goes on. A websocket client that leaves `max_outbox_bytes` of answers unread is disconnected (see
`phalanx.node.rpc.session`); the other clients are not affected.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import WSMsgType, web

from phalanx.node.rpc.api import SubstrateApi
from phalanx.node.rpc.limits import RpcLimits
from phalanx.node.rpc.protocol import Call, JsonValue, handle_payload
from phalanx.node.rpc.session import Session

log = logging.getLogger(__name__)


class RpcServer:
    """Serves `api` on `host:port` (port 0 picks a free port; `port` holds the bound one after start)."""

    def __init__(self, api: SubstrateApi, host: str = "127.0.0.1", port: int = 9944,
                 limits: RpcLimits | None = None) -> None:
        self.api = api
        self.host = host
        self.port = port
        self.limits = limits or RpcLimits()
        self._runner: web.AppRunner | None = None
        self._sessions: set[Session] = set()

    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=self.limits.max_request_bytes)
        app.router.add_get("/", self._get)
        app.router.add_post("/", self._post)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or ()
        for sock in sockets:
            self.port = int(sock.getsockname()[1])
            break

    async def stop(self) -> None:
        for session in list(self._sessions):
            session.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _answer(self, session: Session, raw: str | bytes) -> None:
        async def handler(call: Call) -> JsonValue:
            return await self.api.dispatch(session, call)

        answer = await handle_payload(raw, handler, self.limits)
        if answer is not None:
            session.send_text(answer)
        session.run_deferred()

    async def _post(self, request: web.Request) -> web.StreamResponse:
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return web.json_response(
                {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Request too large"}, "id": None},
                status=413)
        session = Session(websocket=False, limits=self.limits)
        await self._answer(session, raw)
        texts = []
        while not session.outbox.empty():
            text = session.outbox.get_nowait()
            if text is not None:
                texts.append(text)
        body = texts[0] if texts else ""
        return web.Response(text=body, content_type="application/json")

    async def _get(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() != "websocket":
            return web.Response(text="phalanx JSON-RPC: POST a request or open a websocket\n")
        if len(self._sessions) >= self.limits.max_connections:
            return web.Response(status=503, text="too many connections\n")
        ws = web.WebSocketResponse(max_msg_size=self.limits.max_request_bytes, heartbeat=30.0)
        await ws.prepare(request)
        transport = request.transport
        session = Session(websocket=True, limits=self.limits,
                          abort=None if transport is None else transport.abort)
        self._sessions.add(session)
        writer = asyncio.create_task(self._write(ws, session))
        try:
            async for message in ws:
                if message.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    await self._answer(session, message.data)
                elif message.type == WSMsgType.ERROR:
                    break
                if session.closed:
                    break
        finally:
            session.close()
            self._sessions.discard(session)
            with contextlib.suppress(asyncio.CancelledError):
                await writer
            await ws.close()
        return ws

    async def _write(self, ws: web.WebSocketResponse, session: Session) -> None:
        while True:
            text = await session.outbox.get()
            session.take(text)
            if text is None:
                return
            try:
                await ws.send_str(text)
            except (ConnectionError, RuntimeError):
                session.close()
                return
