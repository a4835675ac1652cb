"""The module framework: how a runtime module ("pallet") declares its storage, calls, events and errors.

Every module is one `Module` value built from the declarations below; the executive dispatches
through it, and `phalanx.runtime.metadata` turns the same declarations into metadata V14, so what a
client sees is what the runtime runs. The package docstring of `phalanx.runtime` explains how to
write a new module with these pieces.

- `StorageValue` / `StorageMap`: a typed storage item under
  `twox128(module) ++ twox128(item) [++ hasher(SCALE(key))]`, with its SCALE codec and default.
- `CallDecl`: a dispatchable with a fixed index, typed arguments, a fixed weight and a function
  `fn(ctx, origin, **args)`.
- `EventDecl`: a past-tense fact with named fields, deposited with `ctx.deposit_event(EVENT, ...)`.
- module errors: subclasses of `phalanx.runtime.errors.ModuleError` whose `code` is the error index.
- `Constant`: a named, typed value exposed in metadata.
- `Context`: what a call, a hook or genesis sees: the state, the block, and the event sink.
- `Module`: all of the above for one module, with its genesis, hooks and invariants.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from phalanx.codec import Codec, Enum, FieldInfo, TypeInfo, VariantInfo, Vec, decode_compact, encode_compact
from phalanx.crypto import blake2_128_concat, blake2_256, identity, twox_64_concat, twox_128
from phalanx.crypto.hashing import blake2_128, twox_256
from phalanx.runtime.block import DigestItem
from phalanx.runtime.errors import BadOrigin, CannotLookup, DispatchFailure, ModuleError
from phalanx.runtime.state import State

if TYPE_CHECKING:
    from phalanx.runtime.chain_spec import GenesisConfig

# ----------------------------------------------------------------------------------------------------
# Storage


class Hasher(enum.Enum):
    """Storage map key hashers, valued by their index in metadata's `StorageHasher` enum."""

    BLAKE2_128 = 0
    BLAKE2_256 = 1
    BLAKE2_128_CONCAT = 2
    TWOX_128 = 3
    TWOX_256 = 4
    TWOX_64_CONCAT = 5
    IDENTITY = 6

    def hash(self, data: bytes) -> bytes:
        return _HASH_FUNCTIONS[self](data)


_HASH_FUNCTIONS: dict[Hasher, Callable[[bytes], bytes]] = {
    Hasher.BLAKE2_128: blake2_128,
    Hasher.BLAKE2_256: blake2_256,
    Hasher.BLAKE2_128_CONCAT: blake2_128_concat,
    Hasher.TWOX_128: twox_128,
    Hasher.TWOX_256: twox_256,
    Hasher.TWOX_64_CONCAT: twox_64_concat,
    Hasher.IDENTITY: identity,
}


_TRANSPARENT_HASH_LEN = {Hasher.BLAKE2_128_CONCAT: 16, Hasher.TWOX_64_CONCAT: 8, Hasher.IDENTITY: 0}
"""Bytes of hash before the SCALE-encoded key, for the hashers that keep the key in the storage key."""


def storage_prefix(module: str, item: str) -> bytes:
    return twox_128(module.encode()) + twox_128(item.encode())


def _fresh(default: Any) -> Any:
    """A default a caller may change without changing it for every later read."""
    return default.copy() if isinstance(default, list | dict | set | bytearray) else default


class StorageValue:
    """A single value. `default` is returned when absent; `None` makes the item `Optional` in metadata."""

    def __init__(
        self, module: str, name: str, codec: Codec[Any], default: Any = None, docs: str = ""
    ) -> None:
        self.module, self.name, self.codec, self.default, self.docs = module, name, codec, default, docs
        self.key = storage_prefix(module, name)

    def get(self, state: State) -> Any:
        raw = state.get(self.key)
        return _fresh(self.default) if raw is None else self.codec.decode(raw)

    def put(self, state: State, value: Any) -> None:
        state.put(self.key, self.codec.encode(value))

    def kill(self, state: State) -> None:
        state.delete(self.key)

    def append(self, state: State, element: Any) -> None:
        """Append `element` to a `Vec<T>` value without decoding what is there (Substrate's
        `StorageValue::append`): rewrite the length prefix and add the element's encoding, so a
        block that appends n items costs O(n) codec work, not O(n^2)."""
        if not isinstance(self.codec, Vec):
            raise TypeError(f"{self.module}.{self.name} is not a Vec")
        raw = state.get(self.key)
        count, offset = (0, 0) if raw is None else decode_compact(raw, 0)
        body = b"" if raw is None else raw[offset:]
        state.put(self.key, encode_compact(count + 1) + body + self.codec.inner.encode(element))


class StorageMap:
    """A map from a SCALE-encoded key, placed under `prefix ++ hasher(SCALE(key))`."""

    def __init__(
        self,
        module: str,
        name: str,
        hasher: Hasher,
        key_codec: Codec[Any],
        codec: Codec[Any],
        default: Any = None,
        docs: str = "",
    ) -> None:
        self.module, self.name, self.hasher, self.key_codec = module, name, hasher, key_codec
        self.codec, self.default, self.docs = codec, default, docs
        self.prefix = storage_prefix(module, name)
        self._hash = _HASH_FUNCTIONS[hasher]

    def key(self, k: Any) -> bytes:
        return self.prefix + self._hash(self.key_codec.encode(k))

    def get(self, state: State, k: Any) -> Any:
        raw = state.get(self.key(k))
        return _fresh(self.default) if raw is None else self.codec.decode(raw)

    def put(self, state: State, k: Any, value: Any) -> None:
        state.put(self.key(k), self.codec.encode(value))

    def remove(self, state: State, k: Any) -> None:
        state.delete(self.key(k))

    def iter(self, state: State) -> Iterator[tuple[bytes, Any]]:
        """(SCALE-encoded key, decoded value) for every entry, in storage order (by key hash).

        Only maps whose hasher keeps the key (`*_CONCAT`, `IDENTITY`) can be iterated; for a key of
        fixed-size bytes (AccountId, H256, public keys) the encoded key is the key itself.
        """
        hash_len = _TRANSPARENT_HASH_LEN.get(self.hasher)
        if hash_len is None:
            raise TypeError(f"{self.module}.{self.name} is keyed by {self.hasher.name}, which hides its keys")
        n = len(self.prefix) + hash_len
        for key, raw in state.iter_prefix(self.prefix):
            yield bytes(key[n:]), self.codec.decode(raw)


StorageItem = StorageValue | StorageMap

# ----------------------------------------------------------------------------------------------------
# Origins and addresses


@dataclass(frozen=True)
class Origin:
    """Who dispatches a call: a signed account, root (sudo), or nobody (inherents)."""

    kind: str  # "signed" | "root" | "none"
    who: bytes | None = None

    @staticmethod
    def signed(who: bytes) -> Origin:
        return Origin("signed", who)


ROOT = Origin("root")
NONE = Origin("none")


def ensure_signed(origin: Origin) -> bytes:
    """The signer's account; raises BadOrigin for root or unsigned origins."""
    if origin.kind != "signed" or origin.who is None:
        raise BadOrigin("this call must be signed by an account")
    return origin.who


def ensure_root(origin: Origin) -> None:
    if origin.kind != "root":
        raise BadOrigin("this call needs the root origin (use Sudo.sudo)")


def ensure_none(origin: Origin) -> None:
    if origin.kind != "none":
        raise BadOrigin("this call is an inherent and must not be signed")


def lookup(address: tuple[str, Any]) -> bytes:
    """The account of a `MultiAddress` call argument; only `MultiAddress::Id` is supported (CannotLookup
    otherwise). Every call that names an account resolves it with this."""
    kind, value = address
    if kind != "Id":
        raise CannotLookup(f"MultiAddress::{kind} is not supported; use MultiAddress::Id")
    return bytes(value)


# ----------------------------------------------------------------------------------------------------
# Calls, events, constants


@dataclass(frozen=True)
class CallDecl:
    """A dispatchable: fixed index, typed arguments, fixed weight (ref_time), and its function."""

    name: str
    index: int
    args: tuple[FieldInfo, ...]
    fn: Callable[..., None]
    weight: int
    docs: tuple[str, ...] = ()
    operational: bool = False


@dataclass(eq=False)
class EventDecl:
    """A past-tense event with named fields; `pallet_index` is set when its module is declared."""

    name: str
    index: int
    fields: tuple[FieldInfo, ...]
    docs: tuple[str, ...] = ()
    pallet_index: int = -1
    prefix: bytes = b""

    def encode(self, values: dict[str, Any]) -> bytes:
        buf = bytearray(self.prefix)
        for f in self.fields:
            f.codec.encode_into(buf, values[f.name])  # type: ignore[index]
        return bytes(buf)


@dataclass(frozen=True)
class Constant:
    name: str
    codec: Codec[Any]
    value: Any
    docs: tuple[str, ...] = ()


# ----------------------------------------------------------------------------------------------------
# Execution context


@dataclass(eq=False)
class Context:
    """What calls, hooks and genesis see.

    `events` collects encoded `EventRecord`s of the block; `phase` is the encoded `Phase` of the
    current step. `dispatch` runs a nested call (used by Sudo) in its own storage transaction.
    `digest` is the block header's digest (e.g. the consensus engine's PreRuntime items).
    """

    state: State
    block_number: int
    parent_hash: bytes = bytes(32)
    phase: bytes = b"\x02"  # Phase::Initialization
    events: list[bytes] = field(default_factory=list)
    dispatch: Callable[[Any, Origin], DispatchFailure | None] | None = None
    digest: tuple[DigestItem, ...] = ()

    def deposit_event(self, event: EventDecl, **values: Any) -> None:
        self.events.append(self.phase + event.encode(values) + b"\x00")


# ----------------------------------------------------------------------------------------------------
# Modules


@dataclass(frozen=True)
class Module:
    """One runtime module, assembled from its declarations. See the `phalanx.runtime` docstring.

    `genesis(ctx, config)` writes the module's part of block 0 from the chain's `GenesisConfig` (it
    picks its own field and checks it first); `phalanx.runtime.genesis` runs every module's in the
    composition's order, so a module may read what a module before it wrote.
    """

    name: str
    index: int
    crate: str
    storage: tuple[StorageItem, ...] = ()
    calls: tuple[CallDecl, ...] = ()
    events: tuple[EventDecl, ...] = ()
    errors: tuple[type[ModuleError], ...] = ()
    constants: tuple[Constant, ...] = ()
    genesis: Callable[[Context, GenesisConfig], None] | None = None
    on_initialize: Callable[[Context], None] | None = None
    on_finalize: Callable[[Context], None] | None = None
    invariants: Callable[[State], list[str]] | None = None
    docs: tuple[str, ...] = ()
    call_codec: Enum | None = field(default=None, compare=False)
    event_codec: Enum | None = field(default=None, compare=False)
    error_codec: Enum | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        for item in self.storage:
            if item.module != self.name:
                raise ValueError(f"storage item {item.name} belongs to {item.module}, not {self.name}")
        for event in self.events:
            event.pallet_index = self.index
            event.prefix = bytes((self.index, event.index))
        for error in self.errors:
            error.pallet_index = self.index
        path = (self.crate, "pallet")
        if self.calls:
            variants = [VariantInfo(c.name, c.index, c.args, c.docs) for c in self.calls]
            object.__setattr__(self, "call_codec", Enum((*path, "Call"), variants, docs=self.docs))
        if self.events:
            variants = [VariantInfo(e.name, e.index, e.fields, e.docs) for e in self.events]
            object.__setattr__(self, "event_codec", Enum((*path, "Event"), variants))
        if self.errors:
            variants = [VariantInfo(e.__name__, e.code, (), _doc_lines(e)) for e in self.errors]
            object.__setattr__(self, "error_codec", Enum((*path, "Error"), variants))

    @classmethod
    def from_declarations(
        cls,
        declarations: ModuleType,
        calls: tuple[CallDecl, ...] = (),
        *,
        genesis: Callable[[Context, GenesisConfig], None] | None = None,
        on_initialize: Callable[[Context], None] | None = None,
        on_finalize: Callable[[Context], None] | None = None,
        invariants: Callable[[State], list[str]] | None = None,
        docs: tuple[str, ...] = (),
    ) -> Module:
        """The module whose `declarations.py` is `declarations`: its NAME, INDEX and CRATE, and its
        STORAGE, EVENTS, ERRORS and CONSTANTS where it declares them; calls and hooks are given."""
        return cls(
            name=declarations.NAME, index=declarations.INDEX, crate=declarations.CRATE,
            storage=getattr(declarations, "STORAGE", ()), calls=calls,
            events=getattr(declarations, "EVENTS", ()), errors=getattr(declarations, "ERRORS", ()),
            constants=getattr(declarations, "CONSTANTS", ()), genesis=genesis, on_initialize=on_initialize,
            on_finalize=on_finalize, invariants=invariants, docs=docs,
        )  # fmt: skip

    def error_by_index(self, index: int) -> type[ModuleError] | None:
        for error in self.errors:
            if error.code == index:
                return error
        return None


def _doc_lines(obj: object) -> tuple[str, ...]:
    doc = getattr(obj, "__doc__", None) or ""
    return tuple(line.strip() for line in doc.strip().splitlines() if line.strip())


class Deferred(Codec[Any]):
    """A codec bound when the runtime is assembled: `RuntimeCall` inside Sudo's calls, `RuntimeEvent`
    inside `System.Events`. Modules name these aggregate types before they exist."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.target: Codec[Any] | None = None

    def bind(self, target: Codec[Any]) -> None:
        self.target = target

    def _get(self) -> Codec[Any]:
        if self.target is None:
            raise RuntimeError(f"{self.name} is used before the runtime is assembled")
        return self.target

    def encode_into(self, buf: bytearray, value: Any) -> None:
        self._get().encode_into(buf, value)

    def decode_from(self, data: bytes, offset: int) -> tuple[Any, int]:
        return self._get().decode_from(data, offset)

    def type_info(self) -> TypeInfo:
        return self._get().type_info()

    def __repr__(self) -> str:
        return self.name


RUNTIME_CALL = Deferred("RuntimeCall")
RUNTIME_EVENT = Deferred("RuntimeEvent")


def pallet_account(pallet_id: bytes) -> bytes:
    """The account of a module, as Substrate's `PalletId::into_account_truncating`: b"modl" ++ id ++ zeros."""
    if len(pallet_id) != 8:
        raise ValueError("a pallet id is 8 bytes")
    return (b"modl" + pallet_id).ljust(32, b"\x00")


def pallet_sub_account(pallet_id: bytes, sub: bytes) -> bytes:
    """An account a module keeps for one of its items (a contract, ...), as Substrate's
    `PalletId::into_sub_account_truncating`: b"modl" ++ id ++ sub, cut or zero-padded to 32 bytes."""
    if len(pallet_id) != 8:
        raise ValueError("a pallet id is 8 bytes")
    return (b"modl" + pallet_id + sub)[:32].ljust(32, b"\x00")
