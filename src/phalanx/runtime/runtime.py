"""`Runtime`: the chain as the node, the dev engine and the CometBFT application see it.

It owns the block store tables in the `phalanx.storage.Database` it is given, writes genesis into an
empty store, executes blocks (`build_block`, `import_block`) on overlays without touching the store,
and commits a built block atomically (`commit`: state update, header, body, justification and the
best/finalized pointers in one LMDB transaction). Reads (`state_get`, `header`, `events`, `call`, ...)
are served at the best block or at any committed block by hash.

Signature re-verification: `validate_transaction` remembers the hash of every extrinsic whose
signature it verified (with the birth block its era resolved to). `build_block` skips verifying those
again. This is sound because the extrinsic hash is blake2_256 over all of its bytes (signer,
signature, era, nonce, tip, call): an extrinsic with the same hash is the same signed data; the
remaining signed inputs are the genesis hash and versions (fixed for this process) and the birth block
hash, which is re-derived and must resolve to the same birth block as when verified. Only hashes this
process verified itself are trusted; `import_block` (blocks from elsewhere) verifies everything.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from phalanx.codec import U32, AccountId, DecodeError, Vec, encode_compact
from phalanx.errors import PhalanxError
from phalanx.runtime import executive as ex
from phalanx.runtime.assembly import CALLS, EVENTS
from phalanx.runtime.block import Block, DigestItem, Header, extrinsics_root
from phalanx.runtime.chain_spec import ChainSpec
from phalanx.runtime.errors import CannotDecode, GenesisError, InvalidBlock, UnknownBlock
from phalanx.runtime.extrinsic import Extrinsic, decode_extrinsic
from phalanx.runtime.framework import Context
from phalanx.runtime.genesis import build_genesis
from phalanx.runtime.modules.system import declarations as system_d
from phalanx.runtime.modules.system import logic as system
from phalanx.runtime.runtime_api import RuntimeApis
from phalanx.runtime.state import EmptyState, State, StateReader
from phalanx.runtime.types import PHASE
from phalanx.runtime.version import SPEC_VERSION, TRANSACTION_VERSION, RuntimeVersion
from phalanx.storage import Database, StateUpdate

HEADERS, BODIES, JUSTIFICATIONS, NUMBERS, META = (
    "chain.headers",
    "chain.bodies",
    "chain.justifications",
    "chain.numbers",
    "chain.meta",
)
_VERIFIED_CAP = 200_000


@dataclass(frozen=True)
class ValidTransaction:
    """A transaction the pool may keep: Substrate's `ValidTransaction` plus its hash, sender and nonce."""

    hash: bytes
    sender: bytes
    nonce: int
    priority: int
    requires: tuple[bytes, ...]
    provides: tuple[bytes, ...]
    longevity: int
    propagate: bool = True


@dataclass(frozen=True)
class ExtrinsicResult:
    hash: bytes
    index: int
    success: bool
    error: PhalanxError | None = None


@dataclass(frozen=True)
class BuiltBlock:
    """An executed block, not yet persisted. `commit` writes `update` and the block atomically."""

    block: Block
    hash: bytes
    outcomes: tuple[ExtrinsicResult, ...]
    dropped: list[tuple[bytes, PhalanxError]]
    update: StateUpdate = field(repr=False)
    state: State = field(repr=False)

    @property
    def changed_keys(self) -> Collection[bytes]:
        """The storage keys the block writes (what storage subscribers are told about)."""
        return self.update.changes.keys()


@dataclass(frozen=True)
class EventRecord:
    """A decoded `frame_system::EventRecord`: phase ("ApplyExtrinsic", index) / ("Finalization", None) ..."""

    phase: tuple[str, int | None]
    module: str
    name: str
    fields: dict[str, Any]
    topics: tuple[bytes, ...] = ()


class _DbState:
    """Head state of the store as a `StateReader` for genesis (before any snapshot exists)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, key: bytes) -> bytes | None:
        return self.db.get(key)

    def iter_prefix(self, prefix: bytes) -> Any:
        return self.db.iter_prefix(prefix)


class _AtRoot:
    """A committed historical state, read through the archive trie."""

    def __init__(self, db: Database, root: bytes) -> None:
        self.db, self.root = db, root

    def get(self, key: bytes) -> bytes | None:
        return self.db.get_at(self.root, key)

    def iter_prefix(self, prefix: bytes) -> Any:
        raise UnknownBlock("listing keys is only available at the best block")


class Runtime:
    def __init__(self, db: Database, spec: ChainSpec) -> None:
        self.db = db
        self.spec = spec
        self._lock = threading.RLock()
        self._verified: dict[bytes, int | None] = {}
        self._decoded: dict[bytes, Extrinsic] = {}
        self._version = RuntimeVersion()
        stored = db.read(META, b"genesis")
        if stored is None:
            stored = self._write_genesis()
        elif db.read(META, b"spec_id") != spec.id.encode():
            raise GenesisError(f"the store holds chain {db.read(META, b'spec_id')!r}, not {spec.id!r}")
        self.genesis_hash: bytes = stored
        self.chain = ex.ChainInfo(stored, SPEC_VERSION, TRANSACTION_VERSION)
        self.apis = RuntimeApis(self)

    # -- genesis -------------------------------------------------------------------------------------

    def _write_genesis(self) -> bytes:
        self.spec.genesis.check()
        state = State(EmptyState())
        build_genesis(Context(state, 0), self.spec.genesis)
        changes = {k: v for k, v in state.changes.items() if v is not None}
        update = self.db.compute_root(self.db.state_root, changes)
        header = Header(bytes(32), 0, update.root, extrinsics_root(()), ())
        block_hash = header.hash()
        with self.db.write() as w:
            w.apply_update(update)
            self._write_block(w, Block(header, ()), block_hash, None)
            w.put(META, b"genesis", block_hash)
            w.put(META, b"spec_id", self.spec.id.encode())
        return block_hash

    @staticmethod
    def _write_block(w: Any, block: Block, block_hash: bytes, justification: bytes | None) -> None:
        w.put(HEADERS, block_hash, block.header.encode())
        w.put(BODIES, block_hash, encode_compact(len(block.extrinsics)) + b"".join(block.extrinsics))
        w.put(NUMBERS, block.header.number.to_bytes(4, "big"), block_hash)
        if justification is not None:
            w.put(JUSTIFICATIONS, block_hash, justification)
        w.put(META, b"best", block_hash)

    # -- chain -----------------------------------------------------------------------------------------

    @property
    def dev_authority(self) -> bytes | None:
        """The sr25519 public key whose signature finalizes dev-engine blocks (from genesis)."""
        return self.spec.genesis.dev_authority

    def best_hash(self) -> bytes:
        best = self.db.read(META, b"best")
        return self.genesis_hash if best is None else best

    def finalized_hash(self) -> bytes:
        return self.best_hash()

    def best_header(self) -> Header:
        header = self.header(self.best_hash())
        if header is None:
            raise UnknownBlock("the best block header is missing from the store")
        return header

    def best_number(self) -> int:
        return self.best_header().number

    def block_hash(self, number: int) -> bytes | None:
        if not 0 <= number < 1 << 32:
            return None
        return self.db.read(NUMBERS, number.to_bytes(4, "big"))

    def header(self, block_hash: bytes) -> Header | None:
        raw = self.db.read(HEADERS, block_hash)
        return None if raw is None else Header.decode(raw)

    def block(self, block_hash: bytes) -> Block | None:
        header = self.header(block_hash)
        body = self.db.read(BODIES, block_hash)
        if header is None or body is None:
            return None
        return Block.decode(header.encode() + body)

    def justification(self, block_hash: bytes) -> bytes | None:
        return self.db.read(JUSTIFICATIONS, block_hash)

    def runtime_version(self) -> RuntimeVersion:
        return self._version

    def metadata(self) -> bytes:
        from phalanx.runtime.metadata import runtime_metadata

        return runtime_metadata()

    # -- state -----------------------------------------------------------------------------------------

    def _reader(self, at: bytes | None) -> StateReader:
        if at is None or at == self.best_hash():
            return _DbState(self.db)
        header = self.header(at)
        if header is None:
            raise UnknownBlock(f"unknown block 0x{at.hex()}")
        return _AtRoot(self.db, header.state_root)

    def state_get(self, key: bytes, at: bytes | None = None) -> bytes | None:
        return self._reader(at).get(key)

    def state_keys_paged(
        self, prefix: bytes, count: int, start_key: bytes | None, at: bytes | None = None
    ) -> list[bytes]:
        if at is not None and at != self.best_hash():
            if self.header(at) is None:
                raise UnknownBlock(f"unknown block 0x{at.hex()}")
            raise UnknownBlock("listing keys is only available at the best block")
        return self.db.keys_paged(prefix, count, start_key)

    def state_proof(self, keys: Sequence[bytes], at: bytes | None = None) -> bytes:
        """Proofs of `keys` against the block's state root.

        Encoding: Vec<(key: Bytes, value: Option<Bytes>, proof: Bytes)>, each proof in
        `phalanx.storage.proof.StateProof` encoding."""
        header = self.header(at or self.best_hash())
        if header is None:
            raise UnknownBlock("unknown block")
        out = bytearray(encode_compact(len(keys)))
        for key in keys:
            value, proof = self.db.prove_with_value(header.state_root, key)
            raw = proof.encode()
            out += encode_compact(len(key)) + key
            out += b"\x00" if value is None else b"\x01" + encode_compact(len(value)) + value
            out += encode_compact(len(raw)) + raw
        return bytes(out)

    def account_nonce(self, account: bytes, at: bytes | None = None) -> int:
        return system.get_account(State(self._reader(at)), account).nonce

    def events(self, at: bytes | None = None) -> list[EventRecord]:
        raw = self.state_get(system_d.Events.key, at)
        return [] if raw is None else decode_events(raw)

    def call(self, method: str, data: bytes, at: bytes | None = None) -> bytes:
        """Runtime APIs for `state_call` (see `phalanx.runtime.runtime_api`)."""
        return self.apis.call(method, data, at)

    # -- transactions ----------------------------------------------------------------------------------

    def decode(self, xt: bytes) -> Extrinsic:
        """Decode an extrinsic once (cached by its bytes); raises CannotDecode and other validity errors."""
        cached = self._decoded.get(xt)
        if cached is not None:
            return cached
        decoded = decode_extrinsic(xt, CALLS)
        if len(self._decoded) >= _VERIFIED_CAP:
            self._decoded.clear()
        self._decoded[xt] = decoded
        return decoded

    def validate_transaction(self, xt: bytes, at: bytes | None = None) -> ValidTransaction:
        """Check `xt` against the best state for the pool; writes nothing.

        Raises CannotDecode, InvalidTransaction (BadProof, Stale, Payment, AncientBirthBlock, ...) or
        UnknownTransaction, each with a message a person can act on.
        """
        if not isinstance(xt, bytes):
            raise CannotDecode("an extrinsic is bytes")
        decoded = self.decode(xt)
        header = self.best_header() if at is None else self.header(at)
        if header is None:
            raise UnknownBlock("unknown block")
        parent = header.hash()
        current = header.number + 1
        state = State(self._reader(at))
        checked = ex.check_extrinsic(self.chain, state, decoded, current, parent, in_block=False)
        signer: bytes = decoded.signer  # type: ignore[assignment]
        if len(self._verified) >= _VERIFIED_CAP:
            self._verified.clear()
        self._verified[decoded.hash] = checked.birth
        info = checked.sender_info
        requires = () if decoded.nonce <= info.nonce else (_tag(signer, decoded.nonce - 1),)
        return ValidTransaction(
            decoded.hash,
            signer,
            decoded.nonce,
            min(decoded.tip, (1 << 64) - 1),
            requires,
            (_tag(signer, decoded.nonce),),
            checked.longevity,
        )

    # -- blocks ----------------------------------------------------------------------------------------

    def build_block(
        self,
        parent_hash: bytes,
        timestamp_ms: int,
        extrinsics: Sequence[bytes],
        *,
        preverified: Collection[bytes] | None = None,
        digest: Sequence[DigestItem] = (),
    ) -> BuiltBlock:
        """Execute a new block on the best block: timestamp inherent first, then `extrinsics` in order.

        An extrinsic invalid at its turn is dropped (`BuiltBlock.dropped`); one whose call fails is
        included with its fee paid. `preverified`: hashes whose signatures this runtime verified in
        `validate_transaction` (None: all it remembers) are not verified again. Nothing is persisted.
        """
        parent = self._parent(parent_hash)
        remembered = self._verified
        hashes = remembered.keys() if preverified is None else [h for h in preverified if h in remembered]
        trusted = {h: remembered[h] for h in hashes}
        inherent = ex.timestamp_inherent(timestamp_ms)
        return self._execute(parent, inherent, extrinsics, tuple(digest), building=True, trusted=trusted)

    def import_block(self, block: Block) -> BuiltBlock:
        """Re-execute a block received from elsewhere; InvalidBlock unless it matches exactly."""
        header = block.header
        parent = self._parent(header.parent_hash)
        if header.number != parent.number + 1:
            raise InvalidBlock(f"block number {header.number} does not follow its parent's {parent.number}")
        if not block.extrinsics:
            raise InvalidBlock("a block starts with the timestamp inherent")
        built = self._execute(
            parent, block.extrinsics[0], block.extrinsics[1:], header.digest, building=False, trusted=None
        )
        mine = built.block.header
        if mine.extrinsics_root != header.extrinsics_root:
            raise InvalidBlock("extrinsics root does not match the block's extrinsics")
        if mine.state_root != header.state_root:
            raise InvalidBlock(
                f"state root mismatch: executed 0x{mine.state_root.hex()}, "
                f"header says 0x{header.state_root.hex()}"
            )
        return built

    def _parent(self, parent_hash: bytes) -> Header:
        best = self.best_hash()
        if parent_hash != best:
            if self.header(parent_hash) is None:
                raise InvalidBlock(f"unknown parent block 0x{parent_hash.hex()}")
            raise InvalidBlock("blocks are built and imported only on top of the best (finalized) block")
        return self.best_header()

    def _execute(
        self,
        parent: Header,
        inherent: bytes,
        extrinsics: Sequence[bytes],
        digest: tuple[DigestItem, ...],
        *,
        building: bool,
        trusted: dict[bytes, int | None] | None,
    ) -> BuiltBlock:
        parent_hash = parent.hash()
        with self.db.snapshot() as snapshot:
            execution = ex.execute_block(
                self.chain,
                snapshot,
                parent_hash,
                parent.number + 1,
                inherent,
                extrinsics,
                building=building,
                preverified=trusted,
                decoded=self._decoded.get,
                digest=digest,
            )
            update = self.db.compute_root(parent.state_root, execution.state.changes)
        header = Header(parent_hash, parent.number + 1, update.root, execution.extrinsics_root, digest)
        block = Block(header, tuple(execution.extrinsics))
        outcomes = tuple(ExtrinsicResult(o.hash, o.index, o.success, o.error) for o in execution.outcomes)
        return BuiltBlock(block, header.hash(), outcomes, execution.dropped, update, execution.state)

    def commit(self, built: BuiltBlock, justification: bytes | None = None) -> None:
        """Persist a built block atomically; it becomes the best and finalized block."""
        with self._lock:
            if built.block.header.parent_hash != self.best_hash():
                raise InvalidBlock("the block's parent is no longer the best block")
            with self.db.write() as w:
                w.apply_update(built.update)
                self._write_block(w, built.block, built.hash, justification)
            for raw in built.block.extrinsics:
                decoded = self._decoded.pop(raw, None)
                if decoded is not None:
                    self._verified.pop(decoded.hash, None)


def _tag(who: bytes, nonce: int) -> bytes:
    return AccountId.encode(who) + U32.encode(nonce)


_EVENTS_CODEC = Vec(system_d.EVENT_RECORD)


def decode_events(raw: bytes) -> list[EventRecord]:
    """Decode `System.Events` storage bytes."""
    try:
        records = _EVENTS_CODEC.decode(raw)
    except DecodeError as exc:
        raise InvalidBlock(f"System.Events does not decode: {exc}") from None
    out = []
    for rec in records:
        module, (name, fields) = rec["event"]
        phase_name, phase_value = rec["phase"]
        out.append(
            EventRecord((phase_name, phase_value), module, name, dict(fields or {}), tuple(rec["topics"]))
        )
    return out


__all__ = ["EVENTS", "PHASE", "BuiltBlock", "EventRecord", "ExtrinsicResult", "Runtime", "ValidTransaction"]
