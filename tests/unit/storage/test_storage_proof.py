"""State proofs: inclusion and absence, strict refusal of every mutation, typed errors on garbage."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phalanx.storage import (
    EMPTY_ROOT,
    Database,
    InvalidProof,
    MalformedProof,
    ProofError,
    ProofKind,
    StateProof,
    StorageError,
    verify_proof,
    verify_proof_many,
)

KEYS = [b"key-%d" % i for i in range(400)]


@pytest.fixture(scope="module")
def store() -> Iterator[tuple[Database, bytes, dict[bytes, bytes]]]:
    model = {key: b"value of " + key for key in KEYS[:300]}
    with Database.temporary() as db:
        with db.write() as w:
            root = w.apply_state(dict(model), EMPTY_ROOT)
        yield db, root, model


def test_inclusion_proofs(store: tuple[Database, bytes, dict[bytes, bytes]]) -> None:
    db, root, model = store
    for key, value in model.items():
        got, proof = db.prove_with_value(root, key)
        assert got == value and proof.kind is ProofKind.PRESENT
        verify_proof(root, key, value, proof)
        verify_proof(root, key, value, proof.encode())
        assert StateProof.decode(proof.encode()) == proof


def test_absence_proofs_of_both_kinds(store: tuple[Database, bytes, dict[bytes, bytes]]) -> None:
    db, root, _model = store
    kinds = set()
    for key in KEYS[300:]:
        proof = db.prove(root, key)
        kinds.add(proof.kind)
        verify_proof(root, key, None, proof)
        verify_proof(root, key, None, proof.encode())
        with pytest.raises(InvalidProof):
            verify_proof(root, key, b"anything", proof)
    assert kinds == {ProofKind.ABSENT_EMPTY, ProofKind.ABSENT_OTHER_LEAF}


def test_empty_and_single_leaf_states() -> None:
    verify_proof(EMPTY_ROOT, b"k", None, StateProof(ProofKind.ABSENT_EMPTY, ()))
    with Database.temporary() as db:
        with db.write() as w:
            root = w.apply_state({b"only": b"1"}, EMPTY_ROOT)
        proof = db.prove(root, b"only")
        assert proof.depth == 0
        verify_proof(root, b"only", b"1", proof)
        absent = db.prove(root, b"other")
        assert absent.kind is ProofKind.ABSENT_OTHER_LEAF
        verify_proof(root, b"other", None, absent)
        with pytest.raises(InvalidProof):
            verify_proof(root, b"only", None, absent)


def test_refuses_wrong_root_value_key(store: tuple[Database, bytes, dict[bytes, bytes]]) -> None:
    db, root, model = store
    key = KEYS[5]
    proof = db.prove(root, key)
    with pytest.raises(InvalidProof):
        verify_proof(bytes(32), key, model[key], proof)
    with pytest.raises(InvalidProof):
        verify_proof(root[:-1] + bytes([root[-1] ^ 1]), key, model[key], proof)
    with pytest.raises(InvalidProof):
        verify_proof(root, key, model[key] + b"x", proof)
    with pytest.raises(InvalidProof):
        verify_proof(root, KEYS[6], model[key], proof)
    with pytest.raises(InvalidProof):
        verify_proof(root, key, None, proof)


def test_absence_proof_for_a_present_key_is_refused(
    store: tuple[Database, bytes, dict[bytes, bytes]],
) -> None:
    db, root, _model = store
    for absent_key in KEYS[300:340]:
        proof = db.prove(root, absent_key)
        for present_key in KEYS[:40]:
            with pytest.raises(InvalidProof):
                verify_proof(root, present_key, None, proof)


def test_structural_mutations_are_refused(store: tuple[Database, bytes, dict[bytes, bytes]]) -> None:
    db, root, model = store
    key = KEYS[11]
    proof = db.prove(root, key)
    sib = proof.siblings
    assert len(sib) >= 3
    mutants = [
        sib[1:],  # truncated at the top
        sib[:-1],  # truncated at the bottom
        (*sib, b"\x07" * 32),  # extended
        (sib[1], sib[0], *sib[2:]),  # reordered
        (*sib[:-2], sib[-1], sib[-2]),
        (bytes(32), *sib[1:]),  # a sibling emptied
    ]
    for siblings in mutants:
        try:
            mutant = StateProof(ProofKind.PRESENT, siblings)
        except MalformedProof:
            continue
        with pytest.raises(InvalidProof):
            verify_proof(root, key, model[key], mutant)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_random_byte_mutations_are_refused(
    store: tuple[Database, bytes, dict[bytes, bytes]], data: st.DataObject
) -> None:
    db, root, model = store
    key = data.draw(st.sampled_from(KEYS))
    value = model.get(key)
    encoded = bytearray(db.prove(root, key).encode())
    how = data.draw(st.sampled_from(["flip", "truncate", "extend", "swap"]))
    if how == "flip":
        pos = data.draw(st.integers(0, len(encoded) - 1))
        encoded[pos] ^= 1 << data.draw(st.integers(0, 7))
    elif how == "truncate":
        del encoded[data.draw(st.integers(0, len(encoded) - 1)) :]
    elif how == "extend":
        encoded += data.draw(st.binary(min_size=1, max_size=64))
    else:
        i = data.draw(st.integers(0, len(encoded) - 1))
        j = data.draw(st.integers(0, len(encoded) - 1))
        if encoded[i] == encoded[j]:
            return
        encoded[i], encoded[j] = encoded[j], encoded[i]
    with pytest.raises(InvalidProof):
        verify_proof(root, key, value, bytes(encoded))


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=600))
def test_garbage_gives_only_typed_errors(data: bytes) -> None:
    try:
        proof = StateProof.decode(data)
    except ProofError:
        return
    assert proof.encode() == data  # whatever decodes is canonical
    with pytest.raises(InvalidProof):
        verify_proof(b"\x5a" * 32, b"k", b"v" if proof.kind is ProofKind.PRESENT else None, proof)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2), st.integers(0, 260), st.binary(max_size=40), st.binary(max_size=3000))
def test_structured_garbage_gives_only_typed_errors(
    kind: int, depth: int, bitmap: bytes, rest: bytes
) -> None:
    data = bytes([kind]) + depth.to_bytes(2, "big") + bitmap + rest
    with contextlib.suppress(InvalidProof):
        verify_proof(bytes(32), b"k", None, data)


def test_verify_rejects_non_bytes_inputs() -> None:
    with pytest.raises(InvalidProof):
        verify_proof(b"short", b"k", None, b"")
    with pytest.raises(MalformedProof):
        StateProof.decode("text")  # type: ignore[arg-type]
    assert issubclass(InvalidProof, StorageError)
    assert (InvalidProof.module, InvalidProof.code) == ("storage", 11)


def test_verify_many(store: tuple[Database, bytes, dict[bytes, bytes]]) -> None:
    db, root, model = store
    rng = random.Random(1)
    keys = rng.sample(KEYS, 30)
    items = [(key, model.get(key), db.prove(root, key)) for key in keys]
    verify_proof_many(root, items)
    bad = [*items[:-1], (items[-1][0], b"forged", items[-1][2])]
    with pytest.raises(InvalidProof):
        verify_proof_many(root, bad)


def test_proofs_at_historical_roots() -> None:
    with Database.temporary() as db:
        with db.write() as w:
            old = w.apply_state({b"a": b"1", b"b": b"2"}, EMPTY_ROOT)
        with db.write() as w:
            new = w.apply_state({b"a": b"3", b"b": None}, old)
        verify_proof(old, b"b", b"2", db.prove(old, b"b"))
        verify_proof(new, b"b", None, db.prove(new, b"b"))
        with pytest.raises(InvalidProof):
            verify_proof(new, b"a", b"1", db.prove(old, b"a"))


def test_encoding_is_compact_and_golden() -> None:
    proof = StateProof(
        ProofKind.ABSENT_OTHER_LEAF, (b"\x11" * 32, bytes(32), b"\x22" * 32), b"\x33" * 32, b"\x44" * 32
    )
    encoded = proof.encode()
    assert encoded[:4] == bytes([2, 0, 3, 0b1010_0000])
    assert len(encoded) == 4 + 64 + 64
    assert StateProof.decode(encoded) == proof
