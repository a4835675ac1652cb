"""The chain store and `Blockchain`: genesis written once, blocks and states committed together, reads
by block hash, and blocks only on top of the best block."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from phalanx.chain import Blockchain, ChainStore
from phalanx.runtime import ChainSpec
from phalanx.runtime.errors import GenesisError, InvalidBlock, UnknownBlock
from phalanx.runtime.modules.system import declarations as system_d
from phalanx.runtime.state import State
from phalanx.storage import Database

NOW = 1_700_000_000_000


def test_genesis_is_written_once_and_a_restart_continues(tmp_path: Path) -> None:
    with Database.open(tmp_path / "chain") as db:
        chain = Blockchain(db, ChainSpec.development())
        genesis = chain.genesis_hash
        chain.commit(chain.build_block(genesis, NOW, []))
        best = chain.best_hash()
    with Database.open(tmp_path / "chain") as db:
        again = Blockchain(db, ChainSpec.development())
        assert (again.genesis_hash, again.best_hash(), again.best_number()) == (genesis, best, 1)
        assert again.finalized_hash() == best
        assert again.block_hash(0) == genesis and again.block_hash(1) == best


def test_a_store_of_another_chain_is_refused() -> None:
    with Database.temporary() as db:
        dev = ChainSpec.development()
        Blockchain(db, dev)
        with pytest.raises(GenesisError):
            Blockchain(db, replace(dev, id="another"))


def test_a_block_and_its_state_are_committed_together() -> None:
    with Database.temporary() as db:
        chain = Blockchain(db, ChainSpec.development())
        built = chain.build_block(chain.best_hash(), NOW, [])
        assert chain.best_number() == 0 and chain.header(built.hash) is None  # built, not stored
        assert db.state_root == chain.best_header().state_root
        chain.commit(built, b"proof")
        header = chain.best_header()
        assert chain.best_hash() == built.hash and db.state_root == header.state_root
        assert chain.block(built.hash) == built.block and chain.justification(built.hash) == b"proof"
        assert chain.state_get(system_d.Events.key) == chain.state_get(system_d.Events.key, built.hash)


def test_blocks_build_and_commit_only_on_the_best_block() -> None:
    with Database.temporary() as db:
        chain = Blockchain(db, ChainSpec.development())
        genesis = chain.genesis_hash
        first = chain.build_block(genesis, NOW, [])
        rival = chain.build_block(genesis, NOW + 1, [])
        chain.commit(first)
        with pytest.raises(InvalidBlock, match="no longer the best"):
            chain.commit(rival)
        with pytest.raises(InvalidBlock):
            chain.build_block(genesis, NOW + 2, [])
        with pytest.raises(InvalidBlock):
            chain.build_block(b"\x07" * 32, NOW + 2, [])
        assert chain.best_hash() == first.hash


def test_older_states_are_read_through_the_archive_and_unknown_blocks_are_named() -> None:
    with Database.temporary() as db:
        chain = Blockchain(db, ChainSpec.development())
        genesis = chain.genesis_hash
        chain.commit(chain.build_block(genesis, NOW, []))
        store = ChainStore(db)
        number_key = system_d.Number.key
        assert State(store.state_at(genesis)).get(number_key) == chain.state_get(number_key, genesis)
        assert chain.state_get(number_key) != chain.state_get(number_key, genesis)
        with pytest.raises(UnknownBlock):
            chain.state_get(number_key, b"\x07" * 32)
        with pytest.raises(UnknownBlock):
            chain.state_keys_paged(b"", 10, None, genesis)


def test_imported_blocks_must_match_their_execution() -> None:
    with Database.temporary() as source_db, Database.temporary() as follower_db, \
            Database.temporary() as third_db:
        source = Blockchain(source_db, ChainSpec.development())
        follower = Blockchain(follower_db, ChainSpec.development())
        built = source.build_block(source.best_hash(), NOW, [])
        source.commit(built)
        imported = follower.import_block(built.block)
        assert imported.hash == built.hash
        follower.commit(imported)
        assert follower.best_hash() == source.best_hash()
        forged = replace(built.block, header=replace(built.block.header, state_root=b"\x01" * 32))
        with pytest.raises(InvalidBlock, match="state root mismatch"):
            Blockchain(third_db, ChainSpec.development()).import_block(forged)
