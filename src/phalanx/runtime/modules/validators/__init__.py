"""Validators: the consensus validator set of a CometBFT network (ed25519 keys and voting powers).

Genesis holds the validators of CometBFT's genesis.json. Root (Sudo for now) changes the set with
`force_set_power(pub_key, power)`: a new key joins, a known key gets a new power, power 0 removes
it. Each change is the event `PowerSet { pub_key, power }`, which the CometBFT application hands to
CometBFT as a validator update at the end of the block; CometBFT applies it two heights later.

Rules that keep CometBFT from halting on an update it cannot apply: a removed key must be in the
set; the set never becomes empty; power is at most `MaxPower` (CometBFT caps total power at
i64::MAX / 8, far above the cap here). Under the dev engine the set is inert.
"""

from __future__ import annotations

from collections.abc import Sequence

from phalanx.codec import U32, U64, FixedBytes, field_
from phalanx.runtime.errors import GenesisError, ModuleError
from phalanx.runtime.framework import (
    CallDecl,
    Constant,
    Context,
    EventDecl,
    Hasher,
    Module,
    Origin,
    StorageMap,
    StorageValue,
    ensure_root,
)
from phalanx.runtime.state import State

NAME = "Validators"
INDEX = 14
MAX_POWER = 1 << 40
MAX_VALIDATORS = 150

PUB_KEY = FixedBytes(32)

# -- storage -------------------------------------------------------------------------------------------

Powers = StorageMap(NAME, "Powers", Hasher.TWOX_64_CONCAT, PUB_KEY, U64, None,
                    docs="Voting power of each validator, by its ed25519 consensus public key.")  # fmt: skip
Count = StorageValue(NAME, "Count", U32, 0, docs="How many validators the set holds.")

# -- events --------------------------------------------------------------------------------------------

PowerSet = EventDecl("PowerSet", 0, (field_("pub_key", PUB_KEY, "[u8; 32]"), field_("power", U64, "u64")),
                     ("A validator's voting power was set (0: it left the set).",))  # fmt: skip

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


# -- logic ---------------------------------------------------------------------------------------------


def set_power(ctx: Context, pub_key: bytes, power: int) -> None:
    """Set `pub_key`'s power (0 removes it); checks everything before writing."""
    state = ctx.state
    current = Powers.get(state, pub_key)
    count = int(Count.get(state))
    if power > MAX_POWER:
        raise PowerTooHigh(f"power {power} is above the maximum {MAX_POWER}")
    if power == 0:
        if current is None:
            raise NotAValidator(f"0x{pub_key.hex()} is not a validator")
        if count <= 1:
            raise WouldEmptySet("the last validator cannot leave")
        Powers.remove(state, pub_key)
        Count.put(state, count - 1)
    else:
        if current is None:
            if count >= MAX_VALIDATORS:
                raise TooManyValidators(f"the set is full ({MAX_VALIDATORS} validators)")
            Count.put(state, count + 1)
        Powers.put(state, pub_key, power)
    ctx.deposit_event(PowerSet, pub_key=pub_key, power=power)


def get_validators(state: State) -> list[tuple[bytes, int]]:
    """(public key, power) of every validator, in storage order."""
    return [(raw[8:], int(power)) for raw, power in Powers.iter(state)]


# -- calls ---------------------------------------------------------------------------------------------


def force_set_power(ctx: Context, origin: Origin, pub_key: bytes, power: int) -> None:
    ensure_root(origin)
    set_power(ctx, pub_key, power)


CALLS = (
    CallDecl("force_set_power", 0, (field_("pub_key", PUB_KEY, "[u8; 32]"), field_("power", U64, "u64")),
             force_set_power, 50_000_000,
             ("Add a validator, change its power, or remove it with power 0 (root only).",)),
)  # fmt: skip

# -- genesis, invariants -------------------------------------------------------------------------------


def genesis(ctx: Context, validators: Sequence[tuple[bytes, int]]) -> None:
    """The genesis set; empty under the dev engine."""
    for pub_key, power in validators:
        if len(pub_key) != 32 or not 0 < power <= MAX_POWER or Powers.get(ctx.state, pub_key) is not None:
            raise GenesisError(f"genesis validator 0x{pub_key.hex()} with power {power} is not acceptable")
        Powers.put(ctx.state, pub_key, power)
    Count.put(ctx.state, len(validators))


def invariants(state: State) -> list[str]:
    validators = get_validators(state)
    problems = []
    if len(validators) != int(Count.get(state)):
        problems.append(f"Validators.Count is {Count.get(state)} but {len(validators)} are stored")
    problems += [f"validator 0x{k.hex()} has power {p}" for k, p in validators if not 0 < p <= MAX_POWER]
    return problems


MODULE = Module(
    name=NAME, index=INDEX, crate="pallet_validators", storage=(Powers, Count), calls=CALLS,
    events=(PowerSet,),    errors=(NotAValidator, WouldEmptySet, PowerTooHigh, TooManyValidators),
    constants=(Constant("MaxPower", U64, MAX_POWER, ("The highest voting power of one validator.",)),
               Constant("MaxValidators", U32, MAX_VALIDATORS, ("The most validators the set holds.",))),
    invariants=invariants,
)  # fmt: skip
