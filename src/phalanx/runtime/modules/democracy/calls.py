"""Democracy calls: check the origin, call the logic (which emits the events)."""

from __future__ import annotations

from typing import Any

from phalanx.codec import U32, U128, Compact, field_
from phalanx.runtime.dispatch import Call
from phalanx.runtime.framework import RUNTIME_CALL, CallDecl, Context, Origin, ensure_signed, lookup
from phalanx.runtime.modules.democracy import declarations as d
from phalanx.runtime.modules.democracy import logic
from phalanx.runtime.types import MULTI_ADDRESS


def propose(ctx: Context, origin: Origin, proposal: Call, value: int) -> None:
    logic.propose(ctx, ensure_signed(origin), proposal, value)


def second(ctx: Context, origin: Origin, proposal: int) -> None:
    logic.second(ctx, ensure_signed(origin), proposal)


def vote(ctx: Context, origin: Origin, ref_index: int, vote: tuple[str, Any]) -> None:
    who = ensure_signed(origin)
    _kind, standard = vote
    logic.vote(ctx, who, ref_index, int(standard["vote"]), int(standard["balance"]))


def unlock(ctx: Context, origin: Origin, target: tuple[str, Any]) -> None:
    ensure_signed(origin)
    logic.unlock(ctx, lookup(target))


CALLS = (
    CallDecl(
        "propose",
        0,
        (
            field_("proposal", RUNTIME_CALL, "Box<<T as Config>::RuntimeCall>"),
            field_("value", Compact(U128), "BalanceOf<T>"),
        ),
        propose,
        1_000_000_000,
        ("Propose a call for a referendum, reserving `value` as a deposit.",),
    ),
    CallDecl(
        "second",
        1,
        (field_("proposal", Compact(U32), "PropIndex"),),
        second,
        500_000_000,
        ("Back a public proposal with a deposit equal to its proposer's.",),
    ),
    CallDecl(
        "vote",
        2,
        (
            field_("ref_index", Compact(U32), "ReferendumIndex"),
            field_("vote", d.ACCOUNT_VOTE, "AccountVote<BalanceOf<T>>"),
        ),
        vote,
        800_000_000,
        ("Vote in a referendum: aye or nay, a conviction 0..6 (packed in `vote`), a balance to lock.",),
    ),
    CallDecl(
        "unlock",
        13,
        (field_("target", MULTI_ADDRESS, "AccountIdLookupOf<T>"),),
        unlock,
        500_000_000,
        ("Lift the vote locks of `target` that have run out.",),
    ),
)
