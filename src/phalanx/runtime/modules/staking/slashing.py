"""Slashing for proven equivocation: the offender and its nominators lose a fraction of their exposure.

Two ways in, one rule:

- `report_equivocation(ctx, offender, height)` is the runtime entry point for evidence the consensus
  engine has already verified (CometBFT's `misbehavior` in FinalizeBlock, mapped from the validator's
  consensus address to its stash by the Validators module).
- The `Staking.report_equivocation` call carries its own proof for the dev engine: two different
  headers of the same height, each signed by the offender's key with the dev engine's finality
  signature (`"phalanx/dev-finality/v1" ++ genesis_hash ++ header_hash`). Anyone may submit it.

The rule: in the active era, the offender (an elected validator) loses `SlashFraction` of its own
exposure and each nominator `SlashFraction` of what it exposed to it. Slashed funds come out of the
active bond first, then out of unlocking chunks (newest first), and go to the treasury, so
TotalIssuance does not change. The offender is chilled; a validator is slashed at most once per era.
"""

from __future__ import annotations

from dataclasses import replace

from phalanx.crypto import verify_signature
from phalanx.crypto.keys import KeyType
from phalanx.economics.fixed import Perbill
from phalanx.errors import PhalanxError
from phalanx.runtime.block import Header
from phalanx.runtime.framework import Context
from phalanx.runtime.modules.staking import declarations as d
from phalanx.runtime.modules.staking import logic
from phalanx.runtime.modules.treasury import logic as treasury

DEV_FINALITY_DOMAIN = b"phalanx/dev-finality/v1"
"""What the dev engine's authority signs before `genesis_hash ++ block_hash` (see phalanx.engine.finality)."""


def report_equivocation(ctx: Context, offender: bytes, height: int) -> int:
    """Slash `offender` (a stash elected in the active era) for an equivocation at `height`.

    Returns the planck moved to the treasury. Raises NotElected or DuplicateOffence before writing.
    Emits OffenceReported, Slashed (per staker) and Chilled.
    """
    state = ctx.state
    era = logic.active_era(state)
    exposure: d.Exposure | None = None if era is None else d.ErasStakers.get(state, (era, offender))
    if era is None or exposure is None:
        raise d.NotElected(f"0x{offender.hex()} is not a validator of the active era")
    if d.OffenceReported.get(state, (era, offender)):
        raise d.DuplicateOffence(f"0x{offender.hex()} was already slashed in era {era}")
    d.OffenceReported.put(state, (era, offender), True)
    ctx.deposit_event(d.OffenceReportedEvent, offender=offender, era_index=era, height=height)
    fraction = Perbill(int(d.SlashFraction.get(state)))
    total = slash_stash(ctx, offender, fraction.mul_floor(exposure.own))
    for other in exposure.others:
        total += slash_stash(ctx, other.who, fraction.mul_floor(other.value))
    logic.chill(ctx, offender)
    return total


def slash_stash(ctx: Context, stash: bytes, amount: int) -> int:
    """Take up to `amount` out of the stash's bond into the treasury; returns what was taken."""
    ledger: d.StakingLedger | None = d.Ledger.get(ctx.state, stash)
    if ledger is None or amount <= 0:
        return 0
    amount = min(amount, ledger.total)
    from_active = min(amount, ledger.active)
    rest = amount - from_active
    chunks = list(ledger.unlocking)
    for i in reversed(range(len(chunks))):  # the latest chunks first
        taken = min(rest, chunks[i].value)
        chunks[i] = replace(chunks[i], value=chunks[i].value - taken)
        rest -= taken
    ledger = replace(
        ledger,
        total=ledger.total - amount,
        active=ledger.active - from_active,
        unlocking=[c for c in chunks if c.value > 0],
    )
    logic.put_ledger(ctx, ledger)
    treasury.receive(ctx, stash, amount)
    ctx.deposit_event(d.Slashed, staker=stash, amount=amount)
    return amount


def check_equivocation_proof(
    ctx: Context,
    offender: bytes,
    first: bytes,
    first_signature: bytes,
    second: bytes,
    second_signature: bytes,
) -> int:
    """The height both headers claim; InvalidEquivocationProof unless the proof holds."""
    genesis = d.GenesisHash.get(ctx.state)
    if genesis is None:
        raise d.InvalidEquivocationProof("the chain has not recorded its genesis hash yet")
    try:
        a, b = Header.decode(first), Header.decode(second)
    except PhalanxError as exc:  # a malformed header is simply not a proof
        raise d.InvalidEquivocationProof(f"a header does not decode: {exc}") from None
    if a.number != b.number:
        raise d.InvalidEquivocationProof(f"the headers have different heights ({a.number}, {b.number})")
    hash_a, hash_b = a.hash(), b.hash()
    if hash_a == hash_b:
        raise d.InvalidEquivocationProof("the two headers are the same header")
    for header_hash, signature in ((hash_a, first_signature), (hash_b, second_signature)):
        payload = DEV_FINALITY_DOMAIN + bytes(genesis) + header_hash
        if not verify_signature(KeyType.SR25519, offender, payload, signature):
            raise d.InvalidEquivocationProof(f"header 0x{header_hash.hex()} is not signed by the offender")
    return int(a.number)
