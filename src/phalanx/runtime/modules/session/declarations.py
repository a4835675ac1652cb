"""Session declarations: session length and index, the validator set, session keys and their owners."""

from __future__ import annotations

from dataclasses import dataclass

from phalanx.codec import U32, AccountId, DataclassStruct, FixedBytes, Struct, Vec, field_
from phalanx.runtime.errors import ModuleError
from phalanx.runtime.framework import EventDecl, Hasher, StorageMap, StorageValue

NAME = "Session"
INDEX = 11
CRATE = "pallet_session"
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

STORAGE = (SessionLength, CurrentIndex, Validators, NextKeys, KeyOwner)

# -- events --------------------------------------------------------------------------------------------

NewSession = EventDecl(
    "NewSession", 0, (field_("session_index", U32, "SessionIndex"),), ("New session has happened.",)
)

EVENTS = (NewSession,)

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


ERRORS = (InvalidProof, NoAssociatedValidatorId, DuplicatedKey, NoKeys)
