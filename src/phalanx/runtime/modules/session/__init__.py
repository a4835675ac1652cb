"""Session: the chain's clock for validator duty. A session is `SessionLength` blocks.

Session `i` (from 0) covers blocks `i * L + 1 ..= (i + 1) * L`. When a new session begins (in
`on_initialize` of its first block) Session tells Staking, which ends an era and elects the next
set every `SessionsPerEra` sessions; the elected validators become `Session.Validators`.
"""

from __future__ import annotations

from collections.abc import Sequence

from phalanx.codec import U32, AccountId, Vec, field_
from phalanx.runtime.framework import Context, EventDecl, Module, StorageValue
from phalanx.runtime.modules.staking import logic as staking
from phalanx.runtime.modules.staking.config import SessionConfig

NAME = "Session"
INDEX = 11

# -- storage -------------------------------------------------------------------------------------------

SessionLength = StorageValue(NAME, "SessionLength", U32, 1, docs="Blocks in a session.")
CurrentIndex = StorageValue(NAME, "CurrentIndex", U32, 0, docs="Current index of the session.")
Validators = StorageValue(NAME, "Validators", Vec(AccountId), [], docs="The current set of validators.")

# -- events --------------------------------------------------------------------------------------------

NewSession = EventDecl(
    "NewSession", 0, (field_("session_index", U32, "SessionIndex"),), ("New session has happened.",)
)

# -- logic ---------------------------------------------------------------------------------------------


def session_of_block(number: int, length: int) -> int:
    """The session a block belongs to (block 0, genesis, is in session 0)."""
    return 0 if number == 0 else (number - 1) // length


def genesis(ctx: Context, config: SessionConfig, validators: Sequence[bytes]) -> None:
    SessionLength.put(ctx.state, config.session_length)
    Validators.put(ctx.state, list(validators))


def on_initialize(ctx: Context) -> None:
    length = int(SessionLength.get(ctx.state))
    n = ctx.block_number
    if n <= 1 or (n - 1) % length != 0:
        return
    index = session_of_block(n, length)
    CurrentIndex.put(ctx.state, index)
    ctx.deposit_event(NewSession, session_index=index)
    elected = staking.new_session(ctx, index)
    if elected is not None:
        Validators.put(ctx.state, elected)


MODULE = Module(
    name=NAME,
    index=INDEX,
    crate="pallet_session",
    storage=(SessionLength, CurrentIndex, Validators),
    events=(NewSession,),
    on_initialize=on_initialize,
)
