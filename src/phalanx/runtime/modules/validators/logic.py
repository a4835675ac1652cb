"""Validators logic: voting powers from exposures, the set Staking elects, the block's proposer and the
misbehaviour CometBFT reports.

`on_new_validator_set` and `block_author` are Staking's hooks; `phalanx.runtime.assembly` wires them."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Sequence

from phalanx.codec import DecodeError
from phalanx.runtime.framework import Context
from phalanx.runtime.modules.session import logic as session
from phalanx.runtime.modules.staking import slashing
from phalanx.runtime.modules.staking.declarations import StakingError
from phalanx.runtime.modules.validators.declarations import (
    DUPLICATE_VOTE,
    EVIDENCE,
    EVIDENCE_ENGINE,
    MAX_POWER,
    MAX_VALIDATORS,
    POWER_UNIT,
    PROPOSER_ENGINE,
    ByAddress,
    ConsensusDigest,
    Count,
    Digest,
    Misbehavior,
    NotAValidator,
    Powers,
    PowerSet,
    PowerTooHigh,
    StashOf,
    TooManyValidators,
    WouldEmptySet,
)
from phalanx.runtime.state import State


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


def get_validators(state: State) -> list[tuple[bytes, int]]:
    """(public key, power) of every validator, in storage order."""
    return [(key, int(power)) for key, power in Powers.iter(state)]
