"""The ABCI socket server: CometBFT connects (TCP or unix socket) and sends length-prefixed requests.

CometBFT opens four connections (consensus, mempool, info, snapshot) and on each sends requests
followed by a Flush, expecting the responses in the same order. Each connection is read by its
own task; the application is called synchronously on the event loop, so calls never overlap.

A peer that sends a broken frame or a request naming no method is logged and disconnected; the
process and the other connections go on. An application that raises gets an ABCI exception sent
back and the connection closed, since CometBFT must not continue past a failed block.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from dataclasses import dataclass

from google.protobuf.message import DecodeError

from phalanx.engine.abci.application import Application
from phalanx.engine.abci.dispatch import handle_request
from phalanx.engine.abci.errors import AbciError, InvalidAddress, MalformedFrame
from phalanx.engine.abci.framing import DEFAULT_MAX_FRAME_BYTES, FrameDecoder, encode_frame
from phalanx.engine.abci.proto.tendermint.abci import types_pb2 as pb

log = logging.getLogger("phalanx.engine.abci")

READ_CHUNK = 64 * 1024


@dataclass(frozen=True)
class ListenAddress:
    """Where the server listens: `tcp://HOST:PORT` (port 0 picks a free one) or `unix://PATH`."""

    scheme: str
    host: str = ""
    port: int = 0
    path: str = ""

    def __str__(self) -> str:
        if self.scheme == "unix":
            return f"unix://{self.path}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"tcp://{host}:{self.port}"


def parse_listen_address(text: str) -> ListenAddress:
    """Parse `tcp://HOST:PORT` or `unix://PATH` (CometBFT's `proxy_app` syntax)."""
    scheme, sep, rest = text.partition("://")
    if not sep or scheme not in ("tcp", "unix") or not rest:
        raise InvalidAddress(f"listen address {text!r} is neither tcp://HOST:PORT nor unix://PATH")
    if scheme == "unix":
        return ListenAddress(scheme="unix", path=rest)
    host, colon, port = rest.rpartition(":")
    if not colon or not port.isdigit() or not host or int(port) > 65535:
        raise InvalidAddress(f"listen address {text!r} needs a host and a port, e.g. tcp://127.0.0.1:26658")
    return ListenAddress(scheme="tcp", host=host.strip("[]"), port=int(port))


def decode_request(frame: bytes) -> pb.Request:
    try:
        request: pb.Request = pb.Request.FromString(frame)
    except DecodeError as exc:
        raise MalformedFrame(f"frame of {len(frame)} bytes is not an ABCI Request: {exc}") from exc
    return request


class AbciServer:
    """Serves one `Application` to CometBFT over ABCI 2.0 sockets."""

    def __init__(self, app: Application, *, max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES) -> None:
        self._app = app
        self._max_frame_bytes = max_frame_bytes
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self.address: ListenAddress | None = None

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    async def start(self, address: str | ListenAddress) -> ListenAddress:
        """Start listening; returns the bound address (with the real port when 0 was asked)."""
        where = parse_listen_address(address) if isinstance(address, str) else address
        if where.scheme == "unix":
            with contextlib.suppress(FileNotFoundError):
                os.unlink(where.path)
            self._server = await asyncio.start_unix_server(self._on_connection, path=where.path)
            self.address = where
        else:
            self._server = await asyncio.start_server(self._on_connection, host=where.host, port=where.port)
            port = self._server.sockets[0].getsockname()[1]
            self.address = ListenAddress(scheme="tcp", host=where.host, port=int(port))
        log.info("abci: listening on %s", self.address)
        return self.address

    async def serve_forever(self) -> None:
        if self._server is None:
            raise RuntimeError("AbciServer.start must be awaited before serve_forever")
        await self._server.serve_forever()

    async def close(self) -> None:
        """Stop accepting, drop every connection and wait until they are gone."""
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def _on_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        peer = writer.get_extra_info("peername") or "unix socket"
        log.debug("abci: connection from %s", peer)
        try:
            await self._serve(reader, writer)
        except AbciError as err:
            log.error("abci: closing connection from %s: %s (%s:%d)", peer, err.message, err.module, err.code)
        except (ConnectionError, asyncio.IncompleteReadError):
            log.debug("abci: connection from %s dropped", peer)
        except asyncio.CancelledError:
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            if task is not None:
                self._connections.discard(task)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        decoder = FrameDecoder(self._max_frame_bytes)
        while data := await reader.read(READ_CHUNK):
            decoder.feed(data)
            while (frame := decoder.next_frame()) is not None:
                request = decode_request(frame)
                try:
                    response = handle_request(self._app, request)
                except AbciError:
                    raise
                except Exception as exc:
                    log.exception("abci: application failed on %s", request.WhichOneof("value"))
                    error = pb.ResponseException(error=f"{type(exc).__name__}: {exc}")
                    failure = pb.Response(exception=error)
                    writer.write(encode_frame(failure.SerializeToString()))
                    await writer.drain()
                    return
                writer.write(encode_frame(response.SerializeToString()))
            await writer.drain()
        if decoder.buffered:
            raise MalformedFrame(f"connection closed inside a frame ({decoder.buffered} bytes pending)")
