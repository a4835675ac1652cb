"""Confidential contracts: the SDK (context, origins, effects, base class) and the built-in contracts.

Contracts are deterministic state machines run by enclaves; see `phalanx.contracts.sdk` for the
interface and `phalanx.contracts.token` for the private coin.
"""

from phalanx.contracts.effects import (
    EFFECT,
    Effect,
    EgressSink,
    PublicEvent,
    Withdraw,
    decode_effect,
    encode_effect,
)
from phalanx.contracts.errors import (
    BadCommand,
    BadEffect,
    BadOrigin,
    BadQuery,
    BadSnapshot,
    ContractError,
    InsufficientBalance,
    InvalidAmount,
    InvalidContext,
    InvariantViolation,
    MemoTooLong,
    Unauthorized,
    UnknownBuiltin,
)
from phalanx.contracts.messages import decode_or_raise
from phalanx.contracts.registry import (
    BUILTINS,
    compute_builtin_id,
    create_builtin,
    get_builtin_class,
    get_builtin_names,
)
from phalanx.contracts.sdk import (
    ORIGIN,
    CommandResult,
    Contract,
    ContractContext,
    Origin,
    OriginKind,
    execute_command,
)

__all__ = [
    "BUILTINS", "EFFECT", "ORIGIN", "BadCommand", "BadEffect", "BadOrigin", "BadQuery", "BadSnapshot",
    "CommandResult", "Contract", "ContractContext", "ContractError", "Effect", "EgressSink",
    "InsufficientBalance", "InvalidAmount", "InvalidContext", "InvariantViolation", "MemoTooLong",
    "Origin", "OriginKind", "PublicEvent", "Unauthorized", "UnknownBuiltin", "Withdraw",
    "compute_builtin_id", "create_builtin", "decode_effect", "decode_or_raise", "encode_effect",
    "execute_command", "get_builtin_class", "get_builtin_names",
]  # fmt: skip
