"""`state_getProof` and `state_getReadProof` over a real runtime: proofs that verify against the block's
state root (also of an earlier block), absent keys, bad parameters and unknown blocks."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from phalanx.chain import Blockchain
from phalanx.codec import Bytes, Option, Tuple
from phalanx.crypto.keys import Keypair
from phalanx.engine.dev import DevEngine
from phalanx.node.pool import TransactionPool
from phalanx.node.rpc.api import CLIENT_ERROR, SubstrateApi
from phalanx.node.rpc.protocol import Call, RpcError
from phalanx.node.rpc.session import Session
from phalanx.runtime import ChainSpec
from phalanx.runtime.modules.system import declarations as system_d
from phalanx.storage import Database
from phalanx.storage.proof import verify_proof
from phalanx.tee.enclave.chain import PROOF_BUNDLE

ENTRY = Tuple(Bytes, Option(Bytes), Bytes)
NUMBER_KEY = system_d.Number.key
ABSENT_KEY = b"\x99" * 40


@pytest.fixture
def node() -> Iterator[tuple[Blockchain, SubstrateApi, DevEngine]]:
    db = Database.temporary()
    try:
        runtime = Blockchain(db, ChainSpec.development())
        pool = TransactionPool(runtime.validate_transaction)
        engine = DevEngine(runtime, pool, Keypair.from_suri("//Alice"), clock=lambda: 1_000)
        yield runtime, SubstrateApi(runtime, pool, name="test", version="0"), engine
    finally:
        db.close()


def call(api: SubstrateApi, method: str, *params: Any) -> Any:
    return asyncio.run(api.dispatch(Session(False), Call(method, list(params), 1, False)))


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


def test_state_get_proof_verifies_against_each_blocks_state_root(
    node: tuple[Blockchain, SubstrateApi, DevEngine],
) -> None:
    runtime, api, engine = node
    first = engine.seal_block()
    engine.seal_block()
    for at, number in ((None, 2), (first.hash, 1)):
        raw = call(
            api, "state_getProof", [_hex(NUMBER_KEY), _hex(ABSENT_KEY)], None if at is None else _hex(at)
        )
        entries = PROOF_BUNDLE.decode(bytes.fromhex(raw[2:]))
        assert [key for key, _, _ in entries] == [NUMBER_KEY, ABSENT_KEY]
        header = runtime.header(at or runtime.best_hash())
        assert header is not None
        (_, value, proof), (_, absent, absent_proof) = entries
        assert value == number.to_bytes(4, "little") and absent is None
        verify_proof(header.state_root, NUMBER_KEY, value, proof)
        verify_proof(header.state_root, ABSENT_KEY, None, absent_proof)


def test_state_get_read_proof_has_substrates_shape(node: tuple[Blockchain, SubstrateApi, DevEngine]) -> None:
    runtime, api, engine = node
    engine.seal_block()
    answer = call(api, "state_getReadProof", [_hex(NUMBER_KEY)], None)
    assert answer["at"] == _hex(runtime.best_hash()) and len(answer["proof"]) == 1
    key, value, proof = ENTRY.decode(bytes.fromhex(answer["proof"][0][2:]))
    header = runtime.header(runtime.best_hash())
    assert header is not None and key == NUMBER_KEY
    verify_proof(header.state_root, key, value, proof)


@pytest.mark.parametrize(
    "params",
    [[], ["0x00"], [["zz"]], [[1]], [["0x00"], "0x1234"], [["0x00"] * 1001]],
)
def test_invalid_parameters_are_refused(
    node: tuple[Blockchain, SubstrateApi, DevEngine], params: list[Any]
) -> None:
    _, api, _ = node
    for method in ("state_getProof", "state_getReadProof"):
        with pytest.raises(RpcError) as info:
            call(api, method, *params)
        assert info.value.rpc_code == -32602


def test_unknown_block_is_a_clear_client_error(node: tuple[Blockchain, SubstrateApi, DevEngine]) -> None:
    _, api, _ = node
    with pytest.raises(RpcError) as info:
        call(api, "state_getProof", [_hex(NUMBER_KEY)], _hex(b"\x42" * 32))
    assert info.value.rpc_code == CLIENT_ERROR and "UnknownBlock" in str(info.value.data)
