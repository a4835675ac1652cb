"""Typed errors of the node: transaction pool refusals and JSON-RPC failures.

Pool errors carry the JSON-RPC error code Substrate's author API uses for the same condition
(`rpc_code`), so the RPC layer can answer exactly as a Substrate node would.
"""

from __future__ import annotations

from phalanx.errors import PhalanxError


class NodeError(PhalanxError):
    """Base class of every node error."""

    module = "node"
    code = 0


class PoolError(NodeError):
    """The transaction pool refused a transaction."""

    code = 10
    rpc_code = 1010


class AlreadyImported(PoolError):
    """The same transaction (same hash) is already in the pool."""

    code = 11
    rpc_code = 1013


class TemporarilyBanned(PoolError):
    """The transaction was recently dropped or included; resubmitting it is refused for a while."""

    code = 12
    rpc_code = 1012


class PriorityTooLow(PoolError):
    """Another transaction in the pool provides the same tag (e.g. same sender and nonce) with a priority
    at least as high."""

    code = 13
    rpc_code = 1014


class PoolFull(PoolError):
    """The pool holds as many transactions (or bytes) as its limits allow; try again after the next block."""

    code = 14
    rpc_code = 1016


class TransactionTooLarge(PoolError):
    """The encoded transaction is larger than the pool accepts."""

    code = 15
    rpc_code = 1010


class ConfigError(NodeError):
    """A node option or the chain specification is not usable (bad value, authority key mismatch)."""

    code = 20

