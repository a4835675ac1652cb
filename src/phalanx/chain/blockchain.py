"""`Blockchain`: the chain as the node, the dev engine and the CometBFT application see it.

It joins the two halves Substrate calls client and runtime: a `ChainStore` keeps the blocks and the
states they commit to, and the `Runtime` executes on the states the store hands it. Opening a
`Blockchain` on an empty `Database` writes the chain spec's genesis block. `build_block` and
`import_block` execute on the best block's state without touching the store; `commit` persists a
built block (state update, header, body, justification and the best/finalized pointer) in one LMDB
transaction. Reads (`state_get`, `header`, `events`, `call`, ...) are served at the best block or at
any committed block by hash.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from phalanx.chain.store import ChainStore
from phalanx.runtime.block import Block, DigestItem, Header
from phalanx.runtime.chain_spec import ChainSpec
from phalanx.runtime.errors import GenesisError, InvalidBlock, UnknownBlock
from phalanx.runtime.extrinsic import Extrinsic
from phalanx.runtime.runtime import BuiltBlock, EventRecord, Runtime, ValidTransaction, genesis_block
from phalanx.runtime.runtime_api import RuntimeApis
from phalanx.runtime.state import StateReader
from phalanx.runtime.version import RuntimeVersion
from phalanx.storage import Database


class Blockchain:
    """A `ChainStore` on `db` and the `Runtime` of `spec` executing on it; see the module docstring.

    Raises GenesisError if the store holds another chain or the genesis configuration is not usable.
    """

    def __init__(self, db: Database, spec: ChainSpec) -> None:
        self.db = db
        self.spec = spec
        self.store = ChainStore(db)
        stored = self.store.genesis_hash()
        if stored is None:
            genesis = genesis_block(spec, self.store.empty_state())
            self.store.write_genesis(genesis, spec.id)
            stored = genesis.hash
        elif self.store.spec_id() != spec.id.encode():
            raise GenesisError(f"the store holds chain {self.store.spec_id()!r}, not {spec.id!r}")
        self.genesis_hash: bytes = stored
        self.runtime = Runtime(spec, stored)
        self.apis = RuntimeApis(self)

    # -- chain -----------------------------------------------------------------------------------------

    @property
    def dev_authority(self) -> bytes | None:
        """The sr25519 public key whose signature finalizes dev-engine blocks (from genesis)."""
        return self.runtime.dev_authority

    def best_hash(self) -> bytes:
        return self.store.best_hash()

    def finalized_hash(self) -> bytes:
        return self.store.finalized_hash()

    def best_header(self) -> Header:
        return self.store.best_header()

    def best_number(self) -> int:
        return self.store.best_header().number

    def block_hash(self, number: int) -> bytes | None:
        return self.store.block_hash(number)

    def header(self, block_hash: bytes) -> Header | None:
        return self.store.header(block_hash)

    def block(self, block_hash: bytes) -> Block | None:
        return self.store.block(block_hash)

    def justification(self, block_hash: bytes) -> bytes | None:
        return self.store.justification(block_hash)

    def runtime_version(self) -> RuntimeVersion:
        return self.runtime.runtime_version()

    def metadata(self) -> bytes:
        return self.runtime.metadata()

    # -- state -----------------------------------------------------------------------------------------

    def state_at(self, at: bytes | None = None) -> StateReader:
        """The committed state of block `at` (None: the best block); raises UnknownBlock."""
        return self.store.state_at(at)

    def state_get(self, key: bytes, at: bytes | None = None) -> bytes | None:
        return self.store.state_get(key, at)

    def state_keys_paged(
        self, prefix: bytes, count: int, start_key: bytes | None, at: bytes | None = None
    ) -> list[bytes]:
        return self.store.state_keys_paged(prefix, count, start_key, at)

    def state_proof(self, keys: Sequence[bytes], at: bytes | None = None) -> bytes:
        """Proofs of `keys` against the block's state root (see `ChainStore.state_proof`)."""
        return self.store.state_proof(keys, at)

    def account_nonce(self, account: bytes, at: bytes | None = None) -> int:
        return self.runtime.account_nonce(account, self.store.state_at(at))

    def events(self, at: bytes | None = None) -> list[EventRecord]:
        return self.runtime.events(self.store.state_at(at))

    def call(self, method: str, data: bytes, at: bytes | None = None) -> bytes:
        """Runtime APIs for `state_call` (see `phalanx.runtime.runtime_api`)."""
        return self.apis.call(method, data, at)

    # -- transactions ----------------------------------------------------------------------------------

    def decode(self, xt: bytes) -> Extrinsic:
        """Decode an extrinsic once (cached by its bytes); raises CannotDecode and other validity errors."""
        return self.runtime.decode(xt)

    def validate_transaction(self, xt: bytes, at: bytes | None = None) -> ValidTransaction:
        """Check `xt` against the state of block `at` (None: the best block) for the pool; writes nothing.

        Raises CannotDecode, InvalidTransaction (BadProof, Stale, Payment, AncientBirthBlock, ...) or
        UnknownTransaction, each with a message a person can act on.
        """
        self.runtime.decode(xt)  # an undecodable extrinsic is refused before its block is looked up
        header = self.best_header() if at is None else self.header(at)
        if header is None:
            raise UnknownBlock("unknown block")
        return self.runtime.validate_transaction(xt, header, self.store.state_at(at))

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
        """Execute a new block on the best block (see `Runtime.build_block`); nothing is persisted."""
        parent = self._parent(parent_hash)
        with self.store.executing_on(parent) as state:
            return self.runtime.build_block(
                parent, state, timestamp_ms, extrinsics, preverified=preverified, digest=digest
            )

    def import_block(self, block: Block) -> BuiltBlock:
        """Re-execute a block received from elsewhere; InvalidBlock unless it matches exactly."""
        parent = self._parent(block.header.parent_hash)
        with self.store.executing_on(parent) as state:
            return self.runtime.import_block(parent, state, block)

    def _parent(self, parent_hash: bytes) -> Header:
        best = self.best_hash()
        if parent_hash != best:
            if self.header(parent_hash) is None:
                raise InvalidBlock(f"unknown parent block 0x{parent_hash.hex()}")
            raise InvalidBlock("blocks are built and imported only on top of the best (finalized) block")
        return self.best_header()

    def commit(self, built: BuiltBlock, justification: bytes | None = None) -> None:
        """Persist a built block atomically; it becomes the best and finalized block."""
        self.store.commit(built, justification)
        self.runtime.forget_included(built.block.extrinsics)
