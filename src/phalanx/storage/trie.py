"""The state trie: a compact binary Merkle trie over blake2b-256(key), updated in batches.

Design. Every storage key is placed at the path given by the bits (most significant first) of
`kh = blake2b-256(key)`. A leaf sits at the shallowest depth where no other key shares its path
prefix, so the shape is a function of the key set alone (insertion order never matters), and the
expected depth is about log2(number of keys) + 1.3. There are no extension nodes: when two keys
share a long prefix, the internal nodes above their split have one empty child. A node with one
empty child and a leaf as the other child never exists (the leaf moves up), and the empty tree is
the constant `EMPTY_ROOT`. Soundness rests on domain separation: leaf and internal preimages start
with different bytes, and no hash equals the all-zero empty marker.

Hashes (all blake2b with a 32-byte digest, H below):

    EMPTY_ROOT    = 32 zero bytes (empty subtree, also the root of the empty state)
    leaf hash     = H(0x00 || kh || H(value))
    internal hash = H(0x01 || left || right)      left/right: child hashes, EMPTY_ROOT when empty

Stored records (LMDB values, byte-exact):

    leaf      0x00 || kh (32) || value
    internal  0x01 || left (32) || right (32) || left_version (u64 BE) || right_version (u64 BE)

Records are stored under a *position* key rather than their hash, after the Jellyfish Merkle
tree: `node_key = version (u64 BE) || depth (u16 BE) || path (32 bytes: kh with every bit from
`depth` on cleared)`. A node's hash is still pure content (proofs only ever see hashes); the
version is the batch that wrote it, and a parent records each child's version so the child's key
can be derived. All nodes of one batch share the newest version, so a block appends one sorted run
at the end of the table instead of scattering tens of thousands of random 32-byte hash keys over
the whole B-tree (which would dirty most of its pages at every commit). Unchanged subtrees keep
their old version and are shared between roots; nothing is ever overwritten, so every committed
root stays readable (archive mode).

A batch update walks the trie once for all changed keys, sorted by kh: a subtree with no change
is neither read nor rewritten, and a path shared by several changes is recomputed once. The cost
is therefore about (number of changed keys) x (depth below the shared top), independent of the
number of keys in the state.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping
from hashlib import blake2b

from phalanx.storage.errors import CorruptStore

EMPTY_ROOT = bytes(32)
"""Root of the empty state, and the hash of an empty subtree."""

LEAF = 0
INTERNAL = 1

MAX_VERSION = (1 << 64) - 1

NodeReader = Callable[[bytes], "bytes | None"]
Extra = tuple[int, bytes, bytes, bytes] | None  # an existing leaf merged into a rebuilt subtree
"""Reads the record stored under a node key, or None."""

_FULL = (1 << 256) - 1
_MASKS = tuple(_FULL ^ ((1 << (256 - depth)) - 1) for depth in range(257))
_DEPTHS = tuple(depth.to_bytes(2, "big") for depth in range(257))
_NO_VERSION = bytes(8)
_LEAF_TAG = b"\x00"
_INTERNAL_TAG = b"\x01"


def key_hash(key: bytes) -> bytes:
    """The trie path of a storage key: blake2b-256(key)."""
    return blake2b(key, digest_size=32).digest()


def leaf_hash(kh: bytes, value: bytes) -> bytes:
    """Hash of the leaf holding `value` for the key whose hash is `kh`."""
    return blake2b(_LEAF_TAG + kh + blake2b(value, digest_size=32).digest(), digest_size=32).digest()


def leaf_hash_from_value_hash(kh: bytes, value_hash: bytes) -> bytes:
    """Hash of a leaf given its key hash and value hash (the form absence proofs carry)."""
    return blake2b(_LEAF_TAG + kh + value_hash, digest_size=32).digest()


def internal_hash(left: bytes, right: bytes) -> bytes:
    """Hash of an internal node with the given child hashes (EMPTY_ROOT for an empty child)."""
    return blake2b(_INTERNAL_TAG + left + right, digest_size=32).digest()


def node_key(version: int, depth: int, path: int) -> bytes:
    """Storage key of the node written by batch `version` at `depth` on `path` (a 256-bit int)."""
    return ((version << 272) | (depth << 256) | (path & _MASKS[depth])).to_bytes(42, "big")


def _corrupt(what: str) -> CorruptStore:
    return CorruptStore(f"state trie: {what}")


def compute_update(
    read: NodeReader,
    root: bytes,
    root_version: int,
    version: int,
    changes: Mapping[bytes, bytes | None],
) -> tuple[bytes, int, dict[bytes, bytes]]:
    """Apply `changes` (key -> new value, None = delete) to the trie at `root`, in one pass.

    `root_version` is the version of the root node (ignored for EMPTY_ROOT) and `version` the
    version given to every node written. Returns (new root, version of the new root node, new
    records by node key). Reads only nodes on changed paths; writes only nodes that change.
    Raises CorruptStore if a node the walk needs is missing or malformed.
    """
    if not changes:
        return root, root_version, {}
    # Hot loop: locals only; versions stay 8-byte strings as stored, and b"" marks a leaf that
    # still has to be placed by its parent (a leaf's position changes when neighbours come or go).
    h32 = blake2b
    from_bytes = int.from_bytes
    masks = _MASKS
    depths = _DEPTHS
    empty = EMPTY_ROOT
    internal_tag = _INTERNAL_TAG
    nodes: dict[bytes, bytes] = {}
    vb = version.to_bytes(8, "big")

    # Changes sorted by path: ks[i] is the path int, hs[i] the leaf hash (None: delete),
    # recs[i] the leaf record, ins[i] how many inserts come before index i.
    staged: list[tuple[int, bytes | None, bytes | None]] = []
    for key, value in changes.items():
        kh = h32(key, digest_size=32).digest()
        if value is None:
            staged.append((from_bytes(kh, "big"), None, None))
        else:
            lh = h32(_LEAF_TAG + kh + h32(value, digest_size=32).digest(), digest_size=32).digest()
            staged.append((from_bytes(kh, "big"), lh, _LEAF_TAG + kh + value))
    staged.sort(key=lambda item: item[0])
    ks = [item[0] for item in staged]
    hs = [item[1] for item in staged]
    recs = [item[2] for item in staged]
    ins = [0]
    count = 0
    for maybe in hs:
        if maybe is not None:
            count += 1
        ins.append(count)

    def get(ver: bytes, depth: int, path: int) -> bytes:
        rec = read(ver + depths[depth] + (path & masks[depth]).to_bytes(32, "big"))
        if rec is None or len(rec) < 33:
            raise _corrupt(f"node missing at version {from_bytes(ver, 'big')}, depth {depth}")
        return rec

    def place(
        depth: int,
        path: int,
        lh: bytes,
        lrec: bytes | None,
        lv: bytes,
        rh: bytes,
        rrec: bytes | None,
        rv: bytes,
    ) -> tuple[bytes, None, bytes]:
        # Write an internal node at (depth, path) and any child leaf that has no place yet.
        if not lv:
            nodes[vb + depths[depth + 1] + (path & masks[depth + 1]).to_bytes(32, "big")] = lrec  # type: ignore[assignment]
            lv = vb
        if not rv:
            rpath = path | (1 << (255 - depth))
            nodes[vb + depths[depth + 1] + (rpath & masks[depth + 1]).to_bytes(32, "big")] = rrec  # type: ignore[assignment]
            rv = vb
        pair = lh + rh
        nodes[vb + depths[depth] + (path & masks[depth]).to_bytes(32, "big")] = internal_tag + pair + lv + rv
        return h32(internal_tag + pair, digest_size=32).digest(), None, vb

    def build(depth: int, lo: int, hi: int, extra: Extra) -> tuple[bytes, bytes | None, bytes]:
        # A fresh subtree from the inserts in [lo, hi) plus an optional existing leaf `extra`.
        n = ins[hi] - ins[lo] + (extra is not None)
        if n == 0:
            return empty, None, _NO_VERSION
        if n == 1:
            if extra is not None:
                return extra[1], extra[2], extra[3]
            for i in range(lo, hi):
                if hs[i] is not None:
                    return hs[i], recs[i], b""  # type: ignore[return-value]
        if depth >= 256:
            raise _corrupt("two distinct keys share all 256 path bits")
        bit = 1 << (255 - depth)
        left_extra: Extra = None
        right_extra: Extra = None
        if extra is not None:
            moved = (extra[0], extra[1], extra[2], b"")
            if extra[0] & bit:
                right_extra = moved
            else:
                left_extra = moved
            path = extra[0] & masks[depth]
        else:
            path = ks[lo] & masks[depth]
        mid = bisect_left(ks, path | bit, lo, hi) if lo < hi else lo
        lh, lrec, lv = build(depth + 1, lo, mid, left_extra)
        rh, rrec, rv = build(depth + 1, mid, hi, right_extra)
        return place(depth, path, lh, lrec, lv, rh, rrec, rv)

    def update(h: bytes, ver: bytes, depth: int, lo: int, hi: int) -> tuple[bytes, bytes | None, bytes]:
        # New (hash, leaf record or None, version) of the subtree `h` at `depth` after the
        # changes in [lo, hi). An empty version marks a leaf whose record still has to be placed.
        if h == empty:
            return build(depth, lo, hi, None)
        path = ks[lo] & masks[depth]
        rec = read(ver + depths[depth] + path.to_bytes(32, "big"))
        if rec is None or len(rec) < 33:
            raise _corrupt(f"node missing at version {from_bytes(ver, 'big')}, depth {depth}")
        if rec[0] == LEAF:
            ek = from_bytes(rec[1:33], "big")
            j = bisect_left(ks, ek, lo, hi)
            if j < hi and ks[j] == ek:
                if hi - lo == 1:
                    new_hash = hs[j]
                    if new_hash is None:
                        return empty, None, _NO_VERSION
                    if new_hash == h:
                        return h, rec, ver
                    return new_hash, recs[j], b""
                return build(depth, lo, hi, None)
            return build(depth, lo, hi, (ek, h, rec, ver))
        if len(rec) != 81 or rec[0] != INTERNAL:
            raise _corrupt(f"bad node record at depth {depth}")
        left = rec[1:33]
        right = rec[33:65]
        d1 = depth + 1
        bit = 1 << (255 - depth)
        mid = bisect_left(ks, path | bit, lo, hi)
        if mid > lo:
            lh, lrec, lv = update(left, rec[65:73], d1, lo, mid)
        else:
            lh, lrec, lv = left, None, rec[65:73]
        if mid < hi:
            rh, rrec, rv = update(right, rec[73:81], d1, mid, hi)
        else:
            rh, rrec, rv = right, None, rec[73:81]
        if lh == left and rh == right:
            return h, None, ver
        if lh == empty:
            if rh == empty:
                return empty, None, _NO_VERSION
            if rrec is None and mid == hi:  # untouched sibling: is it a leaf?
                other = get(rv, d1, path | bit)
                if other[0] == LEAF:
                    rrec = other
            if rrec is not None:
                return rh, rrec, b""
        elif rh == empty:
            if lrec is None and mid == lo:
                other = get(lv, d1, path)
                if other[0] == LEAF:
                    lrec = other
            if lrec is not None:
                return lh, lrec, b""
        return place(depth, path, lh, lrec, lv, rh, rrec, rv)

    new_root, root_rec, new_version = update(root, root_version.to_bytes(8, "big"), 0, 0, len(ks))
    if not new_version:
        nodes[node_key(version, 0, 0)] = root_rec  # type: ignore[assignment]
        new_version = vb
    if new_root == EMPTY_ROOT:
        new_version = _NO_VERSION
    return new_root, from_bytes(new_version, "big"), nodes


def lookup(read: NodeReader, root: bytes, root_version: int, key: bytes) -> bytes | None:
    """The value of `key` in the trie at `root` (None if absent)."""
    kh = key_hash(key)
    _siblings, rec = walk_path(read, root, root_version, kh)
    return rec[33:] if rec is not None and rec[1:33] == kh else None


def walk_path(
    read: NodeReader, root: bytes, root_version: int, kh: bytes
) -> tuple[list[bytes], bytes | None]:
    """Siblings from the root down the path of `kh`, and the record found at its end.

    The record is the leaf at the end of the path (maybe another key's leaf), or None when the
    path ends in an empty subtree.
    """
    path = int.from_bytes(kh, "big")
    siblings: list[bytes] = []
    h = root
    version = root_version
    depth = 0
    while h != EMPTY_ROOT:
        rec = read(node_key(version, depth, path))
        if rec is None or len(rec) < 33:
            raise _corrupt(f"node missing at version {version}, depth {depth}")
        if rec[0] == LEAF:
            return siblings, rec
        if (path >> (255 - depth)) & 1:
            siblings.append(rec[1:33])
            h, version = rec[33:65], int.from_bytes(rec[73:81], "big")
        else:
            siblings.append(rec[33:65])
            h, version = rec[1:33], int.from_bytes(rec[65:73], "big")
        depth += 1
    return siblings, None


def compute_root_of(items: Iterable[tuple[bytes, bytes]]) -> bytes:
    """The root of a state holding exactly `items` (key, value), built from scratch in memory."""
    root, _, _ = compute_update(lambda _key: None, EMPTY_ROOT, 0, 1, dict(items))
    return root
