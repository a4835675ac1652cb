"""Democracy declarations: proposals, referenda, votes, the dispatch queue, events, errors."""

from __future__ import annotations

from phalanx.codec import U8, U32, U128, AccountId, Bool, DataclassStruct, Enum, Tuple, Vec, field_, variant
from phalanx.economics.voting import Tally
from phalanx.runtime.errors import ModuleError
from phalanx.runtime.framework import RUNTIME_CALL, EventDecl, Hasher, StorageMap, StorageValue
from phalanx.runtime.modules.sudo.declarations import DISPATCH_RESULT

NAME = "Democracy"
INDEX = 13
CRATE = "pallet_democracy"
DEMOCRACY_LOCK = b"democrac"
"""The balance lock id of votes (8 bytes, as in pallet-democracy)."""

# -- types ---------------------------------------------------------------------------------------------

VOTE_THRESHOLD = Enum(
    ("pallet_democracy", "vote_threshold", "VoteThreshold"),
    [variant("SuperMajorityApprove", 0), variant("SuperMajorityAgainst", 1), variant("SimpleMajority", 2)],
)
TALLY = DataclassStruct(
    Tally,
    ("pallet_democracy", "types", "Tally"),
    [field_("ayes", U128, "Balance"), field_("nays", U128, "Balance"), field_("turnout", U128, "Balance")],
)
ACCOUNT_VOTE = Enum(
    ("pallet_democracy", "vote", "AccountVote"),
    [variant("Standard", 0, field_("vote", U8, "Vote"), field_("balance", U128, "Balance"))],
)
"""`vote` packs aye (bit 7) and the conviction 0..6 (bits 0-6), as Substrate's `Vote`."""
REFERENDUM_INFO = Enum(
    ("pallet_democracy", "types", "ReferendumInfo"),
    [
        variant(
            "Ongoing",
            0,
            field_("end", U32, "BlockNumber"),
            field_("proposal", RUNTIME_CALL, "Call"),
            field_("threshold", VOTE_THRESHOLD, "VoteThreshold"),
            field_("delay", U32, "BlockNumber"),
            field_("tally", TALLY, "Tally<Balance>"),
        ),
        variant("Finished", 1, field_("approved", Bool, "bool"), field_("end", U32, "BlockNumber")),
    ],
)

# -- storage -------------------------------------------------------------------------------------------

LaunchPeriod = StorageValue(NAME, "LaunchPeriod", U32, 1, docs="Blocks between public referenda launches.")
VotingPeriod = StorageValue(NAME, "VotingPeriod", U32, 1, docs="Blocks a referendum is open for votes.")
EnactmentPeriod = StorageValue(
    NAME, "EnactmentPeriod", U32, 0, docs="Blocks between approval and dispatch of a referendum's call."
)
VoteLockingPeriod = StorageValue(
    NAME, "VoteLockingPeriod", U32, 0, docs="Blocks of one conviction period (a 2x vote locks two)."
)
MinimumDeposit = StorageValue(NAME, "MinimumDeposit", U128, 0, docs="The least deposit of a proposal.")
MaxProposals = StorageValue(NAME, "MaxProposals", U32, 100, docs="At most this many public proposals.")
PublicPropCount = StorageValue(NAME, "PublicPropCount", U32, 0, docs="Public proposals made so far.")
PublicProps = StorageValue(
    NAME,
    "PublicProps",
    Vec(Tuple(U32, RUNTIME_CALL, AccountId)),
    [],
    docs="Waiting public proposals: (index, call, proposer).",
)
DepositOf = StorageMap(
    NAME,
    "DepositOf",
    Hasher.TWOX_64_CONCAT,
    U32,
    Tuple(Vec(AccountId), U128),
    None,
    docs="Depositors (proposer, then seconders) and the deposit of each.",
)
ReferendumCount = StorageValue(NAME, "ReferendumCount", U32, 0, docs="Referenda started so far.")
LowestUnbaked = StorageValue(NAME, "LowestUnbaked", U32, 0, docs="The lowest referendum not yet finished.")
ReferendumInfoOf = StorageMap(
    NAME,
    "ReferendumInfoOf",
    Hasher.TWOX_64_CONCAT,
    U32,
    REFERENDUM_INFO,
    None,
    docs="Information about each referendum.",
)
VotingOf = StorageMap(
    NAME,
    "VotingOf",
    Hasher.TWOX_64_CONCAT,
    AccountId,
    Vec(Tuple(U32, ACCOUNT_VOTE)),
    [],
    docs="Votes of an account that still matter (ongoing or still locking).",
)
DispatchQueue = StorageValue(
    NAME,
    "DispatchQueue",
    Vec(Tuple(U32, RUNTIME_CALL, U32)),
    [],
    docs="Approved calls waiting for their enactment block: (when, call, ref_index).",
)

STORAGE = (
    LaunchPeriod,
    VotingPeriod,
    EnactmentPeriod,
    VoteLockingPeriod,
    MinimumDeposit,
    MaxProposals,
    PublicPropCount,
    PublicProps,
    DepositOf,
    ReferendumCount,
    LowestUnbaked,
    ReferendumInfoOf,
    VotingOf,
    DispatchQueue,
)

# -- events --------------------------------------------------------------------------------------------

_PROP = field_("proposal_index", U32, "PropIndex")
_REF = field_("ref_index", U32, "ReferendumIndex")

Proposed = EventDecl(
    "Proposed",
    0,
    (_PROP, field_("deposit", U128, "BalanceOf<T>")),
    ("A motion has been proposed by a public account.",),
)
Tabled = EventDecl(
    "Tabled",
    1,
    (_PROP, field_("deposit", U128, "BalanceOf<T>")),
    ("A public proposal has been tabled for referendum vote.",),
)
Started = EventDecl(
    "Started", 3, (_REF, field_("threshold", VOTE_THRESHOLD, "VoteThreshold")), ("A referendum has begun.",)
)
Passed = EventDecl("Passed", 4, (_REF,), ("A proposal has been approved by referendum.",))
NotPassed = EventDecl("NotPassed", 5, (_REF,), ("A proposal has been rejected by referendum.",))
Seconded = EventDecl(
    "Seconded",
    11,
    (field_("seconder", AccountId, "T::AccountId"), field_("prop_index", U32, "PropIndex")),
    ("An account has seconded a proposal.",),
)
Voted = EventDecl(
    "Voted",
    13,
    (
        field_("voter", AccountId, "T::AccountId"),
        _REF,
        field_("vote", ACCOUNT_VOTE, "AccountVote<BalanceOf<T>>"),
    ),
    ("An account has voted in a referendum.",),
)
Executed = EventDecl(
    "Executed",
    20,
    (_REF, field_("result", DISPATCH_RESULT, "DispatchResult")),
    ("An approved referendum's call was dispatched with the root origin.",),
)

EVENTS = (Proposed, Tabled, Started, Passed, NotPassed, Seconded, Voted, Executed)

# -- errors --------------------------------------------------------------------------------------------


class DemocracyError(ModuleError):
    module = "democracy"


class ValueLow(DemocracyError):
    """Value too low."""

    code = 0


class ProposalMissing(DemocracyError):
    """Proposal does not exist."""

    code = 1


class ReferendumInvalid(DemocracyError):
    """Vote given for invalid referendum."""

    code = 6


class InsufficientFunds(DemocracyError):
    """Too high a balance was provided that the account cannot afford."""

    code = 12


class TooMany(DemocracyError):
    """Maximum number of items reached."""

    code = 22


class InvalidVote(DemocracyError):
    """The vote's conviction is not one of 0..6."""

    code = 25


ERRORS = (ValueLow, ProposalMissing, ReferendumInvalid, InsufficientFunds, TooMany, InvalidVote)
