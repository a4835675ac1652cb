"""The chain runtime as a CometBFT ABCI 2.0 application.

CometBFT orders transactions; the runtime executes them. The mapping:

- Info: the last committed block number and its state root, so that after a crash CometBFT replays
  exactly the blocks the store lacks (the chain store commits each block in one LMDB transaction).
- InitChain: checks that CometBFT's genesis (app state, validators, initial height) is the chain
  spec this node opened, and answers the genesis state root.
- CheckTx: `Blockchain.validate_transaction` against the best state (signature, nonce, fee payer);
  no writes. Refusals carry a non-zero code and a log naming the reason. Rechecks after each block
  drop transactions whose nonce the chain has used.
- PrepareProposal: builds the block on a scratch overlay and proposes only what executed.
- ProcessProposal: rejects a proposal with an undecodable or invalid transaction (a correct
  proposer never includes one), or one the runtime cannot build on at all.
- FinalizeBlock: executes the decided block with CometBFT's block time as the timestamp inherent,
  and returns the new state root as the app hash. CometBFT commits that hash in the *next* header:
  the app hash in header H+1 is the state after block H, the Substrate `stateRoot` of block H.
  Validator-set changes the runtime decided (Validators' `PowerSet` events) go back as updates.
- Consensus facts reach the runtime in the Substrate header's digest (`consensus_digest`): the
  proposer's address (`PreRuntime(b"cmbt", address)`, for Staking's reward points) and the
  misbehaviour CometBFT committed (`PreRuntime(b"cmbe", evidence)`, for slashing). PrepareProposal,
  ProcessProposal and FinalizeBlock of one block carry the same proposer and evidence, so every
  step executes the same block.
- Commit: persists the block atomically; block number N of the Substrate view is CometBFT height N.

The application is single-threaded: the ABCI server calls it on its event loop, one call at a time.
The runtime must be deterministic: every validator executes the same blocks to the same roots,
otherwise CometBFT halts at the first disagreement.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from phalanx.crypto.hashing import blake2_256
from phalanx.engine.abci.application import Application
from phalanx.engine.abci.types import (
    CheckTxRequest,
    CommitResponse,
    Event,
    EventAttribute,
    FinalizeBlockRequest,
    FinalizeBlockResponse,
    InfoRequest,
    InfoResponse,
    InitChainRequest,
    InitChainResponse,
    Misbehavior,
    PrepareProposalRequest,
    PrepareProposalResponse,
    ProcessProposalRequest,
    ProcessProposalResponse,
    QueryRequest,
    QueryResponse,
    TxResult,
    ValidatorUpdate,
)
from phalanx.engine.cometbft.errors import InvalidGenesis
from phalanx.engine.cometbft.validators import VALIDATOR_STORAGE, validator_updates_from_events
from phalanx.errors import PhalanxError
from phalanx.runtime.block import DigestItem
from phalanx.runtime.errors import (
    CannotDecode,
    InvalidTransaction,
    TransactionValidityError,
    UnknownTransaction,
)
from phalanx.runtime.events import decode_events
from phalanx.runtime.modules import validators
from phalanx.runtime.modules.system.declarations import Events

log = logging.getLogger(__name__)

APP_VERSION = 1
CODESPACE = "runtime"
CODE_CANNOT_DECODE = 2
CODE_INVALID = 3
CODE_UNKNOWN = 4
CODE_DISPATCH_FAILED = 5
CODE_DROPPED = 6
CODE_UNKNOWN_PATH = 7
QUERY_STORAGE_PATH = "/storage"
EVENTS_KEY: bytes = Events.key


class ExecutedBlock(Protocol):
    """What the application reads of the runtime's `BuiltBlock`."""

    @property
    def block(self) -> Any: ...
    @property
    def hash(self) -> bytes: ...
    @property
    def dropped(self) -> Sequence[tuple[bytes, PhalanxError]]: ...
    @property
    def changed_keys(self) -> Collection[bytes]: ...


class ApplicationChain(Protocol):
    """The chain calls the application makes (`phalanx.chain.Blockchain` has them)."""

    @property
    def spec(self) -> Any: ...
    @property
    def genesis_hash(self) -> bytes: ...
    def best_hash(self) -> bytes: ...
    def best_number(self) -> int: ...
    def header(self, block_hash: bytes) -> Any: ...
    def validate_transaction(self, xt: bytes) -> Any: ...
    def build_block(self, parent_hash: bytes, timestamp_ms: int, extrinsics: Sequence[bytes], *,
                    digest: Sequence[DigestItem] = ()) -> Any: ...
    def commit(self, built: Any, justification: bytes | None = None) -> None: ...
    def state_get(self, key: bytes, at: bytes | None = None) -> bytes | None: ...
    def events(self, at: bytes | None = None) -> list[Any]: ...


@dataclass(frozen=True)
class CommittedBlock:
    """What listeners learn after each Commit: the Substrate block, and which transactions it took."""

    hash: bytes
    number: int
    included: tuple[bytes, ...]
    dropped: tuple[tuple[bytes, PhalanxError], ...]  # (extrinsic hash, why the block left it out)
    changed_keys: Collection[bytes]  # the storage keys the block wrote


def refusal(error: PhalanxError) -> TxResult:
    """A CheckTx / FinalizeBlock result for a transaction the runtime refused."""
    if isinstance(error, CannotDecode):
        code = CODE_CANNOT_DECODE
    elif isinstance(error, InvalidTransaction):
        code = CODE_INVALID
    elif isinstance(error, UnknownTransaction):
        code = CODE_UNKNOWN
    else:
        code = CODE_INVALID
    text = error.rpc_text() if isinstance(error, TransactionValidityError) else error.message
    return TxResult(code=code, log=text, codespace=CODESPACE)


def block_time_ms(time_ns: int) -> int:
    return time_ns // 1_000_000


def consensus_digest(proposer_address: bytes, misbehavior: Sequence[Misbehavior]) -> tuple[DigestItem, ...]:
    """The digest items a block carries for the runtime: its proposer and the evidence it commits."""
    items = []
    if proposer_address:
        items.append(DigestItem("PreRuntime", proposer_address, validators.PROPOSER_ENGINE))
    if misbehavior:
        evidence = [(int(m.kind), m.validator_address, m.height) for m in misbehavior]
        data = validators.encode_evidence(evidence)
        items.append(DigestItem("PreRuntime", data, validators.EVIDENCE_ENGINE))
    return tuple(items)


def dropped_by_hash(built: ExecutedBlock) -> dict[bytes, PhalanxError]:
    """The builder's refusals keyed by extrinsic hash (`BuiltBlock.dropped` names each by its bytes)."""
    return {blake2_256(xt): error for xt, error in built.dropped}


class RuntimeApplication(Application):
    """Serves one `Blockchain` to CometBFT; see the module docstring."""

    def __init__(self, chain: ApplicationChain) -> None:
        self.chain = chain
        self._pending: tuple[ExecutedBlock, FinalizeBlockRequest] | None = None
        self._proposal_cache: dict[bytes, tuple[tuple[bytes, ...], int, ExecutedBlock]] = {}
        self._listeners: list[Callable[[CommittedBlock], None]] = []

    def add_listener(self, listener: Callable[[CommittedBlock], None]) -> None:
        """Call `listener(block)` after each committed block."""
        self._listeners.append(listener)

    # -- connection: info ----------------------------------------------------------------------------

    def info(self, request: InfoRequest) -> InfoResponse:
        number = self.chain.best_number()
        app_hash = b"" if number == 0 else self._state_root(self.chain.best_hash())
        return InfoResponse(data="phalanx", version=str(APP_VERSION), app_version=APP_VERSION,
                            last_block_height=number, last_block_app_hash=app_hash)

    def _state_root(self, block_hash: bytes) -> bytes:
        header = self.chain.header(block_hash)
        if header is None:
            raise InvalidGenesis(f"block 0x{block_hash.hex()} is missing from the store")
        root: bytes = header.state_root
        return root

    def query(self, request: QueryRequest) -> QueryResponse:
        if request.path != QUERY_STORAGE_PATH:
            return QueryResponse(code=CODE_UNKNOWN_PATH, log=f"unknown query path {request.path!r}; "
                                 f"use {QUERY_STORAGE_PATH} with a storage key", codespace=CODESPACE)
        value = self.chain.state_get(request.data)
        return QueryResponse(key=request.data, value=value or b"", height=self.chain.best_number(),
                             log="exists" if value is not None else "does not exist")

    # -- connection: consensus -----------------------------------------------------------------------

    def init_chain(self, request: InitChainRequest) -> InitChainResponse:
        if request.initial_height not in (0, 1):
            raise InvalidGenesis(f"genesis initial_height must be 1, got {request.initial_height}")
        if request.app_state_bytes:
            try:
                app_state = json.loads(request.app_state_bytes)
            except json.JSONDecodeError as exc:
                raise InvalidGenesis(f"genesis app_state is not JSON: {exc}") from None
            if app_state and app_state != self.chain.spec.to_json():
                raise InvalidGenesis("genesis app_state is not the chain spec this node was started with")
        if not request.validators:
            raise InvalidGenesis("genesis names no validators")
        listed = getattr(self.chain.spec.genesis, "validators", None)
        if listed:
            ours = sorted((bytes(key), int(power)) for key, power in listed)
            theirs = sorted((v.pub_key, v.power) for v in request.validators)
            if ours != theirs:
                raise InvalidGenesis("CometBFT's genesis validators are not the chain spec's validator set")
        if self.chain.best_number() != 0:
            raise InvalidGenesis("InitChain on a store that holds blocks; remove the node's base path")
        return InitChainResponse(app_hash=self._state_root(self.chain.genesis_hash))

    def prepare_proposal(self, request: PrepareProposalRequest) -> PrepareProposalResponse:
        candidates: list[bytes] = []
        size = 0
        seen: set[bytes] = set()
        for tx in request.txs:
            if size + len(tx) > request.max_tx_bytes:
                break
            tx_hash = blake2_256(tx)
            if tx_hash in seen:
                continue
            seen.add(tx_hash)
            candidates.append(tx)
            size += len(tx)
        digest = consensus_digest(request.proposer_address, request.misbehavior)
        try:
            built = self._build(candidates, request.time_ns, digest)
        except PhalanxError:
            log.exception("building the proposal at height %d failed; proposing nothing", request.height)
            return PrepareProposalResponse(txs=())
        dropped = dropped_by_hash(built)
        chosen = tuple(tx for tx in candidates if blake2_256(tx) not in dropped)
        if not dropped:
            self._remember(chosen, request.time_ns, digest, built)
        return PrepareProposalResponse(txs=chosen)

    def process_proposal(self, request: ProcessProposalRequest) -> ProcessProposalResponse:
        if len({blake2_256(tx) for tx in request.txs}) != len(request.txs):
            log.warning("rejecting proposal at height %d: a transaction appears twice", request.height)
            return ProcessProposalResponse(accept=False)
        digest = consensus_digest(request.proposer_address, request.misbehavior)
        cached = self._cached(request.txs, request.time_ns, digest)
        if cached is not None:
            return ProcessProposalResponse(accept=True)
        try:
            built = self._build(request.txs, request.time_ns, digest)
        except PhalanxError as error:
            log.warning("rejecting proposal at height %d: %s", request.height, error.message)
            return ProcessProposalResponse(accept=False)
        if built.dropped:
            first = built.dropped[0][1]
            log.warning("rejecting proposal at height %d: it contains %d invalid transaction(s), first: %s",
                        request.height, len(built.dropped), first.message)
            return ProcessProposalResponse(accept=False)
        self._remember(tuple(request.txs), request.time_ns, digest, built)
        return ProcessProposalResponse(accept=True)

    def finalize_block(self, request: FinalizeBlockRequest) -> FinalizeBlockResponse:
        digest = consensus_digest(request.proposer_address, request.misbehavior)
        built = self._cached(request.txs, request.time_ns, digest)
        if built is None:
            built = self._build(request.txs, request.time_ns, digest)
        self._proposal_cache.clear()
        self._pending = (built, request)
        dropped = dropped_by_hash(built)
        results = []
        for tx in request.txs:
            refused = dropped.get(blake2_256(tx))
            if refused is not None:
                text = refusal(refused).log
                results.append(TxResult(code=CODE_DROPPED, log=f"not executed: {text}", codespace=CODESPACE))
            else:
                results.append(TxResult(events=(Event("extrinsic", (
                    EventAttribute("hash", "0x" + blake2_256(tx).hex()),)),)))
        header = built.block.header
        events = (Event("block", (EventAttribute("number", str(header.number)),
                                  EventAttribute("hash", "0x" + built.hash.hex()))),)
        updates = self._validator_updates(built)
        return FinalizeBlockResponse(tx_results=tuple(results), app_hash=bytes(header.state_root),
                                     events=events, validator_updates=updates)

    def commit(self) -> CommitResponse:
        if self._pending is None:
            return CommitResponse()
        built, request = self._pending
        self.chain.commit(built)
        self._pending = None
        dropped = dropped_by_hash(built)
        included = tuple(h for h in (blake2_256(tx) for tx in request.txs) if h not in dropped)
        committed = CommittedBlock(hash=built.hash, number=int(built.block.header.number), included=included,
                                   dropped=tuple(dropped.items()), changed_keys=built.changed_keys)
        for listener in self._listeners:
            try:
                listener(committed)
            except Exception:
                log.exception("a block listener failed after block #%d", committed.number)
        return CommitResponse()

    # -- connection: mempool -------------------------------------------------------------------------

    def check_tx(self, request: CheckTxRequest) -> TxResult:
        try:
            self.chain.validate_transaction(request.tx)
        except PhalanxError as error:
            return refusal(error)
        return TxResult()

    # -- helpers -------------------------------------------------------------------------------------

    def _build(self, txs: Sequence[bytes], time_ns: int, digest: tuple[DigestItem, ...]) -> ExecutedBlock:
        parent = self.chain.best_hash()
        built: ExecutedBlock = self.chain.build_block(parent, block_time_ms(time_ns), list(txs),
                                                        digest=digest)
        return built

    def _cache_key(self, txs: Sequence[bytes], time_ns: int, digest: tuple[DigestItem, ...]) -> bytes:
        header_part = self.chain.best_hash() + time_ns.to_bytes(8, "little")
        return blake2_256(header_part + b"".join(item.encode() for item in digest)
                          + b"".join(blake2_256(tx) for tx in txs))

    def _remember(self, txs: tuple[bytes, ...], time_ns: int, digest: tuple[DigestItem, ...],
                  built: ExecutedBlock) -> None:
        # Executing a block is the costly part: a proposal this node built or checked is not
        # executed a second time when it is decided. Keyed by content, on the current parent.
        if len(self._proposal_cache) > 16:
            self._proposal_cache.clear()
        self._proposal_cache[self._cache_key(txs, time_ns, digest)] = (txs, time_ns, built)

    def _cached(self, txs: Sequence[bytes], time_ns: int,
                digest: tuple[DigestItem, ...]) -> ExecutedBlock | None:
        entry = self._proposal_cache.get(self._cache_key(txs, time_ns, digest))
        if entry is None or entry[0] != tuple(txs) or entry[1] != time_ns:
            return None
        return entry[2]

    def _validator_updates(self, built: ExecutedBlock) -> tuple[ValidatorUpdate, ...]:
        state = getattr(built, "state", None)
        changes = getattr(state, "changes", None)
        if state is None or not changes or not any(key.startswith(VALIDATOR_STORAGE) for key in changes):
            return ()  # the set did not change: no need to decode the block's events
        return validator_updates_from_events(decode_events(state.get(EVENTS_KEY) or b""))
