"""Democracy logic: public proposals, referenda with conviction voting, vote locks, enactment.

    propose(call, deposit) / second(index)   deposits reserved; the best-backed proposal (deposit x
                                             depositors) becomes a referendum every LaunchPeriod
    vote(ref, aye, conviction, balance)      counts balance x conviction (None: a tenth); locks the
                                             balance while the referendum runs
    end of a referendum (VotingPeriod)       `VoteThreshold.is_approved(tally, TotalIssuance)`
                                             (public proposals: SuperMajorityApprove); an approved
                                             call is dispatched as root EnactmentPeriod blocks later
    unlock(who)                              drops the lock of votes whose lock has run out: a vote
                                             with conviction c locks until end + c.lock_periods() x
                                             VoteLockingPeriod, whichever side won

The tally and threshold arithmetic is `phalanx.economics.voting`; nothing is re-derived here.
"""

from __future__ import annotations

from typing import Any

from phalanx.economics.voting import Conviction, Tally, Vote, VoteThreshold
from phalanx.runtime.dispatch import Call, dispatch_call
from phalanx.runtime.errors import DispatchFailure
from phalanx.runtime.framework import ROOT, Context
from phalanx.runtime.modules.balances import declarations as balances_d
from phalanx.runtime.modules.balances import logic as balances
from phalanx.runtime.modules.democracy import declarations as d

_THRESHOLDS = {
    t: VoteThreshold[_name]
    for t, _name in (
        ("SuperMajorityApprove", "SUPER_MAJORITY_APPROVE"),
        ("SuperMajorityAgainst", "SUPER_MAJORITY_AGAINST"),
        ("SimpleMajority", "SIMPLE_MAJORITY"),
    )
}


def encode_vote(aye: bool, conviction: Conviction) -> int:
    return (0x80 if aye else 0) | int(conviction)


def decode_vote(packed: int, balance: int) -> Vote:
    """The `Vote` a packed byte and balance stand for; InvalidVote for a conviction above 6."""
    try:
        conviction = Conviction(packed & 0x7F)
    except ValueError:
        raise d.InvalidVote(f"conviction {packed & 0x7F} is not one of 0..6") from None
    return Vote(bool(packed & 0x80), conviction, balance)


def _result(failure: DispatchFailure | None) -> tuple[str, Any]:
    return ("Ok", ()) if failure is None else ("Err", failure.dispatch_error())


# -- proposals -----------------------------------------------------------------------------------------


def propose(ctx: Context, who: bytes, proposal: Call, value: int) -> int:
    """Table `proposal` with a deposit of `value`; returns its index. Emits Proposed."""
    state = ctx.state
    minimum = int(d.MinimumDeposit.get(state))
    if value < minimum:
        raise d.ValueLow(f"the deposit must be at least {minimum} planck")
    props = list(d.PublicProps.get(state))
    if len(props) >= int(d.MaxProposals.get(state)):
        raise d.TooMany("too many public proposals are waiting")
    _reserve(ctx, who, value)
    index = int(d.PublicPropCount.get(state))
    d.PublicPropCount.put(state, index + 1)
    props.append((index, proposal, who))
    d.PublicProps.put(state, props)
    d.DepositOf.put(state, index, ([who], value))
    ctx.deposit_event(d.Proposed, proposal_index=index, deposit=value)
    return index


def _reserve(ctx: Context, who: bytes, value: int) -> None:
    try:
        balances.reserve(ctx, who, value)
    except (balances_d.InsufficientBalance, balances_d.LiquidityRestrictions) as exc:
        raise d.InsufficientFunds(f"cannot reserve the deposit: {exc.message}") from None


def second(ctx: Context, who: bytes, index: int) -> None:
    deposit = d.DepositOf.get(ctx.state, index)
    if deposit is None:
        raise d.ProposalMissing(f"no waiting public proposal #{index}")
    depositors, value = deposit
    _reserve(ctx, who, int(value))
    d.DepositOf.put(ctx.state, index, ([*depositors, who], value))
    ctx.deposit_event(d.Seconded, seconder=who, prop_index=index)


def launch_public(ctx: Context) -> int | None:
    """Turn the best-backed public proposal into a referendum; returns its referendum index."""
    state = ctx.state
    props = list(d.PublicProps.get(state))
    if not props:
        return None

    def backing(item: tuple[int, Any, bytes]) -> int:
        depositors, value = d.DepositOf.get(state, item[0]) or ([], 0)
        return int(value) * len(depositors)

    best = max(props, key=backing)  # max keeps the first (oldest) of equals
    props.remove(best)
    d.PublicProps.put(state, props)
    index, call, _proposer = best
    depositors, value = d.DepositOf.get(state, index) or ([], 0)
    for depositor in depositors:
        balances.unreserve(ctx, bytes(depositor), int(value))
    d.DepositOf.remove(state, index)
    ctx.deposit_event(d.Tabled, proposal_index=index, deposit=value)
    return start_referendum(ctx, call, "SuperMajorityApprove", int(d.EnactmentPeriod.get(state)))


def start_referendum(ctx: Context, call: Call, threshold: str, delay: int) -> int:
    state = ctx.state
    index = int(d.ReferendumCount.get(state))
    d.ReferendumCount.put(state, index + 1)
    end = ctx.block_number + int(d.VotingPeriod.get(state))
    d.ReferendumInfoOf.put(
        state,
        index,
        (
            "Ongoing",
            {
                "end": end,
                "proposal": call,
                "threshold": (threshold, None),
                "delay": delay,
                "tally": Tally(),
            },
        ),
    )
    ctx.deposit_event(d.Started, ref_index=index, threshold=(threshold, None))
    return index


# -- votes ---------------------------------------------------------------------------------------------


def vote(ctx: Context, who: bytes, ref_index: int, packed: int, balance: int) -> None:
    """Cast or replace `who`'s vote; its balance is locked at once. Emits Voted."""
    state = ctx.state
    new = decode_vote(packed, balance)
    info = d.ReferendumInfoOf.get(state, ref_index)
    if info is None or info[0] != "Ongoing":
        raise d.ReferendumInvalid(f"referendum #{ref_index} is not open for votes")
    if balance > balances.free_balance(ctx, who):
        raise d.InsufficientFunds(f"cannot vote with {balance} planck: the free balance is lower")
    status = dict(info[1])
    tally: Tally = status["tally"]
    votes = [(int(r), v) for r, v in d.VotingOf.get(state, who)]
    for i, (r, old) in enumerate(votes):
        if r == ref_index:
            tally = tally.remove(decode_vote(old[1]["vote"], int(old[1]["balance"])))
            del votes[i]
            break
    tally = tally.add(new)
    status["tally"] = tally
    d.ReferendumInfoOf.put(state, ref_index, ("Ongoing", status))
    account_vote = ("Standard", {"vote": packed, "balance": balance})
    votes.append((ref_index, account_vote))
    d.VotingOf.put(state, who, votes)
    balances.set_lock(ctx, d.DEMOCRACY_LOCK, who, max(int(v[1]["balance"]) for _, v in votes))
    ctx.deposit_event(d.Voted, voter=who, ref_index=ref_index, vote=account_vote)


def unlock_block(state: Any, ref_index: int, vote_: Vote) -> int | None:
    """The block from which a vote stops locking (None while its referendum runs)."""
    info = d.ReferendumInfoOf.get(state, ref_index)
    if info is None:
        return 0
    if info[0] == "Ongoing":
        return None
    end = int(info[1]["end"])
    return end + vote_.conviction.lock_periods() * int(d.VoteLockingPeriod.get(state))


def unlock(ctx: Context, who: bytes) -> int:
    """Forget votes whose lock has expired and shrink the lock to what still binds; returns the new lock."""
    state = ctx.state
    kept = []
    for r, account_vote in d.VotingOf.get(state, who):
        v = decode_vote(int(account_vote[1]["vote"]), int(account_vote[1]["balance"]))
        until = unlock_block(state, int(r), v)
        if until is None or ctx.block_number < until:
            kept.append((r, account_vote))
    amount = max((int(v[1]["balance"]) for _, v in kept), default=0)
    if kept:
        d.VotingOf.put(state, who, kept)
        balances.set_lock(ctx, d.DEMOCRACY_LOCK, who, amount)
    else:
        d.VotingOf.remove(state, who)
        balances.remove_lock(ctx, d.DEMOCRACY_LOCK, who)
    return amount


# -- block hooks ---------------------------------------------------------------------------------------


def bake_referenda(ctx: Context) -> None:
    """Close every referendum whose voting period ends at this block; queue the approved calls."""
    state = ctx.state
    lowest, count = int(d.LowestUnbaked.get(state)), int(d.ReferendumCount.get(state))
    electorate = int(balances_d.TotalIssuance.get(state))
    queue = list(d.DispatchQueue.get(state))
    for index in range(lowest, count):
        info = d.ReferendumInfoOf.get(state, index)
        if info is None or info[0] != "Ongoing" or int(info[1]["end"]) > ctx.block_number:
            continue
        status = info[1]
        approved = _THRESHOLDS[status["threshold"][0]].is_approved(status["tally"], electorate)
        d.ReferendumInfoOf.put(state, index, ("Finished", {"approved": approved, "end": int(status["end"])}))
        if approved:
            queue.append((ctx.block_number + int(status["delay"]), status["proposal"], index))
            ctx.deposit_event(d.Passed, ref_index=index)
        else:
            ctx.deposit_event(d.NotPassed, ref_index=index)
    d.DispatchQueue.put(state, queue)
    while lowest < count:
        info = d.ReferendumInfoOf.get(state, lowest)
        if info is not None and info[0] == "Ongoing":
            break
        lowest += 1
    d.LowestUnbaked.put(state, lowest)


def enact_due(ctx: Context) -> None:
    """Dispatch, as root, every approved call whose enactment block has come. Emits Executed."""
    queue = list(d.DispatchQueue.get(ctx.state))
    due = [item for item in queue if int(item[0]) <= ctx.block_number]
    if not due:
        return
    d.DispatchQueue.put(ctx.state, [item for item in queue if int(item[0]) > ctx.block_number])
    for _when, call, ref_index in due:
        failure = dispatch_call(ctx, call, ROOT)
        ctx.deposit_event(d.Executed, ref_index=ref_index, result=_result(failure))


def on_initialize(ctx: Context) -> None:
    enact_due(ctx)
    bake_referenda(ctx)
    launch = int(d.LaunchPeriod.get(ctx.state))
    if ctx.block_number % launch == 0:
        launch_public(ctx)
