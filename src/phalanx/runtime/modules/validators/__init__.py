"""Validators: the consensus validator set of a CometBFT network (ed25519 keys and voting powers).

Genesis holds the validators of CometBFT's genesis.json. Each change of the set is the event
`PowerSet { pub_key, power }` (power 0: the key left), which the CometBFT application hands to
CometBFT as a validator update at the end of the block; CometBFT applies it two heights later.

Staking drives the set. In the block that starts an era, Staking's elected stashes arrive through
`staking.hooks.on_new_validator_set`; each one's consensus key is its `Session.NextKeys` entry
(stashes without keys are skipped), and its power is its exposure in whole PHA:

    power = clamp(exposure // PowerUnit, 1, MaxPower)        PowerUnit = 10**12 planck (1 PHA)

so powers are proportional to stake up to the rounding of one PHA. The whole supply is 10**9 PHA,
far under CometBFT's cap on the total power (i64::MAX / 8). Keys of the old set that were not
elected get power 0. If no elected stash has a key, the set stays as it is (a chain whose
validators never set keys keeps its genesis set). Root can still change one key with
`force_set_power(pub_key, power)`.

Consensus facts come into the runtime as PreRuntime digest items of the Substrate header, written
by the CometBFT application from its ABCI request (every validator sees the same request):
- `PreRuntime(b"cmbt", proposer address)`: the block's proposer, a CometBFT address (the first 20
  bytes of SHA-256 of its key). Staking's author finder maps it to the stash through `ByAddress`
  and `StashOf`, and the stash earns the block's reward points.
- `PreRuntime(b"cmbe", SCALE(Vec<(kind u8, address [u8; 20], height u64)>))`: the misbehaviour
  CometBFT committed in this block. Each duplicate vote (kind 1) of a known stash is reported to
  `staking.slashing.report_equivocation` in `on_initialize`: the stash and its nominators are
  slashed into the treasury and the stash is chilled (it leaves the set at the next era). Every
  piece of evidence is recorded as the event `Misbehavior`.
The dev engine writes neither item and keeps its single dev authority: there the set is inert.

Rules that keep CometBFT from halting on an update it cannot apply: a removed key must be in the
set; the set never becomes empty; power is at most `MaxPower` (CometBFT caps total power at
i64::MAX / 8, far above the cap here). Under the dev engine the set is inert.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Sequence
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
    DecodeError,
    Enum,
    FixedBytes,
    Option,
    Tuple,
    Vec,
    field_,
)
from phalanx.codec.types import variant
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
from phalanx.runtime.modules import session
from phalanx.runtime.modules.staking import hooks, slashing
from phalanx.runtime.modules.staking.declarations import StakingError
from phalanx.runtime.state import State

NAME = "Validators"
INDEX = 14
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

# -- events --------------------------------------------------------------------------------------------

PowerSet = EventDecl("PowerSet", 0, (field_("pub_key", PUB_KEY, "[u8; 32]"), field_("power", U64, "u64")),
                     ("A validator's voting power was set (0: it left the set).",))  # fmt: skip
Misbehavior = EventDecl("Misbehavior", 1, (field_("kind", U8, "u8"), field_("address", ADDRESS, "[u8; 20]"),
                                           field_("height", U64, "u64"),
                                           field_("offender", Option(AccountId), "Option<T::AccountId>"),
                                           field_("slashed", U128, "BalanceOf<T>")),
                        ("CometBFT committed evidence against a validator (kind 1: duplicate vote); "
                         "`slashed` went to the treasury.",))  # fmt: skip

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


def address_of(pub_key: bytes) -> bytes:
    """CometBFT's address of an ed25519 key: SHA-256(key)[:20]."""
    return hashlib.sha256(pub_key).digest()[:20]


def power_of(exposure: int) -> int:
    """Voting power for an exposure in planck (see the module docstring)."""
    return min(MAX_POWER, max(1, exposure // POWER_UNIT))


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
        ByAddress.remove(state, address_of(pub_key))
        StashOf.remove(state, pub_key)
        Count.put(state, count - 1)
    else:
        if current is None:
            if count >= MAX_VALIDATORS:
                raise TooManyValidators(f"the set is full ({MAX_VALIDATORS} validators)")
            Count.put(state, count + 1)
        Powers.put(state, pub_key, power)
        ByAddress.put(state, address_of(pub_key), pub_key)
    ctx.deposit_event(PowerSet, pub_key=pub_key, power=power)


def replace_set(ctx: Context, elected: Sequence[tuple[bytes, int]]) -> None:
    """Make the set exactly `elected` ((stash, exposure) in election order): keys from Session.NextKeys,
    powers from `power_of`; the old keys not elected get power 0. Events only for real changes."""
    state = ctx.state
    new: dict[bytes, tuple[bytes, int]] = {}
    for stash, exposure in elected:
        key = session.consensus_key_of(state, stash)
        if key is not None and key not in new and len(new) < MAX_VALIDATORS:
            new[key] = (stash, power_of(exposure))
    if not new:
        return  # nobody elected has a key: keep the current set rather than empty it
    for key, _ in get_validators(state):
        if key not in new:
            Powers.remove(state, key)
            ByAddress.remove(state, address_of(key))
            StashOf.remove(state, key)
            ctx.deposit_event(PowerSet, pub_key=key, power=0)
    for key, (stash, power) in new.items():
        if Powers.get(state, key) != power:
            Powers.put(state, key, power)
            ByAddress.put(state, address_of(key), key)
            ctx.deposit_event(PowerSet, pub_key=key, power=power)
        StashOf.put(state, key, stash)
    Count.put(state, len(new))


def stash_of_address(state: State, address: bytes) -> bytes | None:
    """The stash behind a CometBFT validator address, if its key was elected for one."""
    key = ByAddress.get(state, address)
    stash = None if key is None else StashOf.get(state, bytes(key))
    return None if stash is None else bytes(stash)


def pre_runtime(ctx: Context, engine: bytes) -> bytes | None:
    """The data of the header's first PreRuntime digest item of `engine`."""
    for item in ctx.digest:
        if item.kind == "PreRuntime" and item.engine == engine:
            return item.data
    return None


def encode_evidence(items: Sequence[tuple[int, bytes, int]]) -> bytes:
    """The `cmbe` digest data for (kind, address, height) items."""
    return EVIDENCE.encode([(kind, address, height) for kind, address, height in items])


def block_author(ctx: Context) -> bytes | None:
    """Staking's author finder: the stash of the proposer named in the digest."""
    address = pre_runtime(ctx, PROPOSER_ENGINE)
    if address is None or len(address) != 20:
        return None
    return stash_of_address(ctx.state, address)


def on_new_validator_set(ctx: Context, era: int, elected: Sequence[tuple[bytes, int]]) -> None:
    replace_set(ctx, elected)


def on_initialize(ctx: Context) -> None:
    """Keep this block's consensus digest in state (provable, and it puts the digest's types in the
    metadata, so stock clients decode headers); act on the evidence it carries."""
    ours = [item for item in ctx.digest if item.kind == "PreRuntime" and item.engine in _ENGINES]
    if ours:
        logs = [("PreRuntime", (item.engine, item.data)) for item in ours]
        ConsensusDigest.put(ctx.state, Digest(logs))
    elif ctx.state.get(ConsensusDigest.key) is not None:
        ConsensusDigest.kill(ctx.state)
    report_misbehavior(ctx)


_ENGINES = (PROPOSER_ENGINE, EVIDENCE_ENGINE)


def report_misbehavior(ctx: Context) -> None:
    """Slash the stashes behind the duplicate votes CometBFT committed in this block."""
    raw = pre_runtime(ctx, EVIDENCE_ENGINE)
    if raw is None:
        return
    try:
        items = EVIDENCE.decode(raw)
    except DecodeError:
        return  # a correct CometBFT application never writes this; nothing to act on
    for kind, address, height in items:
        address = bytes(address)
        offender = stash_of_address(ctx.state, address)
        slashed = 0
        if offender is not None and int(kind) == DUPLICATE_VOTE:
            # not elected in the active era, or already slashed in it: recorded, not slashed
            with contextlib.suppress(StakingError):
                slashed = slashing.report_equivocation(ctx, offender, int(height))
        ctx.deposit_event(Misbehavior, kind=int(kind), address=address, height=int(height),
                          offender=offender, slashed=slashed)  # fmt: skip


hooks.on_new_validator_set(on_new_validator_set)
hooks.register_author_finder(block_author)


def get_validators(state: State) -> list[tuple[bytes, int]]:
    """(public key, power) of every validator, in storage order."""
    return [(key, int(power)) for key, power in Powers.iter(state)]


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
    """The genesis set (empty under the dev engine); each key's stash is its Session.KeyOwner, if any."""
    for pub_key, power in validators:
        if len(pub_key) != 32 or not 0 < power <= MAX_POWER or Powers.get(ctx.state, pub_key) is not None:
            raise GenesisError(f"genesis validator 0x{pub_key.hex()} with power {power} is not acceptable")
        Powers.put(ctx.state, pub_key, power)
        ByAddress.put(ctx.state, address_of(pub_key), pub_key)
        owner = session.KeyOwner.get(ctx.state, pub_key)
        if owner is not None:
            StashOf.put(ctx.state, pub_key, owner)
    Count.put(ctx.state, len(validators))


def invariants(state: State) -> list[str]:
    validators = get_validators(state)
    problems = []
    if len(validators) != int(Count.get(state)):
        problems.append(f"Validators.Count is {Count.get(state)} but {len(validators)} are stored")
    problems += [f"validator 0x{k.hex()} has power {p}" for k, p in validators if not 0 < p <= MAX_POWER]
    keys = {k for k, _ in validators}
    by_address = {address: bytes(k) for address, k in ByAddress.iter(state)}
    if by_address != {address_of(k): k for k in keys}:
        problems.append("Validators.ByAddress does not index exactly the validators' keys")
    problems += [f"Validators.StashOf names a key out of the set: 0x{key.hex()}"
                 for key, _ in StashOf.iter(state) if key not in keys]  # fmt: skip
    return problems


MODULE = Module(
    name=NAME, index=INDEX, crate="pallet_validators",
    storage=(Powers, Count, ByAddress, StashOf, ConsensusDigest),
    calls=CALLS, events=(PowerSet, Misbehavior),
    errors=(NotAValidator, WouldEmptySet, PowerTooHigh, TooManyValidators),
    constants=(Constant("MaxPower", U64, MAX_POWER, ("The highest voting power of one validator.",)),
               Constant("MaxValidators", U32, MAX_VALIDATORS, ("The most validators the set holds.",)),
               Constant("PowerUnit", U128, POWER_UNIT, ("Planck of exposure per unit of voting power.",))),
    on_initialize=on_initialize, invariants=invariants,
)  # fmt: skip
