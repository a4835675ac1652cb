"""Executing a block, top to bottom: initialize, inherent, extrinsics, finalize, roots.

    execute_block(chain, base_state, parent_hash, number, timestamp inherent, extrinsics)
      1. initialize_block   System.Number / ParentHash / BlockHash, clear events, on_initialize hooks
      2. apply_inherent     Timestamp.set(now), unsigned, always the first extrinsic
      3. apply_extrinsic    for each signed extrinsic:
           check_extrinsic    era, signature, nonce, fee          (invalid: dropped or InvalidBlock)
           charge fee         fee to the treasury, nonce + 1      (kept whatever the call does)
           dispatch_call      in its own storage transaction      (failure: writes and events undone)
           ExtrinsicSuccess / ExtrinsicFailed
      4. finalize_block     on_finalize hooks, System.Events, extrinsics root

The state root is computed by the caller from `BlockExecution.changes` (it needs the store). Nothing
here touches the store: a block is executed on a `State` overlay and either committed whole or dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from phalanx.crypto import verify_signature
from phalanx.errors import PhalanxError
from phalanx.runtime.assembly import CALLS, MODULES
from phalanx.runtime.block import DigestItem, extrinsics_root
from phalanx.runtime.dispatch import Call, dispatch_call
from phalanx.runtime.errors import (
    CannotDecode,
    DispatchFailure,
    InvalidBlock,
    InvalidTransaction,
    TransactionValidityError,
)
from phalanx.runtime.extrinsic import Extrinsic, decode_extrinsic, encode_unsigned, signing_payload
from phalanx.runtime.framework import NONE, Context, Origin
from phalanx.runtime.modules import timestamp, transaction_payment
from phalanx.runtime.modules.system import declarations as system_d
from phalanx.runtime.modules.system import logic as system
from phalanx.runtime.state import State, StateReader
from phalanx.runtime.types import (
    PHASE_FINALIZATION,
    AccountInfo,
    dispatch_info,
    era_birth,
    phase_apply_extrinsic,
)

MAX_BLOCK_WEIGHT = 2 * 10**12
"""ref_time a block may use (2 s of reference hardware time)."""
MAX_BLOCK_LENGTH = 5 * 1024 * 1024
IMMORTAL_LONGEVITY = (1 << 64) - 1


@dataclass(frozen=True)
class ChainInfo:
    """What extrinsic checks need to know about the chain."""

    genesis_hash: bytes
    spec_version: int
    transaction_version: int


@dataclass(frozen=True)
class CheckedExtrinsic:
    """A signed extrinsic that passed its checks against a state: what it will pay, what it requires.

    `birth`: the block its mortal era resolved to (None: immortal), under which its signature holds.
    """

    xt: Extrinsic
    sender_info: AccountInfo
    fee: int
    weight: int
    longevity: int
    birth: int | None = None


@dataclass(frozen=True)
class ExtrinsicOutcome:
    hash: bytes
    index: int
    success: bool
    error: DispatchFailure | None = None
    fee: int = 0


@dataclass
class BlockExecution:
    """The result of executing a block on an overlay."""

    state: State
    extrinsics: list[bytes]
    outcomes: list[ExtrinsicOutcome]
    dropped: list[tuple[bytes, PhalanxError]]
    extrinsics_root: bytes = b""
    events: list[bytes] = field(default_factory=list)


# ----------------------------------------------------------------------------------------------------
# Checks


def lookup_block_hash(state: State, number: int, current: int, parent_hash: bytes) -> bytes | None:
    """Hash of block `number` as seen while building block `current` (the parent's may not be stored yet)."""
    if number == current - 1:
        return parent_hash
    if number >= current:
        return None
    return system.block_hash(state, number)


def check_extrinsic(
    chain: ChainInfo,
    state: State,
    xt: Extrinsic,
    current: int,
    parent_hash: bytes,
    *,
    in_block: bool,
    trusted: Mapping[bytes, int | None] | None = None,
) -> CheckedExtrinsic:
    """Check a signed extrinsic against `state` for inclusion in block `current`.

    Order and errors as Substrate's signed extensions: era (AncientBirthBlock), signature (BadProof),
    nonce (Stale; Future only when `in_block`), fee (Payment). Raises InvalidTransaction.
    `trusted` maps hashes of extrinsics whose signature was verified to the birth block their era
    resolved to then (None: immortal); their signature is not verified again if it resolves the same.
    """
    signer = xt.signer
    if signer is None:
        raise InvalidTransaction("unsigned extrinsics other than inherents are not accepted", "Call")
    # CheckMortality / CheckGenesis
    birth: int | None = None
    if xt.era is None:
        birth_hash = chain.genesis_hash
        longevity = IMMORTAL_LONGEVITY
    else:
        birth = era_birth(xt.era, current)
        found = lookup_block_hash(state, birth, current, parent_hash)
        if found is None:
            raise InvalidTransaction(
                f"the era's birth block {birth} is not a known recent block", "AncientBirthBlock"
            )
        birth_hash = found
        longevity = birth + xt.era[0] - current
    # signature over the payload with CheckSpecVersion / CheckTxVersion / CheckGenesis data
    if trusted is None or trusted.get(xt.hash, -1) != birth:
        payload = signing_payload(
            xt.call_bytes,
            xt.era_bytes,
            xt.nonce,
            xt.tip,
            chain.spec_version,
            chain.transaction_version,
            chain.genesis_hash,
            birth_hash,
        )
        if not verify_signature(xt.key_type, signer, payload, xt.signature):
            hint = "" if xt.era is None else " or its mortal era has expired"
            raise InvalidTransaction(
                f"bad signature: it was not made by the sender over this chain's genesis, spec version and "
                f"call{hint}",
                "BadProof",
            )
    # CheckNonce
    info = system.get_account(state, signer)
    if xt.nonce < info.nonce:
        raise InvalidTransaction(
            f"nonce {xt.nonce} is stale: the account's next nonce is {info.nonce}", "Stale"
        )
    if in_block and xt.nonce > info.nonce:
        raise InvalidTransaction(
            f"nonce {xt.nonce} is in the future: the account's next nonce is {info.nonce}", "Future"
        )
    # ChargeTransactionPayment
    weight = xt.call.decl.weight
    fee = transaction_payment.compute_fee(len(xt.raw), weight, xt.tip)
    if not transaction_payment.can_pay(info, fee):
        raise InvalidTransaction(
            f"cannot pay the fee of {fee} planck keeping the account alive (free {info.free})", "Payment"
        )
    return CheckedExtrinsic(xt, info, fee, weight, longevity, birth)


# ----------------------------------------------------------------------------------------------------
# Block execution


def initialize_block(
    state: State, number: int, parent_hash: bytes, digest: Sequence[DigestItem] = ()
) -> Context:
    ctx = Context(state, number, parent_hash, digest=tuple(digest))
    ctx.dispatch = lambda call, origin: dispatch_call(ctx, call, origin)
    system.initialize_block(ctx, number, parent_hash)
    for module in MODULES:
        if module.on_initialize is not None:
            module.on_initialize(ctx)
    return ctx


def timestamp_inherent(now_ms: int) -> bytes:
    """The encoded `Timestamp.set(now)` inherent."""
    return encode_unsigned(CALLS.encode(CALLS.call("Timestamp", "set", now=now_ms)))


def apply_inherent(ctx: Context, raw: bytes) -> ExtrinsicOutcome:
    """Apply the timestamp inherent (index 0); InvalidBlock if it is anything else or fails."""
    try:
        xt = decode_extrinsic(raw, CALLS)
    except TransactionValidityError as exc:
        raise InvalidBlock(f"the first extrinsic is not a timestamp inherent: {exc.message}") from None
    if xt.signed or xt.call.module.name != "Timestamp" or xt.call.decl.name != "set":
        raise InvalidBlock("the first extrinsic must be the unsigned Timestamp.set inherent")
    ctx.phase = phase_apply_extrinsic(0)
    failure = dispatch_call(ctx, xt.call, NONE)
    if failure is not None:
        raise InvalidBlock(f"the timestamp inherent failed: {failure.message}")
    ctx.deposit_event(system_d.ExtrinsicSuccess, dispatch_info=_INHERENT_INFO)
    return ExtrinsicOutcome(xt.hash, 0, True)


_INHERENT_INFO = dispatch_info(timestamp.CALLS[0].weight, pays=False) | {"class": ("Mandatory", None)}


def apply_extrinsic(ctx: Context, checked: CheckedExtrinsic, index: int) -> ExtrinsicOutcome:
    """Charge the fee and bump the nonce, then dispatch; a failed call keeps only the fee and nonce."""
    xt = checked.xt
    signer: bytes = xt.signer  # type: ignore[assignment]
    ctx.phase = phase_apply_extrinsic(index)
    transaction_payment.charge(ctx, signer, checked.sender_info, checked.fee, xt.tip)
    failure = dispatch_call(ctx, xt.call, Origin.signed(signer))
    info = _dispatch_info(xt.call)
    if failure is None:
        ctx.deposit_event(system_d.ExtrinsicSuccess, dispatch_info=info)
        return ExtrinsicOutcome(xt.hash, index, True, None, checked.fee)
    ctx.deposit_event(system_d.ExtrinsicFailed, dispatch_error=failure.dispatch_error(), dispatch_info=info)
    return ExtrinsicOutcome(xt.hash, index, False, failure, checked.fee)


_INFO_CACHE: dict[int, dict[str, object]] = {}


def _dispatch_info(call: Call) -> dict[str, object]:
    key = id(call.decl)
    info = _INFO_CACHE.get(key)
    if info is None:
        info = _INFO_CACHE[key] = dispatch_info(call.decl.weight, call.decl.operational)
    return info


def finalize_block(ctx: Context, extrinsic_count: int) -> None:
    ctx.phase = PHASE_FINALIZATION
    for module in MODULES:
        if module.on_finalize is not None:
            module.on_finalize(ctx)
    system.finalize_block(ctx, extrinsic_count)


def execute_block(
    chain: ChainInfo,
    base: StateReader,
    parent_hash: bytes,
    number: int,
    inherent: bytes,
    extrinsics: Sequence[bytes],
    *,
    building: bool,
    preverified: Mapping[bytes, int | None] | None = None,
    decoded: Callable[[bytes], Extrinsic | None] | None = None,
    digest: Sequence[DigestItem] = (),
) -> BlockExecution:
    """Execute a block on top of `base` (the parent's state).

    `building`: an extrinsic that is invalid at its turn is dropped (with its error); otherwise (block
    import) it makes the whole block invalid. `preverified`: hashes of extrinsics whose signatures
    this process has already verified, with the birth block their era resolved to (see `check_extrinsic`).
    `decoded`: an optional cache of already-decoded extrinsics by raw bytes. `digest`: the header's
    digest items, which the modules read from `Context.digest`.
    """
    state = State(base)
    ctx = initialize_block(state, number, parent_hash, digest)
    included = [inherent]
    outcomes = [apply_inherent(ctx, inherent)]
    dropped: list[tuple[bytes, PhalanxError]] = []
    weight_used = 0
    length_used = len(inherent)
    for raw in extrinsics:
        try:
            xt = decoded(raw) if decoded is not None else None
            if xt is None:
                xt = decode_extrinsic(raw, CALLS)
            if (
                weight_used + xt.call.decl.weight > MAX_BLOCK_WEIGHT
                or length_used + len(raw) > MAX_BLOCK_LENGTH
            ):
                raise InvalidTransaction("the block is full", "ExhaustsResources")
            checked = check_extrinsic(
                chain, state, xt, number, parent_hash, in_block=True, trusted=preverified
            )
        except (TransactionValidityError, CannotDecode) as exc:
            if not building:
                raise InvalidBlock(f"extrinsic {len(included)} is invalid: {exc.message}") from None
            dropped.append((raw, exc))
            continue
        outcomes.append(apply_extrinsic(ctx, checked, len(included)))
        included.append(raw)
        weight_used += checked.weight
        length_used += len(raw)
    finalize_block(ctx, len(included))
    return BlockExecution(state, included, outcomes, dropped, extrinsics_root(included), ctx.events)
