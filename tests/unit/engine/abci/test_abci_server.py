"""The ABCI server over a real loopback socket, with the key=value example application."""

from __future__ import annotations

import asyncio
import pathlib
from collections.abc import Awaitable, Callable

import pytest

from phalanx.engine.abci.errors import InvalidAddress
from phalanx.engine.abci.framing import FrameDecoder, encode_frame, encode_uvarint
from phalanx.engine.abci.kvstore import KvStoreApp, compute_app_hash
from phalanx.engine.abci.proto.tendermint.abci import types_pb2 as pb
from phalanx.engine.abci.server import AbciServer, ListenAddress, parse_listen_address
from phalanx.engine.abci.types import CommitResponse, InfoRequest

DEADLINE = 10.0


class Client:
    """A minimal ABCI peer: writes requests, reads framed responses."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer, self.decoder = reader, writer, FrameDecoder()

    async def call(self, *requests: pb.Request) -> list[pb.Response]:
        for request in (*requests, pb.Request(flush=pb.RequestFlush())):
            self.writer.write(encode_frame(request.SerializeToString()))
        await self.writer.drain()
        responses: list[pb.Response] = []
        while len(responses) < len(requests) + 1:
            frame = self.decoder.next_frame()
            if frame is None:
                data = await asyncio.wait_for(self.reader.read(65536), DEADLINE)
                if not data:
                    raise ConnectionError("server closed the connection")
                self.decoder.feed(data)
                continue
            responses.append(pb.Response.FromString(frame))
        assert responses[-1].WhichOneof("value") == "flush"
        return responses[:-1]

    async def closed_by_server(self) -> bool:
        data = await asyncio.wait_for(self.reader.read(65536), DEADLINE)
        return data == b""

    def close(self) -> None:
        self.writer.close()


async def _connect(address: ListenAddress) -> Client:
    if address.scheme == "unix":
        reader, writer = await asyncio.open_unix_connection(address.path)
    else:
        reader, writer = await asyncio.open_connection(address.host, address.port)
    return Client(reader, writer)


def _run(tmp_path: pathlib.Path, body: Callable[[AbciServer, ListenAddress], Awaitable[None]],
         app: KvStoreApp | None = None, listen: str = "tcp://127.0.0.1:0") -> None:
    async def main() -> None:
        server = AbciServer(app or KvStoreApp(str(tmp_path / "kv.json")))
        address = await server.start(listen)
        try:
            await asyncio.wait_for(body(server, address), DEADLINE * 3)
        finally:
            await server.close()

    asyncio.run(main())


def _finalize(height: int, *txs: bytes) -> pb.Request:
    return pb.Request(finalize_block=pb.RequestFinalizeBlock(txs=list(txs), height=height))


def test_parse_listen_address() -> None:
    assert parse_listen_address("tcp://127.0.0.1:26658") == ListenAddress("tcp", "127.0.0.1", 26658)
    assert parse_listen_address("unix:///tmp/app.sock") == ListenAddress("unix", path="/tmp/app.sock")
    assert str(parse_listen_address("tcp://[::1]:5")) == "tcp://[::1]:5"
    for bad in ("127.0.0.1:26658", "tcp://127.0.0.1", "http://x:1", "tcp://:1", "tcp://h:99999"):
        with pytest.raises(InvalidAddress):
            parse_listen_address(bad)


def test_block_lifecycle_and_query(tmp_path: pathlib.Path) -> None:
    async def body(server: AbciServer, address: ListenAddress) -> None:
        consensus, query = await _connect(address), await _connect(address)
        (echo, info) = await consensus.call(pb.Request(echo=pb.RequestEcho(message="hi")),
                                            pb.Request(info=pb.RequestInfo()))
        assert echo.echo.message == "hi"
        assert info.info.last_block_height == 0
        (init,) = await consensus.call(pb.Request(init_chain=pb.RequestInitChain(chain_id="t")))
        assert init.init_chain.app_hash == compute_app_hash({})
        (ok, bad) = await query.call(pb.Request(check_tx=pb.RequestCheckTx(tx=b"a=1")),
                                     pb.Request(check_tx=pb.RequestCheckTx(tx=b"nokey")))
        assert (ok.check_tx.code, bad.check_tx.code) == (0, 1)
        (final, commit) = await consensus.call(_finalize(1, b"a=1", b"junk", b"b=2"),
                                               pb.Request(commit=pb.RequestCommit()))
        assert [r.code for r in final.finalize_block.tx_results] == [0, 1, 0]
        assert final.finalize_block.app_hash == compute_app_hash({"a": "1", "b": "2"})
        assert final.finalize_block.tx_results[0].events[0].attributes[0].value == "a"
        assert commit.WhichOneof("value") == "commit"
        (found, missing) = await query.call(pb.Request(query=pb.RequestQuery(data=b"b")),
                                            pb.Request(query=pb.RequestQuery(data=b"zz")))
        assert (found.query.value, found.query.height, missing.query.code) == (b"2", 1, 2)
        (snap, offer) = await query.call(pb.Request(list_snapshots=pb.RequestListSnapshots()),
                                         pb.Request(offer_snapshot=pb.RequestOfferSnapshot()))
        assert list(snap.list_snapshots.snapshots) == []
        assert offer.offer_snapshot.result == pb.ResponseOfferSnapshot.REJECT
        consensus.close()
        query.close()

    _run(tmp_path, body)
    reopened = KvStoreApp(str(tmp_path / "kv.json"))
    assert reopened.info(InfoRequest()).last_block_height == 1


@pytest.mark.parametrize(
    "garbage",
    [b"\xff" * 11, encode_uvarint(1 << 40), encode_frame(b"\xff\xff\xff"), encode_frame(b"")],
    ids=["overlong-varint", "huge-frame", "not-protobuf", "empty-request"],
)
def test_malformed_input_closes_only_that_connection(tmp_path: pathlib.Path, garbage: bytes) -> None:
    async def body(server: AbciServer, address: ListenAddress) -> None:
        bystander, offender = await _connect(address), await _connect(address)
        offender.writer.write(garbage)
        await offender.writer.drain()
        assert await offender.closed_by_server()
        (echo,) = await bystander.call(pb.Request(echo=pb.RequestEcho(message="still here")))
        assert echo.echo.message == "still here"
        fresh = await _connect(address)
        (echo,) = await fresh.call(pb.Request(echo=pb.RequestEcho(message="new")))
        assert echo.echo.message == "new"
        for client in (bystander, offender, fresh):
            client.close()

    _run(tmp_path, body)


class FailingCommit(KvStoreApp):
    def commit(self) -> CommitResponse:
        raise OSError("disk full")


def test_application_failure_answers_exception_and_closes(tmp_path: pathlib.Path) -> None:
    async def body(server: AbciServer, address: ListenAddress) -> None:
        client = await _connect(address)
        for request in (_finalize(1, b"a=1"), pb.Request(commit=pb.RequestCommit())):
            client.writer.write(encode_frame(request.SerializeToString()))
        await client.writer.drain()
        stream = b""
        while data := await asyncio.wait_for(client.reader.read(65536), DEADLINE):
            stream += data
        decoder = FrameDecoder()
        decoder.feed(stream)
        kinds = []
        while (frame := decoder.next_frame()) is not None:
            kinds.append(pb.Response.FromString(frame))
        assert [r.WhichOneof("value") for r in kinds] == ["finalize_block", "exception"]
        assert "disk full" in kinds[1].exception.error
        client.close()

    _run(tmp_path, body, app=FailingCommit(str(tmp_path / "kv.json")))


def test_unix_socket(tmp_path: pathlib.Path) -> None:
    async def body(server: AbciServer, address: ListenAddress) -> None:
        client = await _connect(address)
        (echo,) = await client.call(pb.Request(echo=pb.RequestEcho(message="unix")))
        assert echo.echo.message == "unix"
        client.close()

    _run(tmp_path, body, listen=f"unix://{tmp_path / 'abci.sock'}")
