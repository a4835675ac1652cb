"""Validators declarations: the CometBFT validator set by consensus key, the consensus digest, events,
errors and limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from phalanx.codec import (
    U8,
    U32,
    U64,
    U128,
    AccountId,
    Bytes,
    DataclassStruct,
    Enum,
    FixedBytes,
    Option,
    Tuple,
    Vec,
    field_,
)
from phalanx.codec.types import variant
from phalanx.runtime.errors import ModuleError
from phalanx.runtime.framework import Constant, EventDecl, Hasher, StorageMap, StorageValue

NAME = "Validators"
INDEX = 14
CRATE = "pallet_validators"
MAX_POWER = 1 << 40
MAX_VALIDATORS = 150
POWER_UNIT = 10**12
"""Planck of exposure per unit of voting power (one PHA)."""
PROPOSER_ENGINE = b"cmbt"
"""PreRuntime digest engine id of the block proposer's CometBFT address."""
EVIDENCE_ENGINE = b"cmbe"
"""PreRuntime digest engine id of the misbehaviour CometBFT committed in the block."""
DUPLICATE_VOTE = 1
"""ABCI's MisbehaviorType of a validator that signed two different votes of one height and round."""

PUB_KEY = FixedBytes(32)
ADDRESS = FixedBytes(20)
EVIDENCE = Vec(Tuple(U8, ADDRESS, U64))
_ENGINE = FixedBytes(4)
DIGEST_ITEM = Enum(("sp_runtime", "generic", "digest", "DigestItem"), [
    variant("PreRuntime", 6, field_(None, _ENGINE, "ConsensusEngineId"), field_(None, Bytes, "Vec<u8>")),
    variant("Consensus", 4, field_(None, _ENGINE, "ConsensusEngineId"), field_(None, Bytes, "Vec<u8>")),
    variant("Seal", 5, field_(None, _ENGINE, "ConsensusEngineId"), field_(None, Bytes, "Vec<u8>")),
    variant("Other", 0, field_(None, Bytes, "Vec<u8>")),
    variant("RuntimeEnvironmentUpdated", 8),
])  # fmt: skip


@dataclass(frozen=True)
class Digest:
    """A header's digest: `logs` are `DIGEST_ITEM` values, e.g. `("PreRuntime", (engine, data))`."""

    logs: list[tuple[str, Any]]


DIGEST = DataclassStruct(
    Digest,
    ("sp_runtime", "generic", "digest", "Digest"),
    [field_("logs", Vec(DIGEST_ITEM), "Vec<DigestItem>")],
)

# -- storage -------------------------------------------------------------------------------------------

Powers = StorageMap(NAME, "Powers", Hasher.TWOX_64_CONCAT, PUB_KEY, U64, None,
                    docs="Voting power of each validator, by its ed25519 consensus public key.")  # fmt: skip
Count = StorageValue(NAME, "Count", U32, 0, docs="How many validators the set holds.")
ByAddress = StorageMap(NAME, "ByAddress", Hasher.TWOX_64_CONCAT, ADDRESS, PUB_KEY, None,
                       docs="The consensus key of each validator, by its CometBFT address.")  # fmt: skip
StashOf = StorageMap(NAME, "StashOf", Hasher.TWOX_64_CONCAT, PUB_KEY, AccountId, None,
                     docs="The stash a validator's key was elected for (none if set by root).")  # fmt: skip

ConsensusDigest = StorageValue(NAME, "ConsensusDigest", DIGEST, None,
                               docs="The consensus engine's digest items of this block (proposer, evidence), "
                                    "as its header carries them; absent under the dev engine.")  # fmt: skip

STORAGE = (Powers, Count, ByAddress, StashOf, ConsensusDigest)

# -- events --------------------------------------------------------------------------------------------

PowerSet = EventDecl("PowerSet", 0, (field_("pub_key", PUB_KEY, "[u8; 32]"), field_("power", U64, "u64")),
                     ("A validator's voting power was set (0: it left the set).",))  # fmt: skip
Misbehavior = EventDecl("Misbehavior", 1, (field_("kind", U8, "u8"), field_("address", ADDRESS, "[u8; 20]"),
                                           field_("height", U64, "u64"),
                                           field_("offender", Option(AccountId), "Option<T::AccountId>"),
                                           field_("slashed", U128, "BalanceOf<T>")),
                        ("CometBFT committed evidence against a validator (kind 1: duplicate vote); "
                         "`slashed` went to the treasury.",))  # fmt: skip

EVENTS = (PowerSet, Misbehavior)

# -- errors --------------------------------------------------------------------------------------------


class NotAValidator(ModuleError):
    """The key to remove is not in the validator set."""

    module = "validators"
    code = 0


class WouldEmptySet(ModuleError):
    """Removing this validator would leave the set empty."""

    module = "validators"
    code = 1


class PowerTooHigh(ModuleError):
    """The voting power is above MaxPower."""

    module = "validators"
    code = 2


class TooManyValidators(ModuleError):
    """The set already holds MaxValidators validators."""

    module = "validators"
    code = 3


ERRORS = (NotAValidator, WouldEmptySet, PowerTooHigh, TooManyValidators)

# -- constants -----------------------------------------------------------------------------------------

CONSTANTS = (
    Constant("MaxPower", U64, MAX_POWER, ("The highest voting power of one validator.",)),
    Constant("MaxValidators", U32, MAX_VALIDATORS, ("The most validators the set holds.",)),
    Constant("PowerUnit", U128, POWER_UNIT, ("Planck of exposure per unit of voting power.",)),
)
