"""The LMDB store: tables, paged keys, atomic writes, precomputed updates, growth, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from phalanx.storage import (
    EMPTY_ROOT,
    Database,
    DatabaseClosed,
    InvalidKey,
    InvalidTableName,
    StateRootMismatch,
    StorageError,
)


def test_open_reopen_and_tables(tmp_path: Path) -> None:
    with Database.open(tmp_path / "db") as db:
        with db.write() as w:
            root = w.apply_state({b"a": b"1"}, db.state_root)
            w.put("headers", b"\x01", b"header-1")
            w.put("number-to-hash", (1).to_bytes(8, "big"), b"h1")
            w.put("number-to-hash", (2).to_bytes(8, "big"), b"h2")
        assert db.read("headers", b"\x01") == b"header-1"
        assert db.read("nothing-here", b"x") is None
    with Database.open(tmp_path / "db") as db:
        assert db.state_root == root
        assert db.get(b"a") == b"1"
        assert db.last("number-to-hash") == ((2).to_bytes(8, "big"), b"h2")
        assert [k for k, _ in db.iter_table("number-to-hash")] == [
            (1).to_bytes(8, "big"),
            (2).to_bytes(8, "big"),
        ]
        with db.write() as w:
            w.delete("headers", b"\x01")
        assert db.read("headers", b"\x01") is None


def test_temporary_directory_is_removed() -> None:
    db = Database.temporary()
    path = db.path
    assert path.exists()
    db.close()
    db.close()
    assert not path.exists()
    with pytest.raises(DatabaseClosed):
        db.get(b"a")


def test_keys_paged() -> None:
    with Database.temporary() as db:
        items = {b"\x01" + bytes([i]): b"v" for i in range(10)}
        items |= {b"\x00z": b"v", b"\x02a": b"v"}
        with db.write() as w:
            w.apply_state(items, EMPTY_ROOT)
        page1 = db.keys_paged(b"\x01", 4)
        assert page1 == [b"\x01" + bytes([i]) for i in range(4)]
        page2 = db.keys_paged(b"\x01", 4, start_after=page1[-1])
        assert page2 == [b"\x01" + bytes([i]) for i in range(4, 8)]
        assert db.keys_paged(b"\x01", 100, start_after=b"\x01\x08") == [b"\x01\x09"]
        assert db.keys_paged(b"\x01", 5, start_after=b"\x00") == [*page1, b"\x01\x04"]
        assert db.keys_paged(b"\x01", 5, start_after=b"\x02") == []
        assert db.keys_paged(b"", 2) == [b"\x00z", b"\x01\x00"]
        assert db.keys_paged(b"\x03", 5) == []
        with db.snapshot() as snap:
            assert [k for k, _ in snap.iter_prefix(b"\x02")] == [b"\x02a"]
            assert snap.state_root == db.state_root


def test_failed_write_block_leaves_nothing() -> None:
    with Database.temporary() as db:
        with pytest.raises(RuntimeError), db.write() as w:
            w.apply_state({b"a": b"1"}, EMPTY_ROOT)
            w.put("headers", b"h", b"x")
            raise RuntimeError("block rejected")
        assert db.state_root == EMPTY_ROOT
        assert db.get(b"a") is None
        assert db.read("headers", b"h") is None


def test_stale_update_leaves_nothing() -> None:
    with Database.temporary() as db:
        first = db.compute_root(EMPTY_ROOT, {b"a": b"1"})
        second = db.compute_root(EMPTY_ROOT, {b"b": b"2"})
        with db.write() as w:
            assert w.apply_update(first) == first.root
        with pytest.raises(StateRootMismatch), db.write() as w:
            w.put("headers", b"h", b"x")
            w.apply_update(second)
        assert db.read("headers", b"h") is None
        assert db.state_root == first.root


def test_compute_root_then_commit_reuses_nodes() -> None:
    with Database.temporary() as db:
        changes = {b"k%d" % i: b"v%d" % i for i in range(200)}
        update = db.compute_root(EMPTY_ROOT, changes)
        assert db.state_root == EMPTY_ROOT  # nothing committed yet
        assert len(update.nodes) > 200
        with db.write() as w:
            assert w.apply_update(update) == update.root
        assert db.state_root == update.root
        assert db.get_at(update.root, b"k7") == b"v7"
        with Database.temporary() as other, other.write() as w:
            assert w.apply_state(changes, EMPTY_ROOT) == update.root


def test_map_grows_on_demand() -> None:
    with Database.temporary(map_size=256 * 1024) as db:
        root = db.state_root
        for block in range(6):
            with db.write() as w:
                root = w.apply_state({b"b%d-%d" % (block, i): bytes(200) for i in range(500)}, root)
                w.put("bodies", b"%d" % block, bytes(50_000))
        assert db.get(b"b5-499") == bytes(200)
        assert db.get_at(root, b"b0-0") == bytes(200)


def test_bad_keys_and_table_names_are_typed() -> None:
    with Database.temporary() as db:
        with pytest.raises(InvalidKey):
            db.compute_root(EMPTY_ROOT, {b"": b"1"})
        with pytest.raises(InvalidKey):
            db.compute_root(EMPTY_ROOT, {b"x" * 512: b"1"})
        for name in ("", "_state", "Upper", "a b", "x" * 64):
            with pytest.raises(InvalidTableName), db.write() as w:
                w.put(name, b"k", b"v")
        with pytest.raises(StorageError), db.write() as w:
            w.apply_state({b"a": b"1"}, EMPTY_ROOT)
            w.apply_state({b"b": b"1"}, EMPTY_ROOT)
