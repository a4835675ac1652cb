"""Session: the chain's clock for validator duty, and each validator's consensus key.

A session is `SessionLength` blocks: session `i` (from 0) covers blocks `i * L + 1 ..= (i + 1) * L`.
When a new session begins (in `on_initialize` of its first block) Session tells Staking, which ends
an era and elects the next set every `SessionsPerEra` sessions; the elected validators become
`Session.Validators`.

Session keys, as Substrate's session keys: a bonded stash registers the ed25519 key its CometBFT
node signs consensus votes with, `set_keys({consensus}, proof)`. The proof is the key's ed25519
signature over `"phalanx/session-keys/v1" ++ stash`, so nobody can claim a key they do not hold. A
key belongs to one stash at a time (`KeyOwner`); setting new keys frees the old one, `purge_keys`
frees it too. The Validators module reads `NextKeys` when an era's set is elected: keys take effect
at the next era, not at once.
"""

from __future__ import annotations

from phalanx.runtime.errors import GenesisError
from phalanx.runtime.framework import Context, Module
from phalanx.runtime.modules.session import declarations as d
from phalanx.runtime.modules.session import logic
from phalanx.runtime.modules.session.calls import CALLS
from phalanx.runtime.modules.session.declarations import INDEX, CurrentIndex, KeyOwner, Validators
from phalanx.runtime.modules.session.genesis_config import SessionConfig
from phalanx.runtime.modules.session.logic import consensus_key_of, keys_proof_message, session_of_block
from phalanx.runtime.modules.staking import declarations as staking_d
from phalanx.runtime.state import State


def genesis(ctx: Context, config: SessionConfig) -> None:
    """Check and store the session length; era 0's validators, which Staking's genesis (run before)
    elected, are the set; register the genesis session keys."""
    config.check()
    d.SessionLength.put(ctx.state, config.session_length)
    d.Validators.put(ctx.state, list(staking_d.ErasElected.get(ctx.state, 0)))
    for stash, consensus in config.keys:
        if len(consensus) != 32 or d.KeyOwner.get(ctx.state, consensus) is not None:
            raise GenesisError(f"genesis session key 0x{consensus.hex()} is malformed or used twice")
        logic.put_keys(ctx.state, stash, consensus)


def invariants(state: State) -> list[str]:
    """NextKeys and KeyOwner are each other's inverse."""
    problems = []
    owners = {key: bytes(stash) for key, stash in d.KeyOwner.iter(state)}
    keys = {stash: k.consensus for stash, k in d.NextKeys.iter(state)}
    if {key: stash for stash, key in keys.items()} != owners:
        problems.append("Session.KeyOwner is not the inverse of Session.NextKeys")
    return problems


MODULE = Module.from_declarations(
    d, CALLS, genesis=lambda ctx, config: genesis(ctx, config.economics.session),
    on_initialize=logic.on_initialize, invariants=invariants,
)

__all__ = [
    "INDEX", "MODULE", "CurrentIndex", "KeyOwner", "Validators", "consensus_key_of", "genesis",
    "invariants", "keys_proof_message", "session_of_block",
]  # fmt: skip
