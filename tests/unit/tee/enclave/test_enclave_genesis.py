"""A fresh enclave takes the genesis block (believed by its hash, read with proofs) before block 1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from phalanx.runtime.block import Header
from phalanx.storage import EMPTY_ROOT, Database
from phalanx.tee.enclave.chain import verify_block
from phalanx.tee.enclave.errors import BlockNotLinked, BlockReplayed
from phalanx.wire.enclave_protocol import PRE_GENESIS_HASH, BlockInput
from tests.support.synthetic_chain import SyntheticChain


@pytest.fixture
def chain() -> Iterator[SyntheticChain]:
    db = Database.temporary()
    try:
        yield SyntheticChain(db)
    finally:
        db.close()


def genesis_input(chain: SyntheticChain) -> BlockInput:
    return BlockInput(chain.headers[0].encode(), b"", chain.prove(EMPTY_ROOT))


def test_genesis_first_then_block_one(chain: SyntheticChain) -> None:
    first = chain.add_block()
    genesis = verify_block(chain.trust, 0, PRE_GENESIS_HASH, genesis_input(chain))
    assert (genesis.number, genesis.hash, genesis.messages) == (0, chain.genesis_hash, ())
    assert verify_block(chain.trust, 0, genesis.hash, first).number == 1
    with pytest.raises(BlockReplayed):  # genesis is applied once
        verify_block(chain.trust, 0, genesis.hash, genesis_input(chain))


def test_block_one_may_come_first(chain: SyntheticChain) -> None:
    assert verify_block(chain.trust, 0, PRE_GENESIS_HASH, chain.add_block()).number == 1


def test_another_genesis_is_refused(chain: SyntheticChain) -> None:
    other = Header(bytes(32), 0, EMPTY_ROOT, b"\x01" * 32, ())
    with pytest.raises(BlockNotLinked):
        verify_block(
            chain.trust, 0, PRE_GENESIS_HASH, BlockInput(other.encode(), b"", chain.prove(EMPTY_ROOT))
        )
