"""`State`, the overlay a block executes on: reads through, nested transactions, rollback, merged
ordered iteration."""

from __future__ import annotations

from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from phalanx.runtime.state import State
from phalanx.storage import Database


class DictBackend:
    """A plain ordered committed state for overlay tests."""

    def __init__(self, items: dict[bytes, bytes]) -> None:
        self.items = items
        self.reads = 0

    def get(self, key: bytes) -> bytes | None:
        self.reads += 1
        return self.items.get(key)

    def iter_prefix(self, prefix: bytes) -> Iterator[tuple[bytes, bytes]]:
        for key in sorted(self.items):
            if key.startswith(prefix):
                yield key, self.items[key]


def test_reads_through_and_caches_the_committed_state() -> None:
    backend = DictBackend({b"a": b"1"})
    state = State(backend)
    assert state.get(b"a") == b"1"
    assert state.get(b"a") == b"1"
    assert state.get(b"zz") is None
    assert backend.reads == 2


def test_put_delete_and_changes() -> None:
    state = State(DictBackend({b"a": b"1", b"b": b"2"}))
    state.put(b"a", b"9")
    state.delete(b"b")
    state.put(b"c", b"3")
    assert state.get(b"a") == b"9"
    assert state.get(b"b") is None
    assert state.changes == {b"a": b"9", b"b": None, b"c": b"3"}


def test_rollback_restores_previous_values() -> None:
    state = State(DictBackend({b"a": b"1"}))
    state.put(b"a", b"2")
    state.begin()
    state.put(b"a", b"3")
    state.put(b"a", b"4")
    state.delete(b"x")
    state.put(b"n", b"new")
    state.rollback()
    assert state.get(b"a") == b"2"
    assert state.get(b"n") is None
    assert state.changes == {b"a": b"2"}


def test_nested_commit_then_outer_rollback_undoes_all() -> None:
    state = State(DictBackend({}))
    state.begin()
    state.put(b"k1", b"1")
    state.begin()
    state.put(b"k2", b"2")
    state.commit()
    assert state.depth == 1
    assert state.get(b"k2") == b"2"
    state.rollback()
    assert state.get(b"k1") is None
    assert state.get(b"k2") is None
    assert state.changes == {}


def test_inner_rollback_keeps_outer_writes() -> None:
    state = State(DictBackend({b"fee": b"0"}))
    state.begin()
    state.put(b"a", b"1")
    state.begin()
    state.put(b"a", b"2")
    state.put(b"b", b"2")
    state.rollback()
    state.commit()
    state.put(b"fee", b"1")  # written outside any transaction, as the executive charges fees
    assert state.changes == {b"a": b"1", b"fee": b"1"}


def test_iteration_merges_and_hides_deleted() -> None:
    state = State(DictBackend({b"p1": b"a", b"p3": b"c", b"p5": b"e", b"q1": b"x"}))
    state.put(b"p2", b"b")
    state.delete(b"p3")
    state.put(b"p5", b"E")
    state.put(b"p6", b"f")
    state.put(b"q0", b"y")
    assert list(state.iter_prefix(b"p")) == [(b"p1", b"a"), (b"p2", b"b"), (b"p5", b"E"), (b"p6", b"f")]
    assert [key for key, _ in state.iter_prefix(b"")] == [b"p1", b"p2", b"p5", b"p6", b"q0", b"q1"]


def test_state_over_a_database_snapshot() -> None:
    with Database.temporary() as db:
        with db.write() as w:
            w.apply_state({b"a": b"1", b"b": b"2"}, db.state_root)
        with db.snapshot() as snap:
            state = State(snap)
            state.put(b"c", b"3")
            state.delete(b"a")
            assert list(state.iter_prefix(b"")) == [(b"b", b"2"), (b"c", b"3")]


ops = st.lists(
    st.one_of(
        st.tuples(st.just("put"), st.sampled_from([b"a", b"b", b"c", b"d"]), st.binary(max_size=2)),
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
    state = State(DictBackend(dict(base)))
    view = dict(base)
    saved: list[dict[bytes, bytes]] = []
    for op, key, value in program:
        if op == "put":
            state.put(key, value)
            view[key] = value
        elif op == "del":
            state.delete(key)
            view.pop(key, None)
        elif op == "begin":
            state.begin()
            saved.append(dict(view))
        elif op == "commit" and saved:
            state.commit()
            saved.pop()
        elif op == "rollback" and saved:
            state.rollback()
            view = saved.pop()
        for k in (b"a", b"b", b"c", b"d"):
            assert state.get(k) == view.get(k)
        assert list(state.iter_prefix(b"")) == sorted(view.items())
