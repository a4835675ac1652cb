"""The gatekeeper's state and its canonical SCALE snapshot (what the platform seals to disk).

Everything a gatekeeper knows comes from chain events, except its own keys: the enclave identity it
was registered with, its X25519 secret and the master keys it made or was sent. Collections are
tuples kept in one canonical order (sorted by key, gatekeepers in registration order), so that
equal states have equal snapshots and two gatekeepers that saw the same blocks are comparable.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from phalanx.codec import U8, U32, U64, CodecError, FixedBytes, Struct, Tuple, Vec, field_
from phalanx.tee.gatekeeper.errors import InvalidKeyMaterial, InvalidSnapshot

SNAPSHOT_VERSION = 1
ZERO_HASH = bytes(32)

Party = tuple[bytes, bytes]
"""(worker identity public key, X25519 public key)."""


@dataclass(frozen=True)
class GatekeeperState:
    """What one gatekeeper enclave knows.

    `generations` counts the master-key generations the gatekeeper group has made (0: none yet;
    the newest is `generations - 1`) whether or not this gatekeeper holds them; `masters` are the
    ones it holds. `next_sequence` is the group's next message sequence: every gatekeeper advances
    it for every message the group sends, including those it cannot produce itself.
    """

    identity: bytes
    x25519_secret: bytes = field(repr=False)
    block_number: int = 0
    block_hash: bytes = ZERO_HASH
    gatekeepers: tuple[Party, ...] = ()
    workers: tuple[Party, ...] = ()
    contracts: tuple[tuple[bytes, int], ...] = ()
    assignments: tuple[tuple[bytes, bytes], ...] = ()
    generations: int = 0
    masters: tuple[tuple[int, bytes], ...] = field(default=(), repr=False)
    published: tuple[tuple[int, bytes], ...] = ()
    next_sequence: int = 0

    def get_master(self, generation: int) -> bytes | None:
        return dict(self.masters).get(generation)

    def get_published(self, generation: int) -> bytes | None:
        return dict(self.published).get(generation)

    def get_worker_x25519(self, worker: bytes) -> bytes | None:
        return dict(self.workers).get(worker)

    def get_contract_first_generation(self, contract_id: bytes) -> int | None:
        return dict(self.contracts).get(contract_id)

    def is_gatekeeper(self, worker: bytes) -> bool:
        return any(gk == worker for gk, _ in self.gatekeepers)


def initial_state(identity: bytes, x25519_secret: bytes) -> GatekeeperState:
    """The state of a gatekeeper enclave before it has seen any block."""
    if not isinstance(identity, bytes) or len(identity) != 32:
        raise InvalidKeyMaterial("a gatekeeper identity is a 32-byte public key")
    if not isinstance(x25519_secret, bytes) or len(x25519_secret) != 32:
        raise InvalidKeyMaterial("an X25519 secret is 32 bytes")
    return GatekeeperState(identity, x25519_secret)


_KEY = FixedBytes(32)
_SNAPSHOT = Struct(
    ("phalanx", "gatekeeper", "Snapshot"),
    [
        field_("version", U8),
        field_("identity", _KEY),
        field_("x25519_secret", _KEY),
        field_("block_number", U32),
        field_("block_hash", _KEY),
        field_("gatekeepers", Vec(Tuple(_KEY, _KEY))),
        field_("workers", Vec(Tuple(_KEY, _KEY))),
        field_("contracts", Vec(Tuple(_KEY, U32))),
        field_("assignments", Vec(Tuple(_KEY, _KEY))),
        field_("generations", U32),
        field_("masters", Vec(Tuple(U32, _KEY))),
        field_("published", Vec(Tuple(U32, _KEY))),
        field_("next_sequence", U64),
    ],
)
_FIELDS = (
    "identity", "x25519_secret", "block_number", "block_hash", "gatekeepers", "workers", "contracts",
    "assignments", "generations", "masters", "published", "next_sequence",
)  # fmt: skip


def encode_state(state: GatekeeperState) -> bytes:
    """The canonical snapshot of `state` (it holds secrets: the platform seals it before it leaves)."""
    values = {name: getattr(state, name) for name in _FIELDS}
    for name in ("gatekeepers", "workers", "contracts", "assignments", "masters", "published"):
        values[name] = list(values[name])
    return _SNAPSHOT.encode({"version": SNAPSHOT_VERSION, **values})


def _is_sorted_unique(keys: list[bytes] | list[int]) -> bool:
    return all(a < b for a, b in itertools.pairwise(keys))  # type: ignore[operator]


def decode_state(data: bytes) -> GatekeeperState:
    """Read a snapshot back; raises `InvalidSnapshot` unless `data` is a canonical one."""
    try:
        raw = _SNAPSHOT.decode(data)
    except CodecError as exc:
        raise InvalidSnapshot(f"not a gatekeeper snapshot: {exc.message}") from None
    if raw["version"] != SNAPSHOT_VERSION:
        raise InvalidSnapshot(
            f"snapshot version {raw['version']} is not supported (expected {SNAPSHOT_VERSION})"
        )
    for name in ("workers", "contracts", "assignments", "masters", "published"):
        entries = raw[name]
        keys = entries if name == "assignments" else [entry[0] for entry in entries]
        if not _is_sorted_unique(keys):
            raise InvalidSnapshot(f"snapshot field {name} is not sorted and unique")
    if len({gk for gk, _ in raw["gatekeepers"]}) != len(raw["gatekeepers"]):
        raise InvalidSnapshot("snapshot lists a gatekeeper twice")
    if any(generation >= raw["generations"] for generation, _ in raw["masters"]):
        raise InvalidSnapshot("snapshot holds a master key of a generation the group has not made")
    values = {name: raw[name] for name in _FIELDS}
    for name in ("gatekeepers", "workers", "contracts", "assignments", "masters", "published"):
        values[name] = tuple(tuple(entry) for entry in values[name])
    return GatekeeperState(**values)
