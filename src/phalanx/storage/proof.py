"""State proofs: a key's value (or its absence) under a state root, and their strict verifier.

This module is pure (no store, no I/O) so that an enclave can import it alone and believe nothing
its host says without a proof. The trie it proves against is described in `phalanx.storage.trie`.

A proof follows the path of `kh = blake2b-256(key)` from the root to where it ends:

- PRESENT: the path ends at the leaf of `key` itself; the verifier computes the leaf hash from
  the key and the claimed value, so a proof never carries the value.
- ABSENT_EMPTY: the path ends in an empty subtree.
- ABSENT_OTHER_LEAF: the path ends at the leaf of another key whose hash shares the first
  `depth` bits with `kh`; the proof carries that leaf's key hash and value hash.

Byte format (`StateProof.encode`), every integer big-endian:

    kind        1 byte    0 = PRESENT, 1 = ABSENT_EMPTY, 2 = ABSENT_OTHER_LEAF
    depth       2 bytes   number of siblings, 0..256
    bitmap      ceil(depth / 8) bytes; bit i (most significant first) is set iff the sibling at
                depth i is not empty; the unused low bits of the last byte are zero
    siblings    32 bytes for each set bit, from the root downward
    leaf        ABSENT_OTHER_LEAF only: key hash (32 bytes) || value hash (32 bytes)

The sibling at depth i is the child, not on the path, of the internal node at depth i. Decoding
is exact: any other length, a bitmap with padding bits set, a depth above 256, or a form that the
trie never produces (a leaf or an empty end whose last sibling is empty) is `MalformedProof`.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from phalanx.storage.errors import InvalidProof, MalformedProof
from phalanx.storage.trie import EMPTY_ROOT, internal_hash, key_hash, leaf_hash, leaf_hash_from_value_hash

_MAX_DEPTH = 256


class ProofKind(IntEnum):
    """How the path of the proven key ends."""

    PRESENT = 0
    ABSENT_EMPTY = 1
    ABSENT_OTHER_LEAF = 2


@dataclass(frozen=True)
class StateProof:
    """A Merkle proof for one key. `siblings` has one 32-byte hash per depth (EMPTY_ROOT if empty).

    `other_key_hash` and `other_value_hash` are set for ABSENT_OTHER_LEAF only. Construction
    checks the shape and raises MalformedProof.
    """

    kind: ProofKind
    siblings: tuple[bytes, ...]
    other_key_hash: bytes | None = None
    other_value_hash: bytes | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kind, ProofKind):
            raise MalformedProof("proof kind must be a ProofKind")
        if not isinstance(self.siblings, tuple) or len(self.siblings) > _MAX_DEPTH:
            raise MalformedProof("siblings must be a tuple of at most 256 hashes")
        for sibling in self.siblings:
            if not isinstance(sibling, bytes) or len(sibling) != 32:
                raise MalformedProof("every sibling must be 32 bytes")
        if self.siblings and self.siblings[-1] == EMPTY_ROOT:
            raise MalformedProof("the last sibling of a proof path cannot be empty")
        has_leaf = self.kind is ProofKind.ABSENT_OTHER_LEAF
        for part in (self.other_key_hash, self.other_value_hash):
            if has_leaf and not (isinstance(part, bytes) and len(part) == 32):
                raise MalformedProof("an other-leaf proof needs a 32-byte key hash and value hash")
            if not has_leaf and part is not None:
                raise MalformedProof("only an other-leaf proof carries a leaf")

    @property
    def depth(self) -> int:
        """Depth of the node where the path ends."""
        return len(self.siblings)

    def encode(self) -> bytes:
        """The canonical byte form described in the module docstring."""
        depth = len(self.siblings)
        nbytes = (depth + 7) // 8
        top = 8 * nbytes - 1
        bitmap = 0
        present: list[bytes] = []
        for i, sibling in enumerate(self.siblings):
            if sibling != EMPTY_ROOT:
                bitmap |= 1 << (top - i)
                present.append(sibling)
        out = bytes((self.kind,)) + depth.to_bytes(2, "big") + bitmap.to_bytes(nbytes, "big")
        out += b"".join(present)
        if self.other_key_hash is not None and self.other_value_hash is not None:  # ABSENT_OTHER_LEAF only
            out += self.other_key_hash + self.other_value_hash
        return out

    @classmethod
    def decode(cls, data: bytes) -> StateProof:
        """Parse the byte form; raises MalformedProof on anything but a canonical encoding."""
        if not isinstance(data, bytes | bytearray | memoryview):
            raise MalformedProof("proof must be bytes")
        data = bytes(data)
        if len(data) < 3:
            raise MalformedProof("proof shorter than its 3-byte header")
        if data[0] > ProofKind.ABSENT_OTHER_LEAF:
            raise MalformedProof(f"unknown proof kind {data[0]}")
        kind = ProofKind(data[0])
        depth = int.from_bytes(data[1:3], "big")
        if depth > _MAX_DEPTH:
            raise MalformedProof(f"proof depth {depth} exceeds 256")
        nbytes = (depth + 7) // 8
        if len(data) < 3 + nbytes:
            raise MalformedProof("proof truncated in its bitmap")
        bitmap = int.from_bytes(data[3 : 3 + nbytes], "big")
        if bitmap & ((1 << (8 * nbytes - depth)) - 1):
            raise MalformedProof("proof bitmap has padding bits set")
        count = bitmap.bit_count()
        tail = 64 if kind is ProofKind.ABSENT_OTHER_LEAF else 0
        expected = 3 + nbytes + 32 * count + tail
        if len(data) != expected:
            raise MalformedProof(f"proof is {len(data)} bytes, its header says {expected}")
        siblings: list[bytes] = []
        pos = 3 + nbytes
        top = 8 * nbytes - 1
        for i in range(depth):
            if (bitmap >> (top - i)) & 1:
                siblings.append(data[pos : pos + 32])
                pos += 32
            else:
                siblings.append(EMPTY_ROOT)
        if tail:
            return cls(kind, tuple(siblings), data[pos : pos + 32], data[pos + 32 : pos + 64])
        return cls(kind, tuple(siblings))


def verify_proof(root: bytes, key: bytes, value: bytes | None, proof: StateProof | bytes) -> None:
    """Return only if `proof` shows that `key` maps to `value` (None: absent) under `root`.

    Raises InvalidProof (MalformedProof for bytes that do not decode) otherwise: a wrong root,
    key or value, an absence proof for a present key, or siblings truncated, extended, reordered
    or altered.
    """
    if not isinstance(root, bytes) or len(root) != 32:
        raise InvalidProof("state root must be 32 bytes")
    if not isinstance(key, bytes) or not (value is None or isinstance(value, bytes)):
        raise InvalidProof("key and value must be bytes")
    if not isinstance(proof, StateProof):
        proof = StateProof.decode(proof)
    kh = key_hash(key)
    kind = proof.kind
    if value is None:
        if kind is ProofKind.PRESENT:
            raise InvalidProof("an inclusion proof cannot show that a key is absent")
    elif kind is not ProofKind.PRESENT:
        raise InvalidProof("an absence proof cannot show a value")
    siblings = proof.siblings
    depth = len(siblings)
    path = int.from_bytes(kh, "big")
    if value is not None:  # an inclusion proof (the kind was matched to the value above)
        node = leaf_hash(kh, value)
    elif kind is ProofKind.ABSENT_EMPTY:
        node = EMPTY_ROOT
    else:
        other, other_value_hash = proof.other_key_hash, proof.other_value_hash
        if other is None or other_value_hash is None:  # construction refuses this; keeps the types exact
            raise MalformedProof("an other-leaf proof without the other leaf")
        if other == kh:
            raise InvalidProof("an other-leaf proof names the proven key itself")
        if (int.from_bytes(other, "big") ^ path) >> (256 - depth):
            raise InvalidProof("the other leaf is not on the path of the key")
        node = leaf_hash_from_value_hash(other, other_value_hash)
    for i in range(depth - 1, -1, -1):
        sibling = siblings[i]
        node = internal_hash(sibling, node) if (path >> (255 - i)) & 1 else internal_hash(node, sibling)
    if not hmac.compare_digest(node, root):
        raise InvalidProof("proof does not lead to the state root")


def verify_proof_many(root: bytes, items: Iterable[tuple[bytes, bytes | None, StateProof | bytes]]) -> None:
    """Verify several (key, value, proof) under one root; raises InvalidProof at the first refusal."""
    for key, value, proof in items:
        verify_proof(root, key, value, proof)
