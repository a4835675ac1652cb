"""Session logic: which session a block is in, session keys with their proof, and the session hook."""

from __future__ import annotations

from phalanx.crypto import verify_signature
from phalanx.crypto.keys import KeyType
from phalanx.runtime.framework import Context
from phalanx.runtime.modules.session import declarations as d
from phalanx.runtime.modules.staking import declarations as staking_d
from phalanx.runtime.modules.staking import logic as staking
from phalanx.runtime.state import State


def session_of_block(number: int, length: int) -> int:
    """The session a block belongs to (block 0, genesis, is in session 0)."""
    return 0 if number == 0 else (number - 1) // length


def keys_proof_message(stash: bytes) -> bytes:
    """What a consensus key signs to prove it belongs to `stash`."""
    return d.KEYS_PROOF_DOMAIN + stash


def consensus_key_of(state: State, stash: bytes) -> bytes | None:
    keys: d.SessionKeys | None = d.NextKeys.get(state, stash)
    return None if keys is None else keys.consensus


def set_keys(ctx: Context, stash: bytes, consensus: bytes, proof: bytes) -> None:
    """Register `consensus` for `stash`; checks the proof, the bond and uniqueness before writing."""
    state = ctx.state
    if staking_d.Ledger.get(state, stash) is None:
        raise d.NoAssociatedValidatorId("only a bonded stash can set session keys; bond first")
    if not verify_signature(KeyType.ED25519, consensus, keys_proof_message(stash), proof):
        raise d.InvalidProof("the proof is not the consensus key's signature over this stash")
    owner = d.KeyOwner.get(state, consensus)
    if owner is not None and bytes(owner) != stash:
        raise d.DuplicatedKey(f"consensus key 0x{consensus.hex()} belongs to another stash")
    put_keys(state, stash, consensus)


def put_keys(state: State, stash: bytes, consensus: bytes) -> None:
    """Make `consensus` the key of `stash` (freeing its old key); the caller has checked it may."""
    old = consensus_key_of(state, stash)
    if old is not None and old != consensus:
        d.KeyOwner.remove(state, old)
    d.NextKeys.put(state, stash, d.SessionKeys(consensus))
    d.KeyOwner.put(state, consensus, stash)


def purge_keys(ctx: Context, stash: bytes) -> None:
    old = consensus_key_of(ctx.state, stash)
    if old is None:
        raise d.NoKeys("this account has no session keys")
    d.NextKeys.remove(ctx.state, stash)
    d.KeyOwner.remove(ctx.state, old)


def on_initialize(ctx: Context) -> None:
    """On the first block of a session: record it, tell Staking, take the set Staking elected (if any)."""
    length = int(d.SessionLength.get(ctx.state))
    n = ctx.block_number
    if n <= 1 or (n - 1) % length != 0:
        return
    index = session_of_block(n, length)
    d.CurrentIndex.put(ctx.state, index)
    ctx.deposit_event(d.NewSession, session_index=index)
    elected = staking.new_session(ctx, index)
    if elected is not None:
        d.Validators.put(ctx.state, elected)
