"""State trie: roots independent of order and batching, canonical shape, historical reads."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phalanx.storage import EMPTY_ROOT, Database, StateRootMismatch, UnknownRoot, verify_proof
from phalanx.storage.trie import compute_root_of, internal_hash, key_hash, leaf_hash


def reference_root(items: list[tuple[bytes, bytes]], depth: int = 0) -> bytes:
    """The trie root straight from its definition: split on one path bit per level."""
    if not items:
        return EMPTY_ROOT
    if len(items) == 1:
        return leaf_hash(*items[0])
    left = [(kh, v) for kh, v in items if not (kh[depth // 8] >> (7 - depth % 8)) & 1]
    right = [(kh, v) for kh, v in items if (kh[depth // 8] >> (7 - depth % 8)) & 1]
    return internal_hash(reference_root(left, depth + 1), reference_root(right, depth + 1))


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.binary(max_size=4), st.binary(max_size=4), max_size=60))
def test_root_matches_the_reference_definition(state: dict[bytes, bytes]) -> None:
    expected = reference_root([(key_hash(k), v) for k, v in state.items()])
    assert compute_root_of(state.items()) == expected


def test_empty_root_is_the_zero_constant() -> None:
    assert bytes(32) == EMPTY_ROOT
    assert compute_root_of([]) == EMPTY_ROOT
    with Database.temporary() as db:
        assert db.state_root == EMPTY_ROOT


def test_single_key_root_is_its_leaf_hash() -> None:
    assert compute_root_of([(b"k", b"v")]) == leaf_hash(key_hash(b"k"), b"v")


def test_two_keys_root_by_hand() -> None:
    # Two keys whose hashes differ in the first bit hang directly under the root.
    keys = [bytes([i]) for i in range(256)]
    a = next(k for k in keys if key_hash(k)[0] < 0x80)
    b = next(k for k in keys if key_hash(k)[0] >= 0x80)
    expected = internal_hash(leaf_hash(key_hash(a), b"1"), leaf_hash(key_hash(b), b"2"))
    assert compute_root_of([(b, b"2"), (a, b"1")]) == expected


def test_golden_root() -> None:
    # Pinned: any change of hashing or node layout changes every state root on chain.
    items = [(b"key%d" % i, b"value%d" % i) for i in range(100)]
    assert compute_root_of(items).hex() == GOLDEN_100


GOLDEN_100 = "a2d1bf7a016d26722e46e08ddc736fd7cf8919b7167d49e32335b2a1d4dd34e2"


def test_root_independent_of_insertion_order_and_batching() -> None:
    rng = random.Random(7)
    items = [(rng.randbytes(rng.randint(1, 40)), rng.randbytes(rng.randint(0, 50))) for _ in range(300)]
    expected = compute_root_of(items)
    shuffled = list(items)
    rng.shuffle(shuffled)
    with Database.temporary() as db:
        root = db.state_root
        for start in range(0, len(shuffled), 37):
            with db.write() as w:
                root = w.apply_state(dict(shuffled[start : start + 37]), root)
        assert root == expected == db.state_root


def test_historical_reads_at_every_root() -> None:
    rng = random.Random(3)
    keys = [b"k%d" % i for i in range(60)]
    model: dict[bytes, bytes] = {}
    history: list[tuple[bytes, dict[bytes, bytes]]] = []
    with Database.temporary() as db:
        for _block in range(25):
            changes: dict[bytes, bytes | None] = {}
            for key in rng.sample(keys, 10):
                changes[key] = None if rng.random() < 0.3 else rng.randbytes(4)
            with db.write() as w:
                root = w.apply_state(changes, db.state_root)
            for key, value in changes.items():
                if value is None:
                    model.pop(key, None)
                else:
                    model[key] = value
            history.append((root, dict(model)))
        for root, snapshot in history:
            for key in keys:
                assert db.get_at(root, key) == snapshot.get(key)
        for key in keys:
            assert db.get(key) == model.get(key)


def test_unknown_root_and_stale_parent_are_refused() -> None:
    with Database.temporary() as db:
        with pytest.raises(UnknownRoot):
            db.get_at(b"\x01" * 32, b"k")
        with db.write() as w:
            w.apply_state({b"a": b"1"}, EMPTY_ROOT)
        with pytest.raises(StateRootMismatch), db.write() as w:
            w.apply_state({b"b": b"1"}, EMPTY_ROOT)
        assert db.get(b"b") is None


def test_delete_everything_returns_to_empty_root() -> None:
    with Database.temporary() as db:
        with db.write() as w:
            root = w.apply_state({b"a": b"1", b"b": b"2", b"c": b"3"}, EMPTY_ROOT)
        with db.write() as w:
            assert w.apply_state({b"a": None, b"b": None, b"c": None}, root) == EMPTY_ROOT
        assert db.get_at(root, b"b") == b"2"


key_st = st.binary(min_size=1, max_size=3)
changes_st = st.dictionaries(key_st, st.one_of(st.none(), st.binary(max_size=3)), max_size=30)


@settings(max_examples=60, deadline=None)
@given(st.lists(changes_st, min_size=1, max_size=8))
def test_random_change_sets_match_a_dict_model(blocks: list[dict[bytes, bytes | None]]) -> None:
    model: dict[bytes, bytes] = {}
    roots: list[tuple[bytes, dict[bytes, bytes]]] = []
    with Database.temporary() as db:
        root = db.state_root
        for changes in blocks:
            with db.write() as w:
                root = w.apply_state(changes, root)
            for key, value in changes.items():
                if value is None:
                    model.pop(key, None)
                else:
                    model[key] = value
            assert root == compute_root_of(model.items())
            roots.append((root, dict(model)))
            for key in {k for c in blocks for k in c}:
                verify_proof(root, key, model.get(key), db.prove(root, key).encode())
            assert dict(db.iter_prefix(b"")) == model
        for old_root, old_model in roots:
            for key in set(old_model) | {k for c in blocks for k in c}:
                assert db.get_at(old_root, key) == old_model.get(key)
