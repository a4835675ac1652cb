"""Staking declarations: ledgers, validator and nominator intentions, era records, events, errors."""

from __future__ import annotations

from dataclasses import dataclass

from phalanx.codec import (
    H256,
    U32,
    U64,
    U128,
    AccountId,
    Bool,
    Bytes,
    Compact,
    DataclassStruct,
    Option,
    Struct,
    Tuple,
    Vec,
    field_,
)
from phalanx.runtime.errors import ModuleError
from phalanx.runtime.framework import Constant, EventDecl, Hasher, StorageMap, StorageValue

NAME = "Staking"
INDEX = 10
CRATE = "pallet_staking"

STAKING_LOCK = b"staking "
"""The balance lock id that holds every bonded planck (8 bytes, as in pallet-staking)."""
POINTS_PER_BLOCK = 20
"""Reward points a validator earns for each block it authors (pallet-staking's figure)."""
MAX_NOMINATIONS = 16
MAX_UNLOCKING_CHUNKS = 32

# -- types ---------------------------------------------------------------------------------------------

_BALANCE = Compact(U128)


@dataclass(frozen=True)
class UnlockChunk:
    """Part of a ledger that unlocks when era `era` has come."""

    value: int
    era: int


@dataclass(frozen=True)
class StakingLedger:
    """What a stash has bonded: `total` = `active` + the `unlocking` chunks."""

    stash: bytes
    total: int
    active: int
    unlocking: list[UnlockChunk]


@dataclass(frozen=True)
class ValidatorPrefs:
    """A validator's commission (a Perbill) and whether it refuses new nominations."""

    commission: int
    blocked: bool


@dataclass(frozen=True)
class Nominations:
    targets: list[bytes]
    submitted_in: int
    suppressed: bool


@dataclass(frozen=True)
class IndividualExposure:
    who: bytes
    value: int


@dataclass(frozen=True)
class Exposure:
    """What backs an elected validator in an era: its own stake and each nominator's."""

    total: int
    own: int
    others: list[IndividualExposure]


@dataclass(frozen=True)
class ActiveEraInfo:
    """The active era; `start` (ms) is None until its first block has been noted."""

    index: int
    start: int | None


@dataclass(frozen=True)
class EraRewardPoints:
    total: int
    individual: list[tuple[bytes, int]]


@dataclass(frozen=True)
class InflationConfig:
    """The NPoS curve's parameters, each a Perquintill."""

    x_ideal: int
    i_ideal: int
    i_0: int
    falloff: int


UNLOCK_CHUNK = DataclassStruct(
    UnlockChunk,
    ("pallet_staking", "UnlockChunk"),
    [field_("value", _BALANCE, "Balance"), field_("era", Compact(U32), "EraIndex")],
)
STAKING_LEDGER = DataclassStruct(
    StakingLedger,
    ("pallet_staking", "StakingLedger"),
    [
        field_("stash", AccountId, "T::AccountId"),
        field_("total", _BALANCE, "BalanceOf<T>"),
        field_("active", _BALANCE, "BalanceOf<T>"),
        field_("unlocking", Vec(UNLOCK_CHUNK), "Vec<UnlockChunk>"),
    ],
)
PERBILL = Compact(U32)
VALIDATOR_PREFS = DataclassStruct(
    ValidatorPrefs,
    ("pallet_staking", "ValidatorPrefs"),
    [field_("commission", PERBILL, "Perbill"), field_("blocked", Bool, "bool")],
)
VALIDATOR_PREFS_ARGUMENT = Struct(VALIDATOR_PREFS.path, VALIDATOR_PREFS.fields)
"""The same type as a call argument and event field, where its value is a dict (clients compose
calls by field name); metadata records it once, as `VALIDATOR_PREFS`."""
NOMINATIONS = DataclassStruct(
    Nominations,
    ("pallet_staking", "Nominations"),
    [
        field_("targets", Vec(AccountId), "BoundedVec<T::AccountId>"),
        field_("submitted_in", U32, "EraIndex"),
        field_("suppressed", Bool, "bool"),
    ],
)
INDIVIDUAL_EXPOSURE = DataclassStruct(
    IndividualExposure,
    ("sp_staking", "IndividualExposure"),
    [field_("who", AccountId, "AccountId"), field_("value", _BALANCE, "Balance")],
)
EXPOSURE = DataclassStruct(
    Exposure,
    ("sp_staking", "Exposure"),
    [
        field_("total", _BALANCE, "Balance"),
        field_("own", _BALANCE, "Balance"),
        field_("others", Vec(INDIVIDUAL_EXPOSURE), "Vec<IndividualExposure>"),
    ],
)
ACTIVE_ERA_INFO = DataclassStruct(
    ActiveEraInfo,
    ("pallet_staking", "ActiveEraInfo"),
    [field_("index", U32, "EraIndex"), field_("start", Option(U64), "Option<u64>")],
)
ERA_REWARD_POINTS = DataclassStruct(
    EraRewardPoints,
    ("pallet_staking", "EraRewardPoints"),
    [field_("total", U32, "RewardPoint"), field_("individual", Vec(Tuple(AccountId, U32)), "BTreeMap")],
)
INFLATION_CONFIG = DataclassStruct(
    InflationConfig,
    ("phalanx_staking", "InflationConfig"),
    [
        field_("x_ideal", U64, "Perquintill"),
        field_("i_ideal", U64, "Perquintill"),
        field_("i_0", U64, "Perquintill"),
        field_("falloff", U64, "Perquintill"),
    ],
)
ERA_STASH = Tuple(U32, AccountId)

# -- storage -------------------------------------------------------------------------------------------

_ACC = Hasher.BLAKE2_128_CONCAT
_ERA = Hasher.TWOX_64_CONCAT

ValidatorCount = StorageValue(NAME, "ValidatorCount", U32, 0, docs="The ideal number of active validators.")
SessionsPerEra = StorageValue(NAME, "SessionsPerEra", U32, 1, docs="Sessions in one era.")
BondingDuration = StorageValue(NAME, "BondingDuration", U32, 0, docs="Eras that unbonded funds stay locked.")
HistoryDepth = StorageValue(
    NAME, "HistoryDepth", U32, 84, docs="Eras whose rewards can still be claimed; older records are pruned."
)
MinValidatorBond = StorageValue(NAME, "MinValidatorBond", U128, 0, docs="The least bond of a validator.")
MinNominatorBond = StorageValue(NAME, "MinNominatorBond", U128, 0, docs="The least bond of a nominator.")
SlashFraction = StorageValue(
    NAME, "SlashFraction", U32, 0, docs="Perbill of the exposure slashed for a proven equivocation."
)
Inflation = StorageValue(NAME, "Inflation", INFLATION_CONFIG, None, docs="The NPoS inflation curve.")
FallbackAuthor = StorageValue(
    NAME,
    "FallbackAuthor",
    AccountId,
    None,
    docs="Credited with blocks that name no author (the dev engine's authority).",
)
GenesisHash = StorageValue(
    NAME,
    "GenesisHash",
    H256,
    None,
    docs="The genesis block hash, for checking signed headers in equivocation proofs.",
)

Ledger = StorageMap(NAME, "Ledger", _ACC, AccountId, STAKING_LEDGER, None, docs="Bonded funds of a stash.")
Validators = StorageMap(
    NAME,
    "Validators",
    _ACC,
    AccountId,
    VALIDATOR_PREFS,
    None,
    docs="Stashes that want to validate, with their preferences.",
)
Nominators = StorageMap(
    NAME, "Nominators", _ACC, AccountId, NOMINATIONS, None, docs="Stashes that nominate, with their targets."
)
CurrentEra = StorageValue(NAME, "CurrentEra", U32, None, docs="The latest planned era.")
ActiveEra = StorageValue(NAME, "ActiveEra", ACTIVE_ERA_INFO, None, docs="The active era and its start.")
ErasElected = StorageMap(
    NAME,
    "ErasElected",
    _ERA,
    U32,
    Vec(AccountId),
    [],
    docs="The validators elected for an era, in election order.",
)
ErasStakers = StorageMap(
    NAME, "ErasStakers", _ERA, ERA_STASH, EXPOSURE, None, docs="What backs each elected validator in an era."
)
ErasValidatorPrefs = StorageMap(
    NAME,
    "ErasValidatorPrefs",
    _ERA,
    ERA_STASH,
    VALIDATOR_PREFS,
    None,
    docs="Validator preferences (commission) as they were at the election.",
)
ErasTotalStake = StorageMap(NAME, "ErasTotalStake", _ERA, U32, U128, 0, docs="Total exposure of an era.")
ErasValidatorReward = StorageMap(
    NAME,
    "ErasValidatorReward",
    _ERA,
    U32,
    U128,
    None,
    docs="What the stakers of a finished era share (minted when claimed).",
)
ErasRewardPoints = StorageMap(
    NAME,
    "ErasRewardPoints",
    _ERA,
    U32,
    ERA_REWARD_POINTS,
    EraRewardPoints(0, []),
    docs="Points earned by validators in an era.",
)
ClaimedRewards = StorageMap(
    NAME,
    "ClaimedRewards",
    _ERA,
    ERA_STASH,
    Bool,
    False,
    docs="Whether the stakers of a validator were paid for an era.",
)
OffenceReported = StorageMap(
    NAME,
    "OffenceReported",
    _ERA,
    ERA_STASH,
    Bool,
    False,
    docs="Whether a validator was already slashed in an era.",
)

STORAGE = (
    ValidatorCount,
    SessionsPerEra,
    BondingDuration,
    HistoryDepth,
    MinValidatorBond,
    MinNominatorBond,
    SlashFraction,
    Inflation,
    FallbackAuthor,
    GenesisHash,
    Ledger,
    Validators,
    Nominators,
    CurrentEra,
    ActiveEra,
    ErasElected,
    ErasStakers,
    ErasValidatorPrefs,
    ErasTotalStake,
    ErasValidatorReward,
    ErasRewardPoints,
    ClaimedRewards,
    OffenceReported,
)

# -- events --------------------------------------------------------------------------------------------

_STASH = field_("stash", AccountId, "T::AccountId")
_AMOUNT = field_("amount", U128, "BalanceOf<T>")
_ERA_INDEX = field_("era_index", U32, "EraIndex")

EraPaid = EventDecl(
    "EraPaid",
    0,
    (_ERA_INDEX, field_("validator_payout", U128, "BalanceOf<T>"), field_("remainder", U128, "BalanceOf<T>")),
    ("An era ended: `validator_payout` is for its stakers, `remainder` was minted to the treasury.",),
)
Rewarded = EventDecl("Rewarded", 1, (_STASH, _AMOUNT), ("A staker was paid (newly minted) `amount`.",))
Slashed = EventDecl(
    "Slashed",
    2,
    (field_("staker", AccountId, "T::AccountId"), _AMOUNT),
    ("A staker was slashed; the amount went to the treasury.",),
)
Bonded = EventDecl("Bonded", 4, (_STASH, _AMOUNT), ("An account bonded this amount.",))
Unbonded = EventDecl("Unbonded", 5, (_STASH, _AMOUNT), ("An account unbonded this amount.",))
Withdrawn = EventDecl("Withdrawn", 6, (_STASH, _AMOUNT), ("Unbonded funds were unlocked.",))
Chilled = EventDecl("Chilled", 8, (_STASH,), ("An account stopped validating or nominating.",))
ValidatorPrefsSet = EventDecl(
    "ValidatorPrefsSet",
    13,
    (_STASH, field_("prefs", VALIDATOR_PREFS_ARGUMENT, "ValidatorPrefs")),
    ("A validator set its preferences.",),
)
Nominated = EventDecl(
    "Nominated",
    20,
    (_STASH, field_("targets", Vec(AccountId), "Vec<T::AccountId>")),
    ("A nominator set its targets.",),
)
StakersElected = EventDecl(
    "StakersElected",
    21,
    (_ERA_INDEX, field_("validators", Vec(AccountId), "Vec<T::AccountId>")),
    ("A new era started with these elected validators.",),
)
OffenceReportedEvent = EventDecl(
    "OffenceReported",
    22,
    (field_("offender", AccountId, "T::AccountId"), _ERA_INDEX, field_("height", U64, "u64")),
    ("An equivocation of `offender` at `height` was proven.",),
)
ParameterSet = EventDecl(
    "ParameterSet",
    23,
    (field_("name", Bytes, "Vec<u8>"), field_("value", U128, "u128")),
    ("A staking parameter was changed by root.",),
)

EVENTS = (
    EraPaid,
    Rewarded,
    Slashed,
    Bonded,
    Unbonded,
    Withdrawn,
    Chilled,
    ValidatorPrefsSet,
    Nominated,
    StakersElected,
    OffenceReportedEvent,
    ParameterSet,
)

# -- errors --------------------------------------------------------------------------------------------


class StakingError(ModuleError):
    module = "staking"


class NotStash(StakingError):
    """Not a stash account (nothing bonded)."""

    code = 1


class AlreadyBonded(StakingError):
    """Stash is already bonded."""

    code = 2


class EmptyTargets(StakingError):
    """Targets cannot be empty."""

    code = 4


class InsufficientBond(StakingError):
    """Cannot have a validator or nominator role with value less than the minimum bond."""

    code = 8


class NoMoreChunks(StakingError):
    """Cannot schedule more unlock chunks."""

    code = 9


class InvalidEraToReward(StakingError):
    """The era is not finished, or too old to be paid."""

    code = 11


class InvalidNumberOfNominations(StakingError):
    """Too many or duplicate nomination targets."""

    code = 12


class AlreadyClaimed(StakingError):
    """Rewards for this era have already been claimed for this validator."""

    code = 14


class NotElected(StakingError):
    """The account was not an elected validator of that era."""

    code = 15


class InvalidEquivocationProof(StakingError):
    """The equivocation proof does not show two conflicting headers signed by the offender."""

    code = 16


class DuplicateOffence(StakingError):
    """This validator was already slashed in this era."""

    code = 17


class BadTarget(StakingError):
    """A nomination target is not a validator candidate."""

    code = 18


class ZeroValue(StakingError):
    """The amount must be above zero."""

    code = 19


class InvalidParameter(StakingError):
    """The parameter value is out of range."""

    code = 20


ERRORS = (
    NotStash,
    AlreadyBonded,
    EmptyTargets,
    InsufficientBond,
    NoMoreChunks,
    InvalidEraToReward,
    InvalidNumberOfNominations,
    AlreadyClaimed,
    NotElected,
    InvalidEquivocationProof,
    DuplicateOffence,
    BadTarget,
    ZeroValue,
    InvalidParameter,
)

CONSTANTS = (
    Constant("MaxNominations", U32, MAX_NOMINATIONS, ("Maximum number of nominations per nominator.",)),
    Constant("MaxUnlockingChunks", U32, MAX_UNLOCKING_CHUNKS, ("Maximum number of unlocking chunks.",)),
)
