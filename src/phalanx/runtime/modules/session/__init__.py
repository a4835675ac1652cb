"""Session: the chain's clock for validator duty, and each validator's consensus key.

A session is `SessionLength` blocks: session `i` (from 0) covers blocks `i * L + 1 ..= (i + 1) * L`.
When a new session begins (in `on_initialize` of its first block) Session tells Staking, which ends
an era and elects the next set every `SessionsPerEra` sessions; the elected validators become
`Session.Validators`.

Session keys, as Substrate's session keys: a bonded stash registers the ed25519 key its CometBFT
node signs consensus votes with, `set_keys({consensus}, proof)`. The proof is the key's ed25519
signature over `"phalanx/session-keys/v1" ++ stash`, so nobody can claim a key they do not hold. A
key belongs to one stash at a time (`KeyOwner`); setting new keys frees the old one, `purge_keys`
frees it too. The Validators module reads `NextKeys` when an era's set is elected: keys take effect
at the next era, not at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from phalanx.codec import U32, AccountId, Bytes, DataclassStruct, FixedBytes, Struct, Vec, field_
from phalanx.crypto import verify_signature
from phalanx.crypto.keys import KeyType
from phalanx.runtime.errors import GenesisError, ModuleError
from phalanx.runtime.framework import (
    CallDecl,
    Context,
    EventDecl,
    Hasher,
    Module,
    Origin,
    StorageMap,
    StorageValue,
    ensure_signed,
)
from phalanx.runtime.modules.staking import declarations as staking_d
from phalanx.runtime.modules.staking import logic as staking
from phalanx.runtime.modules.staking.config import SessionConfig
from phalanx.runtime.state import State

NAME = "Session"
INDEX = 11
KEYS_PROOF_DOMAIN = b"phalanx/session-keys/v1"
"""What the consensus key signs before the stash's account id to prove it belongs to the stash."""

CONSENSUS_KEY = FixedBytes(32)


@dataclass(frozen=True)
class SessionKeys:
    consensus: bytes


SESSION_KEYS = DataclassStruct(
    SessionKeys, ("phalanx_runtime", "SessionKeys"), [field_("consensus", CONSENSUS_KEY, "ed25519::Public")]
)
SESSION_KEYS_ARGUMENT = Struct(SESSION_KEYS.path, SESSION_KEYS.fields)
"""The same type as the argument of `set_keys`, where its value is a dict (clients compose calls by
field name); metadata records it once."""

# -- storage -------------------------------------------------------------------------------------------

SessionLength = StorageValue(NAME, "SessionLength", U32, 1, docs="Blocks in a session.")
CurrentIndex = StorageValue(NAME, "CurrentIndex", U32, 0, docs="Current index of the session.")
Validators = StorageValue(NAME, "Validators", Vec(AccountId), [], docs="The current set of validators.")
NextKeys = StorageMap(NAME, "NextKeys", Hasher.TWOX_64_CONCAT, AccountId, SESSION_KEYS, None,
                      docs="The session keys of each stash, used from the next era on.")  # fmt: skip
KeyOwner = StorageMap(NAME, "KeyOwner", Hasher.TWOX_64_CONCAT, CONSENSUS_KEY, AccountId, None,
                      docs="The stash that owns a consensus key.")  # fmt: skip

# -- events --------------------------------------------------------------------------------------------

NewSession = EventDecl(
    "NewSession", 0, (field_("session_index", U32, "SessionIndex"),), ("New session has happened.",)
)

# -- errors --------------------------------------------------------------------------------------------


class InvalidProof(ModuleError):
    """The proof is not the consensus key's signature over the stash."""

    module = "session"
    code = 0


class NoAssociatedValidatorId(ModuleError):
    """Only a bonded stash can set session keys."""

    module = "session"
    code = 1


class DuplicatedKey(ModuleError):
    """The consensus key is already used by another stash."""

    module = "session"
    code = 2


class NoKeys(ModuleError):
    """The stash has no session keys."""

    module = "session"
    code = 3


# -- logic ---------------------------------------------------------------------------------------------


def session_of_block(number: int, length: int) -> int:
    """The session a block belongs to (block 0, genesis, is in session 0)."""
    return 0 if number == 0 else (number - 1) // length


def keys_proof_message(stash: bytes) -> bytes:
    """What a consensus key signs to prove it belongs to `stash`."""
    return KEYS_PROOF_DOMAIN + stash


def consensus_key_of(state: State, stash: bytes) -> bytes | None:
    keys: SessionKeys | None = NextKeys.get(state, stash)
    return None if keys is None else keys.consensus


def set_keys(ctx: Context, stash: bytes, consensus: bytes, proof: bytes) -> None:
    """Register `consensus` for `stash`; checks the proof, the bond and uniqueness before writing."""
    state = ctx.state
    if staking_d.Ledger.get(state, stash) is None:
        raise NoAssociatedValidatorId("only a bonded stash can set session keys; bond first")
    if not verify_signature(KeyType.ED25519, consensus, keys_proof_message(stash), proof):
        raise InvalidProof("the proof is not the consensus key's signature over this stash")
    owner = KeyOwner.get(state, consensus)
    if owner is not None and bytes(owner) != stash:
        raise DuplicatedKey(f"consensus key 0x{consensus.hex()} belongs to another stash")
    _put_keys(state, stash, consensus)


def _put_keys(state: State, stash: bytes, consensus: bytes) -> None:
    old = consensus_key_of(state, stash)
    if old is not None and old != consensus:
        KeyOwner.remove(state, old)
    NextKeys.put(state, stash, SessionKeys(consensus))
    KeyOwner.put(state, consensus, stash)


def purge_keys(ctx: Context, stash: bytes) -> None:
    old = consensus_key_of(ctx.state, stash)
    if old is None:
        raise NoKeys("this account has no session keys")
    NextKeys.remove(ctx.state, stash)
    KeyOwner.remove(ctx.state, old)


def genesis(ctx: Context, config: SessionConfig, validators: Sequence[bytes]) -> None:
    SessionLength.put(ctx.state, config.session_length)
    Validators.put(ctx.state, list(validators))
    for stash, consensus in config.keys:
        if len(consensus) != 32 or KeyOwner.get(ctx.state, consensus) is not None:
            raise GenesisError(f"genesis session key 0x{consensus.hex()} is malformed or used twice")
        _put_keys(ctx.state, stash, consensus)


def on_initialize(ctx: Context) -> None:
    length = int(SessionLength.get(ctx.state))
    n = ctx.block_number
    if n <= 1 or (n - 1) % length != 0:
        return
    index = session_of_block(n, length)
    CurrentIndex.put(ctx.state, index)
    ctx.deposit_event(NewSession, session_index=index)
    elected = staking.new_session(ctx, index)
    if elected is not None:
        Validators.put(ctx.state, elected)


def invariants(state: State) -> list[str]:
    """NextKeys and KeyOwner are each other's inverse."""
    problems = []
    owners = {key: bytes(stash) for key, stash in KeyOwner.iter(state)}
    keys = {stash: k.consensus for stash, k in NextKeys.iter(state)}
    if {key: stash for stash, key in keys.items()} != owners:
        problems.append("Session.KeyOwner is not the inverse of Session.NextKeys")
    return problems


# -- calls ---------------------------------------------------------------------------------------------


def call_set_keys(ctx: Context, origin: Origin, keys: dict[str, bytes], proof: bytes) -> None:
    set_keys(ctx, ensure_signed(origin), bytes(keys["consensus"]), bytes(proof))


def call_purge_keys(ctx: Context, origin: Origin) -> None:
    purge_keys(ctx, ensure_signed(origin))


CALLS = (
    CallDecl("set_keys", 0,
             (field_("keys", SESSION_KEYS_ARGUMENT, "T::Keys"), field_("proof", Bytes, "Vec<u8>")),
             call_set_keys, 300_000_000,
             ("Set the caller's (a bonded stash's) consensus key, with its signature over the stash.",)),
    CallDecl("purge_keys", 1, (), call_purge_keys, 200_000_000, ("Remove the caller's session keys.",)),
)  # fmt: skip

MODULE = Module(
    name=NAME,
    index=INDEX,
    crate="pallet_session",
    storage=(SessionLength, CurrentIndex, Validators, NextKeys, KeyOwner),
    calls=CALLS,
    events=(NewSession,),
    errors=(InvalidProof, NoAssociatedValidatorId, DuplicatedKey, NoKeys),
    on_initialize=on_initialize,
    invariants=invariants,
)
