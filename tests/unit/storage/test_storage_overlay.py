"""Overlay semantics: reads through, nested transactions, rollback, merged ordered iteration."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phalanx.storage import Database, Overlay, TransactionError


class DictBackend:
    """A plain ordered state for overlay tests."""

    def __init__(self, items: dict[bytes, bytes]) -> None:
        self.items = items
        self.reads = 0

    def get(self, key: bytes) -> bytes | None:
        self.reads += 1
        return self.items.get(key)

    def iter_prefix(self, prefix: bytes, start_after: bytes | None = None) -> Iterator[tuple[bytes, bytes]]:
        for key in sorted(self.items):
            if key.startswith(prefix) and (start_after is None or key > start_after):
                yield key, self.items[key]


def test_reads_through_and_caches_backend() -> None:
    backend = DictBackend({b"a": b"1"})
    overlay = Overlay(backend)
    assert overlay.get(b"a") == b"1"
    assert overlay.get(b"a") == b"1"
    assert overlay.get(b"zz") is None
    assert backend.reads == 2


def test_set_delete_and_changes() -> None:
    overlay = Overlay(DictBackend({b"a": b"1", b"b": b"2"}))
    overlay.set(b"a", b"9")
    overlay.delete(b"b")
    overlay.set(b"c", b"3")
    assert overlay.get(b"a") == b"9"
    assert overlay.get(b"b") is None
    assert not overlay.contains(b"b")
    assert overlay.changes() == {b"a": b"9", b"b": None, b"c": b"3"}


def test_rollback_restores_previous_values() -> None:
    overlay = Overlay(DictBackend({b"a": b"1"}))
    overlay.set(b"a", b"2")
    overlay.begin()
    overlay.set(b"a", b"3")
    overlay.set(b"a", b"4")
    overlay.delete(b"x")
    overlay.set(b"n", b"new")
    overlay.rollback()
    assert overlay.get(b"a") == b"2"
    assert overlay.get(b"n") is None
    assert overlay.changes() == {b"a": b"2"}


def test_nested_commit_then_outer_rollback_undoes_all() -> None:
    overlay = Overlay(DictBackend({}))
    overlay.begin()
    overlay.set(b"k1", b"1")
    overlay.begin()
    overlay.set(b"k2", b"2")
    overlay.commit()
    assert overlay.depth == 1
    assert overlay.get(b"k2") == b"2"
    overlay.rollback()
    assert overlay.get(b"k1") is None
    assert overlay.get(b"k2") is None
    assert overlay.changes() == {}


def test_inner_rollback_keeps_outer_writes() -> None:
    overlay = Overlay(DictBackend({b"fee": b"0"}))
    overlay.begin()
    overlay.set(b"a", b"1")
    overlay.begin()
    overlay.set(b"a", b"2")
    overlay.set(b"b", b"2")
    overlay.rollback()
    overlay.commit()
    overlay.set(b"fee", b"1")  # written outside any transaction
    assert overlay.changes() == {b"a": b"1", b"fee": b"1"}


def test_transaction_misuse_is_typed() -> None:
    overlay = Overlay(DictBackend({}))
    with pytest.raises(TransactionError):
        overlay.commit()
    with pytest.raises(TransactionError):
        overlay.rollback()
    overlay.begin()
    with pytest.raises(TransactionError):
        overlay.changes()


def test_iteration_merges_and_hides_deleted() -> None:
    backend = DictBackend({b"p1": b"a", b"p3": b"c", b"p5": b"e", b"q1": b"x"})
    overlay = Overlay(backend)
    overlay.set(b"p2", b"b")
    overlay.delete(b"p3")
    overlay.set(b"p5", b"E")
    overlay.set(b"p6", b"f")
    overlay.set(b"q0", b"y")
    assert list(overlay.iter_prefix(b"p")) == [(b"p1", b"a"), (b"p2", b"b"), (b"p5", b"E"), (b"p6", b"f")]
    assert list(overlay.iter_prefix(b"p", start_after=b"p2")) == [(b"p5", b"E"), (b"p6", b"f")]
    assert overlay.keys_paged(b"", 3) == [b"p1", b"p2", b"p5"]
    assert overlay.keys_paged(b"", 10, start_after=b"p6") == [b"q0", b"q1"]


def test_overlay_over_database_snapshot() -> None:
    with Database.temporary() as db:
        with db.write() as w:
            w.apply_state({b"a": b"1", b"b": b"2"}, db.state_root)
        with db.snapshot() as snap:
            overlay = Overlay(snap)
            overlay.set(b"c", b"3")
            overlay.delete(b"a")
            assert list(overlay.iter_prefix(b"")) == [(b"b", b"2"), (b"c", b"3")]


ops = st.lists(
    st.one_of(
        st.tuples(st.just("set"), st.sampled_from([b"a", b"b", b"c", b"d"]), st.binary(max_size=2)),
        st.tuples(st.just("del"), st.sampled_from([b"a", b"b", b"c", b"d"]), st.just(b"")),
        st.tuples(st.just("begin"), st.just(b""), st.just(b"")),
        st.tuples(st.just("commit"), st.just(b""), st.just(b"")),
        st.tuples(st.just("rollback"), st.just(b""), st.just(b"")),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(ops)
def test_matches_a_stack_of_dict_copies(program: list[tuple[str, bytes, bytes]]) -> None:
    base = {b"a": b"base", b"c": b"base"}
    overlay = Overlay(DictBackend(dict(base)))
    view = dict(base)
    saved: list[dict[bytes, bytes]] = []
    for op, key, value in program:
        if op == "set":
            overlay.set(key, value)
            view[key] = value
        elif op == "del":
            overlay.delete(key)
            view.pop(key, None)
        elif op == "begin":
            overlay.begin()
            saved.append(dict(view))
        elif op == "commit" and saved:
            overlay.commit()
            saved.pop()
        elif op == "rollback" and saved:
            overlay.rollback()
            view = saved.pop()
        for k in (b"a", b"b", b"c", b"d"):
            assert overlay.get(k) == view.get(k)
        assert list(overlay.iter_prefix(b"")) == sorted(view.items())
