"""System declarations: accounts, block bookkeeping and the events of the block."""

from __future__ import annotations

from phalanx.codec import H256, U16, U32, AccountId, Struct, Vec, field_
from phalanx.runtime.errors import ModuleError
from phalanx.runtime.framework import (
    RUNTIME_EVENT,
    Constant,
    EventDecl,
    Hasher,
    StorageMap,
    StorageValue,
    pallet_account,
)
from phalanx.runtime.types import ACCOUNT_INFO, DISPATCH_ERROR, DISPATCH_INFO, PHASE, AccountInfo

NAME = "System"
INDEX = 0
CRATE = "frame_system"

BLOCK_HASH_COUNT = 2400
"""How many recent block hashes are kept (and so the longest mortal era accepted)."""
SS58_PREFIX = 30

TREASURY_PALLET_ID = b"py/trsry"
TREASURY_ACCOUNT = pallet_account(TREASURY_PALLET_ID)
"""The chain's common purse (`modl` ++ `py/trsry` ++ zeros): fees, slashes and the unpaid inflation flow
in (TransactionPayment, Staking), the Treasury module spends it. Here, below all of them, so none of
them imports another for it."""

# -- storage -------------------------------------------------------------------------------------------

Account = StorageMap(
    NAME,
    "Account",
    Hasher.BLAKE2_128_CONCAT,
    AccountId,
    ACCOUNT_INFO,
    AccountInfo(),
    docs="The full account information for a particular account ID.",
)
ExtrinsicCount = StorageValue(
    NAME, "ExtrinsicCount", U32, docs="Total extrinsics count for the current block."
)
BlockHash = StorageMap(
    NAME,
    "BlockHash",
    Hasher.TWOX_64_CONCAT,
    U32,
    H256,
    bytes(32),
    docs="Map of block numbers to block hashes.",
)
Number = StorageValue(NAME, "Number", U32, 0, docs="The current block number being processed.")
ParentHash = StorageValue(NAME, "ParentHash", H256, bytes(32), docs="Hash of the previous block.")

EVENT_RECORD = Struct(
    ("frame_system", "EventRecord"),
    [
        field_("phase", PHASE, "Phase"),
        field_("event", RUNTIME_EVENT, "E"),
        field_("topics", Vec(H256), "Vec<T>"),
    ],
    params=(("E", RUNTIME_EVENT), ("T", H256)),
)
Events = StorageValue(NAME, "Events", Vec(EVENT_RECORD), [], docs="Events deposited for the current block.")
EventCount = StorageValue(NAME, "EventCount", U32, 0, docs="The number of events in the `Events<T>` list.")

STORAGE = (Account, ExtrinsicCount, BlockHash, Number, ParentHash, Events, EventCount)

# -- events --------------------------------------------------------------------------------------------

ExtrinsicSuccess = EventDecl(
    "ExtrinsicSuccess",
    0,
    (field_("dispatch_info", DISPATCH_INFO, "DispatchInfo"),),
    ("An extrinsic completed successfully.",),
)
ExtrinsicFailed = EventDecl(
    "ExtrinsicFailed",
    1,
    (
        field_("dispatch_error", DISPATCH_ERROR, "DispatchError"),
        field_("dispatch_info", DISPATCH_INFO, "DispatchInfo"),
    ),
    ("An extrinsic failed.",),
)
CodeUpdated = EventDecl("CodeUpdated", 2, (), ("`:code` was updated.",))
NewAccount = EventDecl(
    "NewAccount", 3, (field_("account", AccountId, "T::AccountId"),), ("A new account was created.",)
)
KilledAccount = EventDecl(
    "KilledAccount", 4, (field_("account", AccountId, "T::AccountId"),), ("An account was reaped.",)
)
Remarked = EventDecl(
    "Remarked",
    5,
    (field_("sender", AccountId, "T::AccountId"), field_("hash", H256, "T::Hash")),
    ("On on-chain remark happened.",),
)

EVENTS = (ExtrinsicSuccess, ExtrinsicFailed, CodeUpdated, NewAccount, KilledAccount, Remarked)

# -- errors --------------------------------------------------------------------------------------------


class SystemModuleError(ModuleError):
    """A System error (its metadata variants are the classes below; this base is not one)."""

    module = "system"


class InvalidSpecName(SystemModuleError):
    """The name of specification does not match between the current runtime and the new runtime."""

    code = 0


class SpecVersionNeedsToIncrease(SystemModuleError):
    """The specification version is not allowed to decrease between the current runtime and the new
    runtime."""

    code = 1


class FailedToExtractRuntimeVersion(SystemModuleError):
    """Failed to extract the runtime version from the new runtime."""

    code = 2


class NonDefaultComposite(SystemModuleError):
    """Suicide called when the account has non-default composite data."""

    code = 3


class NonZeroRefCount(SystemModuleError):
    """There is a non-zero reference count preventing the account from being purged."""

    code = 4


class CallFiltered(SystemModuleError):
    """The origin filter prevent the call to be dispatched."""

    code = 5


ERRORS = (
    InvalidSpecName,
    SpecVersionNeedsToIncrease,
    FailedToExtractRuntimeVersion,
    NonDefaultComposite,
    NonZeroRefCount,
    CallFiltered,
)

# -- constants -----------------------------------------------------------------------------------------

CONSTANTS = (
    Constant(
        "BlockHashCount",
        U32,
        BLOCK_HASH_COUNT,
        ("Maximum number of block number to block hash mappings to keep.",),
    ),
    Constant("SS58Prefix", U16, SS58_PREFIX, ("The designated SS58 prefix of this chain.",)),
)
