"""System logic: account records, nonces, and the per-block bookkeeping the executive drives."""

from __future__ import annotations

from dataclasses import replace

from phalanx.codec import encode_compact
from phalanx.crypto import blake2_128_concat
from phalanx.runtime.framework import Context
from phalanx.runtime.modules.system import declarations as d
from phalanx.runtime.state import State
from phalanx.runtime.types import ACCOUNT_INFO, AccountInfo

_ACCOUNT_PREFIX = d.Account.prefix
_encode_account = ACCOUNT_INFO.encode
_decode_account = ACCOUNT_INFO.decode


def account_key(who: bytes) -> bytes:
    return _ACCOUNT_PREFIX + blake2_128_concat(who)


def get_account(state: State, who: bytes) -> AccountInfo:
    """The account record (all zeros when the account does not exist)."""
    raw = state.get(account_key(who))
    return AccountInfo() if raw is None else _decode_account(raw)


def account_exists(info: AccountInfo) -> bool:
    return info.providers > 0 or info.sufficients > 0


def put_account(ctx: Context, who: bytes, before: AccountInfo, after: AccountInfo) -> None:
    """Store `after`; emit NewAccount / KilledAccount when the account appears or disappears."""
    existed, exists = account_exists(before), account_exists(after)
    key = account_key(who)
    if exists:
        ctx.state.put(key, _encode_account(after))
        if not existed:
            ctx.deposit_event(d.NewAccount, account=who)
    else:
        ctx.state.delete(key)
        if existed:
            ctx.deposit_event(d.KilledAccount, account=who)


def increment_nonce(ctx: Context, who: bytes, info: AccountInfo) -> AccountInfo:
    after = replace(info, nonce=(info.nonce + 1) & 0xFFFFFFFF)
    ctx.state.put(account_key(who), _encode_account(after))
    return after


def initialize_block(ctx: Context, number: int, parent_hash: bytes) -> None:
    """Start block `number`: record it and its parent, forget the previous block's events."""
    state = ctx.state
    d.Number.put(state, number)
    d.ParentHash.put(state, parent_hash)
    if number > 0:
        d.BlockHash.put(state, number - 1, parent_hash)
        if number > d.BLOCK_HASH_COUNT:
            d.BlockHash.remove(state, number - 1 - d.BLOCK_HASH_COUNT)
    state.delete(d.Events.key)
    state.delete(d.EventCount.key)


def finalize_block(ctx: Context, extrinsic_count: int) -> None:
    """Write the block's events and extrinsic count."""
    state = ctx.state
    d.ExtrinsicCount.put(state, extrinsic_count)
    events = ctx.events
    state.put(d.Events.key, encode_compact(len(events)) + b"".join(events))
    d.EventCount.put(state, len(events))


def block_hash(state: State, number: int) -> bytes | None:
    """Hash of a recent block (kept for `BLOCK_HASH_COUNT` blocks), None if unknown."""
    return state.get(d.BlockHash.key(number))
