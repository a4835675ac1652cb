"""`Runtime`: the chain's state transition function, executed on committed states it is handed.

The runtime writes genesis (`genesis_block`), checks transactions (`validate_transaction`) and
executes blocks (`build_block`, `import_block`) on a parent's committed state; it stores nothing.
Keeping blocks, the best/finalized pointers and the states they commit to is the chain store's work
(`phalanx.chain`), which hands the runtime a parent state and commits what it built.

Signature re-verification: `validate_transaction` remembers the hash of every extrinsic whose
signature it verified (with the birth block its era resolved to). `build_block` skips verifying those
again. This is sound because the extrinsic hash is blake2_256 over all of its bytes (signer,
signature, era, nonce, tip, call): an extrinsic with the same hash is the same signed data; the
remaining signed inputs are the genesis hash and versions (fixed for this process) and the birth block
hash, which is re-derived and must resolve to the same birth block as when verified. Only hashes this
process verified itself are trusted; `import_block` (blocks from elsewhere) verifies everything.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from phalanx.codec import U32, AccountId
from phalanx.errors import PhalanxError
from phalanx.runtime import executive as ex
from phalanx.runtime.assembly import CALLS, EVENTS
from phalanx.runtime.block import Block, DigestItem, Header, extrinsics_root
from phalanx.runtime.chain_spec import ChainSpec
from phalanx.runtime.errors import CannotDecode, InvalidBlock
from phalanx.runtime.events import EventRecord, decode_events
from phalanx.runtime.extrinsic import Extrinsic, decode_extrinsic
from phalanx.runtime.framework import Context
from phalanx.runtime.genesis import build_genesis
from phalanx.runtime.modules.system import declarations as system_d
from phalanx.runtime.modules.system import logic as system
from phalanx.runtime.state import CommittedState, EmptyState, State, StateReader
from phalanx.runtime.types import PHASE
from phalanx.runtime.version import SPEC_VERSION, TRANSACTION_VERSION, RuntimeVersion

if TYPE_CHECKING:
    from phalanx.storage import StateUpdate

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
    """An executed block, not yet persisted. The chain store commits `update` and the block atomically."""

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


def genesis_block(spec: ChainSpec, empty: CommittedState) -> BuiltBlock:
    """The genesis block of `spec`, built on `empty` (the committed state of an empty store).

    Raises GenesisError if the genesis configuration is not usable."""
    spec.genesis.check()
    state = State(EmptyState())
    build_genesis(Context(state, 0), spec.genesis)
    changes = {k: v for k, v in state.changes.items() if v is not None}
    update = empty.compute_update(changes)
    header = Header(bytes(32), 0, update.root, extrinsics_root(()), ())
    return BuiltBlock(Block(header, ()), header.hash(), (), [], update, state)


class Runtime:
    """The state transition function of the chain `spec` whose genesis block is `genesis_hash`."""

    def __init__(self, spec: ChainSpec, genesis_hash: bytes) -> None:
        self.spec = spec
        self.genesis_hash = genesis_hash
        self.chain = ex.ChainInfo(genesis_hash, SPEC_VERSION, TRANSACTION_VERSION)
        self._verified: dict[bytes, int | None] = {}
        self._decoded: dict[bytes, Extrinsic] = {}
        self._version = RuntimeVersion()

    @property
    def dev_authority(self) -> bytes | None:
        """The sr25519 public key whose signature finalizes dev-engine blocks (from genesis)."""
        return self.spec.genesis.dev_authority

    def runtime_version(self) -> RuntimeVersion:
        return self._version

    def metadata(self) -> bytes:
        from phalanx.runtime.metadata import runtime_metadata

        return runtime_metadata()

    # -- reads of a committed state --------------------------------------------------------------------

    def account_nonce(self, account: bytes, state: StateReader) -> int:
        return system.get_account(State(state), account).nonce

    def events(self, state: StateReader) -> list[EventRecord]:
        """The events of the block whose committed state is `state`."""
        raw = state.get(system_d.Events.key)
        return [] if raw is None else decode_events(raw)

    # -- transactions ----------------------------------------------------------------------------------

    def decode(self, xt: bytes) -> Extrinsic:
        """Decode an extrinsic once (cached by its bytes); raises CannotDecode and other validity errors."""
        if not isinstance(xt, bytes):
            raise CannotDecode("an extrinsic is bytes")
        cached = self._decoded.get(xt)
        if cached is not None:
            return cached
        decoded = decode_extrinsic(xt, CALLS)
        if len(self._decoded) >= _VERIFIED_CAP:
            self._decoded.clear()
        self._decoded[xt] = decoded
        return decoded

    def validate_transaction(self, xt: bytes, parent: Header, state: StateReader) -> ValidTransaction:
        """Check `xt` for a block on `parent`, whose committed state is `state`; writes nothing.

        Raises CannotDecode, InvalidTransaction (BadProof, Stale, Payment, AncientBirthBlock, ...) or
        UnknownTransaction, each with a message a person can act on.
        """
        decoded = self.decode(xt)
        current = parent.number + 1
        checked = ex.check_extrinsic(
            self.chain, State(state), decoded, current, parent.hash(), in_block=False
        )
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
        parent: Header,
        state: CommittedState,
        timestamp_ms: int,
        extrinsics: Sequence[bytes],
        *,
        preverified: Collection[bytes] | None = None,
        digest: Sequence[DigestItem] = (),
    ) -> BuiltBlock:
        """Execute a new block on `parent` (committed state `state`): timestamp inherent first, then
        `extrinsics` in order.

        An extrinsic invalid at its turn is dropped (`BuiltBlock.dropped`); one whose call fails is
        included with its fee paid. `preverified`: hashes whose signatures this runtime verified in
        `validate_transaction` (None: all it remembers) are not verified again. Nothing is persisted.
        """
        remembered = self._verified
        hashes = remembered.keys() if preverified is None else [h for h in preverified if h in remembered]
        trusted = {h: remembered[h] for h in hashes}
        inherent = ex.timestamp_inherent(timestamp_ms)
        return self._execute(
            parent, state, inherent, extrinsics, tuple(digest), building=True, trusted=trusted
        )

    def import_block(self, parent: Header, state: CommittedState, block: Block) -> BuiltBlock:
        """Re-execute a block received from elsewhere on `parent`; InvalidBlock unless it matches exactly."""
        header = block.header
        if header.number != parent.number + 1:
            raise InvalidBlock(f"block number {header.number} does not follow its parent's {parent.number}")
        if not block.extrinsics:
            raise InvalidBlock("a block starts with the timestamp inherent")
        built = self._execute(
            parent, state, block.extrinsics[0], block.extrinsics[1:], header.digest, building=False,
            trusted=None,
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

    def _execute(
        self,
        parent: Header,
        state: CommittedState,
        inherent: bytes,
        extrinsics: Sequence[bytes],
        digest: tuple[DigestItem, ...],
        *,
        building: bool,
        trusted: dict[bytes, int | None] | None,
    ) -> BuiltBlock:
        parent_hash = parent.hash()
        execution = ex.execute_block(
            self.chain,
            state,
            parent_hash,
            parent.number + 1,
            inherent,
            extrinsics,
            building=building,
            preverified=trusted,
            decoded=self._decoded.get,
            digest=digest,
        )
        update = state.compute_update(execution.state.changes)
        header = Header(parent_hash, parent.number + 1, update.root, execution.extrinsics_root, digest)
        block = Block(header, tuple(execution.extrinsics))
        outcomes = tuple(ExtrinsicResult(o.hash, o.index, o.success, o.error) for o in execution.outcomes)
        return BuiltBlock(block, header.hash(), outcomes, execution.dropped, update, execution.state)

    def forget_included(self, extrinsics: Iterable[bytes]) -> None:
        """Drop the caches kept for extrinsics a committed block included (they cannot be included again)."""
        for raw in extrinsics:
            decoded = self._decoded.pop(raw, None)
            if decoded is not None:
                self._verified.pop(decoded.hash, None)


def _tag(who: bytes, nonce: int) -> bytes:
    return AccountId.encode(who) + U32.encode(nonce)


__all__ = ["EVENTS", "PHASE", "BuiltBlock", "EventRecord", "ExtrinsicResult", "Runtime", "ValidTransaction"]
