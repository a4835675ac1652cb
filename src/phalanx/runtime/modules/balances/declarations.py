"""Balances declarations: issuance, locks and reserves storage, events, errors and constants."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from phalanx.codec import U32, U128, AccountId, DataclassStruct, Enum, FixedBytes, Vec, field_, variant
from phalanx.runtime.errors import ModuleError
from phalanx.runtime.framework import Constant, EventDecl, Hasher, StorageMap, StorageValue

NAME = "Balances"
INDEX = 2
CRATE = "pallet_balances"

PHA = 10**12
"""One PHA in planck (12 decimals)."""
EXISTENTIAL_DEPOSIT = PHA // 100
"""1 PHA cent (10**10 planck): an account whose total balance would fall below it is reaped."""
MAX_LOCKS = 50
MAX_RESERVES = 50

# -- storage -------------------------------------------------------------------------------------------

REASONS = Enum(
    ("pallet_balances", "types", "Reasons"), [variant("Fee", 0), variant("Misc", 1), variant("All", 2)]
)


@dataclass(frozen=True)
class BalanceLock:
    """A lock `id` (8 bytes) of `amount` on an account's free balance; `reasons` is a `REASONS` value."""

    id: bytes
    amount: int
    reasons: tuple[str, Any] = ("All", None)


@dataclass(frozen=True)
class ReserveData:
    """A named reserve `id` (8 bytes) of `amount`."""

    id: bytes
    amount: int


BALANCE_LOCK = DataclassStruct(
    BalanceLock,
    ("pallet_balances", "types", "BalanceLock"),
    [
        field_("id", FixedBytes(8), "LockIdentifier"),
        field_("amount", U128, "Balance"),
        field_("reasons", REASONS, "Reasons"),
    ],
    params=(("Balance", U128),),
)
RESERVE_DATA = DataclassStruct(
    ReserveData,
    ("pallet_balances", "types", "ReserveData"),
    [field_("id", FixedBytes(8), "ReserveIdentifier"), field_("amount", U128, "Balance")],
    params=(("ReserveIdentifier", FixedBytes(8)), ("Balance", U128)),
)

TotalIssuance = StorageValue(NAME, "TotalIssuance", U128, 0, docs="The total units issued in the system.")
InactiveIssuance = StorageValue(
    NAME,
    "InactiveIssuance",
    U128,
    0,
    docs="The total units of outstanding deactivated balance in the system.",
)
Locks = StorageMap(
    NAME,
    "Locks",
    Hasher.BLAKE2_128_CONCAT,
    AccountId,
    Vec(BALANCE_LOCK),
    [],
    docs="Any liquidity locks on some account balances.",
)
Reserves = StorageMap(
    NAME,
    "Reserves",
    Hasher.BLAKE2_128_CONCAT,
    AccountId,
    Vec(RESERVE_DATA),
    [],
    docs="Named reserves on some account balances.",
)

STORAGE = (TotalIssuance, InactiveIssuance, Locks, Reserves)

# -- events --------------------------------------------------------------------------------------------

_WHO = field_("who", AccountId, "T::AccountId")
_AMOUNT = field_("amount", U128, "T::Balance")

Endowed = EventDecl(
    "Endowed",
    0,
    (field_("account", AccountId, "T::AccountId"), field_("free_balance", U128, "T::Balance")),
    ("An account was created with some free balance.",),
)
DustLost = EventDecl(
    "DustLost",
    1,
    (field_("account", AccountId, "T::AccountId"), _AMOUNT),
    ("An account was removed whose balance was non-zero but below ExistentialDeposit.",),
)
Transfer = EventDecl(
    "Transfer",
    2,
    (field_("from", AccountId, "T::AccountId"), field_("to", AccountId, "T::AccountId"), _AMOUNT),
    ("Transfer succeeded.",),
)
BalanceSet = EventDecl(
    "BalanceSet", 3, (_WHO, field_("free", U128, "T::Balance")), ("A balance was set by root.",)
)
Reserved = EventDecl(
    "Reserved", 4, (_WHO, _AMOUNT), ("Some balance was reserved (moved from free to reserved).",)
)
Unreserved = EventDecl(
    "Unreserved", 5, (_WHO, _AMOUNT), ("Some balance was unreserved (moved from reserved to free).",)
)
Deposit = EventDecl(
    "Deposit", 7, (_WHO, _AMOUNT), ("Some amount was deposited (e.g. for transaction fees).",)
)
Withdraw = EventDecl(
    "Withdraw",
    8,
    (_WHO, _AMOUNT),
    ("Some amount was withdrawn from the account (e.g. for transaction fees).",),
)
Slashed = EventDecl(
    "Slashed", 9, (_WHO, _AMOUNT), ("Some amount was removed from the account (e.g. for misbehavior).",)
)
Locked = EventDecl("Locked", 17, (_WHO, _AMOUNT), ("Some balance was locked.",))
Unlocked = EventDecl("Unlocked", 18, (_WHO, _AMOUNT), ("Some balance was unlocked.",))

EVENTS = (
    Endowed,
    DustLost,
    Transfer,
    BalanceSet,
    Reserved,
    Unreserved,
    Deposit,
    Withdraw,
    Slashed,
    Locked,
    Unlocked,
)

# -- errors --------------------------------------------------------------------------------------------


class BalancesError(ModuleError):
    module = "balances"


class VestingBalance(BalancesError):
    """Vesting balance too high to send value."""

    code = 0


class LiquidityRestrictions(BalancesError):
    """Account liquidity restrictions prevent withdrawal."""

    code = 1


class InsufficientBalance(BalancesError):
    """Balance too low to send value."""

    code = 2


class ExistentialDeposit(BalancesError):
    """Value too low to create account due to existential deposit."""

    code = 3


class Expendability(BalancesError):
    """Transfer/payment would kill account."""

    code = 4


class ExistingVestingSchedule(BalancesError):
    """A vesting schedule already exists for this account."""

    code = 5


class DeadAccount(BalancesError):
    """Beneficiary account must pre-exist."""

    code = 6


class TooManyReserves(BalancesError):
    """Number of named reserves exceed `MaxReserves`."""

    code = 7


class TooManyHolds(BalancesError):
    """Number of holds exceed `MaxHolds`."""

    code = 8


class TooManyFreezes(BalancesError):
    """Number of freezes exceed `MaxFreezes`."""

    code = 9


ERRORS = (
    VestingBalance,
    LiquidityRestrictions,
    InsufficientBalance,
    ExistentialDeposit,
    Expendability,
    ExistingVestingSchedule,
    DeadAccount,
    TooManyReserves,
    TooManyHolds,
    TooManyFreezes,
)

# -- constants -----------------------------------------------------------------------------------------

CONSTANTS = (
    Constant(
        "ExistentialDeposit",
        U128,
        EXISTENTIAL_DEPOSIT,
        ("The minimum amount required to keep an account open.",),
    ),
    Constant("MaxLocks", U32, MAX_LOCKS, ("The maximum number of locks that should exist on an account.",)),
    Constant(
        "MaxReserves",
        U32,
        MAX_RESERVES,
        ("The maximum number of named reserves that can exist on an account.",),
    ),
)
