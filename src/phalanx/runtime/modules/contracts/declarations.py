"""Contracts declarations: instances, their keys, workers and command sequences; events and errors.

Storage (keys are `twox128("Contracts") ++ twox128(item) ++ hasher(SCALE(key))`, contract ids H256):

- `Instances: map H256 (Blake2_128Concat) -> { builtin: String, account: AccountId32, deployed_at: u32 }`:
  deployed contracts; `account` holds the public PHA deposited into the contract
  (`compute_contract_account`).
- `PublicKeys: map H256 (Blake2_128Concat) -> { generation: u32, public_key: [u8; 32],
  egress_public: [u8; 32] }`: the contract's X25519 public key of its newest key generation, which
  users encrypt commands to, and the ed25519 key its egress is signed with (derived from the first
  generation the contract had, kept for good), both published by the gatekeepers'
  `ContractKeyDistribution`.
- `Assignments: map H256 (Blake2_128Concat) -> Vec<[u8; 32]>`: identities of the workers that run it.
- `CommandSequence: map H256 (Blake2_128Concat) -> u64`: commands sent to the contract so far
  (user commands and chain commands such as deposits share one sequence).
"""

from __future__ import annotations

from dataclasses import dataclass

from phalanx.codec import (
    H256,
    U32,
    U64,
    U128,
    AccountId,
    Bytes,
    DataclassStruct,
    FixedBytes,
    Str,
    Vec,
    field_,
)
from phalanx.runtime.errors import ModuleError
from phalanx.runtime.framework import Constant, EventDecl, Hasher, StorageMap

NAME = "Contracts"
INDEX = 22
CRATE = "pallet_contracts_confidential"

REPLICAS = 2
"""Workers assigned to each contract when that many are registered."""
MAX_COMMAND_LEN = 64 * 1024
"""Largest ciphertext `push_command` accepts."""
ACCOUNT_PALLET_ID = b"phx/ctrt"

KEY = FixedBytes(32)


@dataclass(frozen=True)
class ContractInstance:
    """A deployed contract: which built-in it runs, its public account, the block it was deployed at."""

    builtin: str
    account: bytes
    deployed_at: int


@dataclass(frozen=True)
class ContractPublicKey:
    """The contract's X25519 key of its newest generation, and its ed25519 egress key (first generation)."""

    generation: int
    public_key: bytes
    egress_public: bytes


INSTANCE = DataclassStruct(
    ContractInstance,
    ("phalanx", "runtime", "contracts", "ContractInstance"),
    [field_("builtin", Str, "String"), field_("account", AccountId, "AccountId32"),
     field_("deployed_at", U32, "BlockNumber")],
)  # fmt: skip
PUBLIC_KEY = DataclassStruct(
    ContractPublicKey,
    ("phalanx", "runtime", "contracts", "ContractPublicKey"),
    [field_("generation", U32, "u32"), field_("public_key", KEY, "[u8; 32]"),
     field_("egress_public", KEY, "[u8; 32]")],
)  # fmt: skip

# -- storage -------------------------------------------------------------------------------------------

Instances = StorageMap(NAME, "Instances", Hasher.BLAKE2_128_CONCAT, H256, INSTANCE, None,
                       docs="Deployed contracts by id.")  # fmt: skip
PublicKeys = StorageMap(NAME, "PublicKeys", Hasher.BLAKE2_128_CONCAT, H256, PUBLIC_KEY, None,
                        docs="Contract X25519 public keys (newest generation) and egress keys.")  # fmt: skip
Assignments = StorageMap(NAME, "Assignments", Hasher.BLAKE2_128_CONCAT, H256, Vec(KEY), [],
                         docs="Workers assigned to each contract.")  # fmt: skip
CommandSequence = StorageMap(NAME, "CommandSequence", Hasher.BLAKE2_128_CONCAT, H256, U64, 0,
                             docs="Commands sent to each contract so far.")  # fmt: skip

STORAGE = (Instances, PublicKeys, Assignments, CommandSequence)

# -- events --------------------------------------------------------------------------------------------

_CONTRACT = field_("contract", H256, "H256")
_WORKER = field_("worker", KEY, "[u8; 32]")
_SEQ = field_("sequence", U64, "u64")
_AMOUNT = field_("amount", U128, "BalanceOf<T>")

ContractInstantiated = EventDecl("ContractInstantiated", 0,
                                 (_CONTRACT, field_("builtin", Str, "String"), field_("account", AccountId)),
                                 ("A built-in contract was deployed.",))  # fmt: skip
CommandPushed = EventDecl("CommandPushed", 1, (_CONTRACT, field_("sender", AccountId, "T::AccountId"), _SEQ),
                          ("An encrypted command was queued (its content stays private).",))  # fmt: skip
Deposited = EventDecl("Deposited", 2, (_CONTRACT, field_("who", AccountId, "T::AccountId"), _AMOUNT, _SEQ),
                      ("Public PHA moved into the contract; a Deposit command was queued.",))  # fmt: skip
Withdrawn = EventDecl("Withdrawn", 3, (_CONTRACT, field_("to", AccountId, "T::AccountId"), _AMOUNT),
                      ("The contract paid public PHA out of its account (verified egress).",))  # fmt: skip
WorkerAssigned = EventDecl(
    "WorkerAssigned", 4, (_CONTRACT, _WORKER), ("A worker was assigned the contract.",)
)
WorkerUnassigned = EventDecl("WorkerUnassigned", 5, (_CONTRACT, _WORKER),
                             ("A worker no longer runs the contract.",))  # fmt: skip
ContractKeyPublished = EventDecl(
    "ContractKeyPublished", 6,
    (_CONTRACT, field_("generation", U32, "u32"), field_("public_key", KEY, "[u8; 32]"),
     field_("egress_public", KEY, "[u8; 32]")),
    ("The contract's X25519 public key of a key generation (and its egress key) became known.",),
)  # fmt: skip
PublicEventEmitted = EventDecl(
    "PublicEventEmitted", 7, (_CONTRACT, field_("topic", Str, "String"), field_("payload", Bytes, "Vec<u8>")),
    ("The contract published a public event (a verified egress effect).",),
)  # fmt: skip

EVENTS = (ContractInstantiated, CommandPushed, Deposited, Withdrawn, WorkerAssigned, WorkerUnassigned,
          ContractKeyPublished, PublicEventEmitted)  # fmt: skip

# -- errors --------------------------------------------------------------------------------------------


class ContractsError(ModuleError):
    module = "contracts"


class UnknownContract(ContractsError):
    """No contract is deployed with this id."""

    code = 0


class CommandTooLarge(ContractsError):
    """The command ciphertext is longer than MaxCommandLen."""

    code = 1


class DepositsNotSupported(ContractsError):
    """This contract does not accept deposits of public PHA."""

    code = 2


class ZeroAmount(ContractsError):
    """An amount of zero."""

    code = 3


class InsufficientContractBalance(ContractsError):
    """The contract account does not hold the amount (above its existential deposit)."""

    code = 4


class EgressTopicMismatch(ContractsError):
    """The egress message's topic names another contract than its sender."""

    code = 5


class AlreadyInstantiated(ContractsError):
    """A contract with this id is deployed already."""

    code = 6


class UnknownBuiltin(ContractsError):
    """No built-in contract has this name."""

    code = 7


class BadEffect(ContractsError):
    """The egress payload is not a well-formed effect."""

    code = 8


class EmptyCommand(ContractsError):
    """A command with no bytes."""

    code = 9


ERRORS = (UnknownContract, CommandTooLarge, DepositsNotSupported, ZeroAmount, InsufficientContractBalance,
          EgressTopicMismatch, AlreadyInstantiated, UnknownBuiltin, BadEffect, EmptyCommand)  # fmt: skip

CONSTANTS = (
    Constant("Replicas", U32, REPLICAS, ("Workers assigned to each contract when that many exist.",)),
    Constant("MaxCommandLen", U32, MAX_COMMAND_LEN, ("Largest command ciphertext accepted.",)),
)  # fmt: skip
