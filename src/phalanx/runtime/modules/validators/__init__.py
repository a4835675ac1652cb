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

from collections.abc import Sequence

from phalanx.runtime.errors import GenesisError
from phalanx.runtime.framework import Context, Module
from phalanx.runtime.modules.session import declarations as session_d
from phalanx.runtime.modules.validators import declarations as d
from phalanx.runtime.modules.validators.calls import CALLS, force_set_power
from phalanx.runtime.modules.validators.declarations import (
    DUPLICATE_VOTE,
    EVIDENCE_ENGINE,
    MAX_POWER,
    NAME,
    POWER_UNIT,
    PROPOSER_ENGINE,
    ByAddress,
    ConsensusDigest,
    Count,
    Digest,
    NotAValidator,
    Powers,
    PowerSet,
    PowerTooHigh,
    StashOf,
    WouldEmptySet,
)
from phalanx.runtime.modules.validators.logic import (
    address_of,
    block_author,
    encode_evidence,
    get_validators,
    on_initialize,
    on_new_validator_set,
    power_of,
    stash_of_address,
)
from phalanx.runtime.state import State


def genesis(ctx: Context, validators: Sequence[tuple[bytes, int]]) -> None:
    """The genesis set (empty under the dev engine); each key's stash is its Session.KeyOwner, if any."""
    for pub_key, power in validators:
        if len(pub_key) != 32 or not 0 < power <= MAX_POWER or Powers.get(ctx.state, pub_key) is not None:
            raise GenesisError(f"genesis validator 0x{pub_key.hex()} with power {power} is not acceptable")
        Powers.put(ctx.state, pub_key, power)
        ByAddress.put(ctx.state, address_of(pub_key), pub_key)
        owner = session_d.KeyOwner.get(ctx.state, pub_key)
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


MODULE = Module.from_declarations(
    d, CALLS, genesis=lambda ctx, config: genesis(ctx, config.validators), on_initialize=on_initialize,
    invariants=invariants,
)

__all__ = [
    "DUPLICATE_VOTE", "EVIDENCE_ENGINE", "MAX_POWER", "MODULE", "NAME", "POWER_UNIT", "PROPOSER_ENGINE",
    "ByAddress", "ConsensusDigest", "Count", "Digest", "NotAValidator", "PowerSet", "PowerTooHigh", "Powers",
    "StashOf", "WouldEmptySet", "address_of", "block_author", "encode_evidence", "force_set_power",
    "genesis", "get_validators", "invariants", "on_new_validator_set", "power_of", "stash_of_address",
]  # fmt: skip
