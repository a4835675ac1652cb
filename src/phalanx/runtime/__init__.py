"""The chain runtime: modules ("pallets"), extrinsics, block execution, metadata V14 and runtime APIs.

Public API: the state transition function, executed on committed states it is handed (blocks and
the states they commit to are kept by `phalanx.chain`, which the node and the engines use)::

    from phalanx.runtime import Runtime, ChainSpec
    from phalanx.runtime.runtime import genesis_block
    genesis = genesis_block(spec, empty_state)               # BuiltBlock of the chain spec's genesis
    rt = Runtime(spec, genesis.hash)
    rt.validate_transaction(xt, parent_header, state) -> ValidTransaction   # no writes
    built = rt.build_block(parent_header, state, now_ms, xts)  # BuiltBlock: block, hash, outcomes, dropped
    rt.import_block(parent_header, state, block) -> BuiltBlock # re-execute a received block
    rt.events(state), rt.account_nonce(account, state), rt.metadata(), rt.runtime_version()

`state` is a `phalanx.runtime.state.CommittedState` (reads, and the state update a block's changes
make); `build_block(..., preverified=None, digest=())` (see `runtime.py` for why skipping
re-verification is sound), `Runtime.decode(xt)`, `Runtime.dev_authority`;
`phalanx.runtime.extrinsic.sign_extrinsic` and `phalanx.runtime.assembly.CALLS.call(module, function,
**args)` to compose transactions.

Writing a module
----------------
A module lives in `modules/<name>/` and has the shape of `modules/balances/` (every module has it):

- `declarations.py`: `NAME`, a fixed pallet `INDEX`, the metadata `CRATE`; storage items
  (`StorageValue(NAME, "Item", codec, default)` / `StorageMap(NAME, "Item", Hasher.BLAKE2_128_CONCAT,
  key_codec, codec, default)`; keys are `twox128(NAME) ++ twox128("Item") ++ hasher(SCALE(key))`;
  default None makes the item `Optional` in metadata); events (`EventDecl("Transfer", index,
  (field_("from", AccountId, "T::AccountId"), ...))`, past tense, named fields); errors (one class per
  condition, subclass of `ModuleError`, `module = "<name>"`, `code` = its fixed error index, docstring
  = its metadata doc); constants (`Constant(name, codec, value)`); the tuples `STORAGE`, `EVENTS`,
  `ERRORS`, `CONSTANTS` the module is built from.
- `logic.py`: plain functions over explicit state (`ctx: Context` gives `ctx.state`, the block number
  and `ctx.deposit_event`). They raise a module error *before* writing anything they would have to
  undo; the executive also runs every call in its own storage transaction, so a failed call leaves
  nothing but its fee and nonce.
- `calls.py`: thin call functions `fn(ctx, origin, **args)`: check the origin (`ensure_signed`,
  `ensure_root`, `ensure_none`), call the logic, emit the event; then `CallDecl(name, index, args,
  fn, weight)` with a fixed index and a fixed ref_time weight (it sets the fee). Root-only calls
  start with `force_`. Addresses in arguments are `MULTI_ADDRESS` and are resolved with
  `framework.lookup`. A module without calls says so in a one-line `calls.py`.
- `genesis_config.py`, if genesis takes parameters: a frozen dataclass with `check()` (GenesisError
  for values the module cannot run with), `to_json()` and `from_json()`; `chain_spec.GenesisConfig`
  holds it as a field.
- `__init__.py`: the module docstring (what it is for, its rules), `genesis(ctx, config)` (checks its
  config, then writes block 0's state), hooks (`on_initialize(ctx)`, `on_finalize(ctx)`),
  `invariants(state) -> list[str]` (problems found; tests check them after every block), and
  `MODULE = Module.from_declarations(d, CALLS, genesis=lambda ctx, config: genesis(ctx,
  config.<field>), ...)`, which takes `NAME`, `INDEX`, `CRATE` ("pallet_<name>", the metadata path)
  and the tuples from `declarations.py`. What other packages use is re-exported here.

A module imports the modules below it, never one that builds on it. What it must ask of a module
above (Staking asks who authored a block; the Registry tells who registered; Mq hands a message to
its handler) is a hook it declares (`staking/hooks.py`, `registry/hooks.py`, `mq/routing.py`) and
the composition, `assembly.py`, wires, like FRAME's `Config`; never a registration made when a
module is imported. Helpers every module needs (`framework.lookup`, `framework.pallet_account`,
`system.declarations.TREASURY_ACCOUNT`) live below all of them.

Then add `MODULE` to `assembly.MODULES` (indices: System 0, Timestamp 1, Balances 2,
TransactionPayment 3, Sudo 4, 5-9 free, new modules 10+; never renumber; its place in the tuple is
also its genesis order), its hooks to the wiring there, its genesis config to
`chain_spec.GenesisConfig`, and tests in `tests/unit/runtime/`. Metadata, call decoding, event
decoding and genesis (`genesis.build_genesis`, a loop over the modules) follow from the
declarations.
"""

from typing import TYPE_CHECKING, Any

from phalanx.runtime.block import Block, DigestItem, Header
from phalanx.runtime.chain_spec import ChainSpec, GenesisConfig
from phalanx.runtime.errors import (
    CannotDecode,
    DispatchFailure,
    InvalidBlock,
    InvalidTransaction,
    TransactionValidityError,
    UnknownBlock,
    UnknownTransaction,
)
from phalanx.runtime.events import EventRecord
from phalanx.runtime.version import RuntimeVersion

if TYPE_CHECKING:
    from phalanx.runtime.runtime import BuiltBlock, ExtrinsicResult, Runtime, ValidTransaction

_EXECUTION = frozenset({"BuiltBlock", "ExtrinsicResult", "Runtime", "ValidTransaction"})


def __getattr__(name: str) -> Any:
    """The block-execution names load `runtime.py` (and the executive) on first use, so a client that
    only composes calls and decodes events does not import them."""
    if name in _EXECUTION:
        from phalanx.runtime import runtime

        return getattr(runtime, name)
    raise AttributeError(f"module 'phalanx.runtime' has no attribute {name!r}")


__all__ = [
    "Block",
    "BuiltBlock",
    "CannotDecode",
    "ChainSpec",
    "DigestItem",
    "DispatchFailure",
    "EventRecord",
    "ExtrinsicResult",
    "GenesisConfig",
    "Header",
    "InvalidBlock",
    "InvalidTransaction",
    "Runtime",
    "RuntimeVersion",
    "TransactionValidityError",
    "UnknownBlock",
    "UnknownTransaction",
    "ValidTransaction",
]
