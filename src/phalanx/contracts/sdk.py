"""The contract SDK: what a confidential contract is, what it sees, and how a driver runs it.

A contract is a deterministic state machine. Every worker assigned to it runs the same commands in
the same block order, and replicas must agree byte for byte, so a contract may not read the wall
clock, draw randomness, do I/O, use floats, or depend on dict order or hash seeds. Time and entropy
come from the block (`ContractContext`). The driver (the enclave's block loop) does, per block:

    ctx = ContractContext(contract_id, number, timestamp_ms, block_hash)
    for origin, command in commands_of_the_block:
        try:
            result = execute_command(contract, ctx, origin, command)   # private output for origin
        except ContractError as refusal:
            ...                                                         # state unchanged, no effects
    contract.on_block_end(ctx)
    effects = ctx.egress.drain()                                        # sign and submit

Queries (`handle_query`) read the current state for one signed origin and change nothing.
`snapshot()` is the canonical SCALE encoding of the whole state: the enclave seals it as a
checkpoint, and `state_hash()` (its blake2_256) is what replicas compare.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

from phalanx.codec import AccountId, Codec, DecodeError, Enum, TypeInfo, field_, variant
from phalanx.contracts.effects import EgressSink
from phalanx.contracts.errors import BadOrigin, ContractError, InvalidContext
from phalanx.crypto import blake2_256

_ENTROPY_DOMAIN = b"phalanx/contract/entropy/v1"


class OriginKind(enum.IntEnum):
    """Who a command comes from. The tag is the SCALE variant index of `ORIGIN`."""

    SIGNED = 0  # an account that signed `Contracts.push_command`; the chain verified the signature
    CHAIN = 1  # the runtime itself (e.g. a deposit it executed); no user can forge this kind


@dataclass(frozen=True)
class Origin:
    """The verified origin of a command: its kind and a 32-byte account.

    For `SIGNED` the account is the signer. For `CHAIN` it is the chain-side account on whose behalf
    the runtime acted (e.g. the depositor), which a contract must not confuse with a signature.
    """

    kind: OriginKind
    account: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.kind, OriginKind):
            raise InvalidContext(f"origin kind must be an OriginKind, got {self.kind!r}")
        if not isinstance(self.account, bytes) or len(self.account) != 32:
            raise InvalidContext("origin account must be 32 bytes")

    @classmethod
    def signed(cls, account: bytes) -> Origin:
        return cls(OriginKind.SIGNED, account)

    @classmethod
    def chain(cls, account: bytes) -> Origin:
        return cls(OriginKind.CHAIN, account)

    @property
    def is_signed(self) -> bool:
        return self.kind is OriginKind.SIGNED

    @property
    def is_chain(self) -> bool:
        return self.kind is OriginKind.CHAIN


class _OriginCodec(Codec[Origin]):
    """`enum Origin { Signed(AccountId32) = 0, Chain(AccountId32) = 1 }`."""

    def __init__(self) -> None:
        account = field_(None, AccountId, "AccountId")
        self.enum = Enum(
            ("phalanx", "contracts", "Origin"), [variant("Signed", 0, account), variant("Chain", 1, account)]
        )

    def encode_into(self, buf: bytearray, value: Origin) -> None:
        buf.append(int(value.kind))
        AccountId.encode_into(buf, value.account)

    def decode_from(self, data: bytes, offset: int) -> tuple[Origin, int]:
        if offset >= len(data):
            raise DecodeError("truncated Origin")
        tag = data[offset]
        if tag not in (OriginKind.SIGNED, OriginKind.CHAIN):
            raise DecodeError(f"Origin has no variant with index {tag}")
        account, offset = AccountId.decode_from(data, offset + 1)
        return Origin(OriginKind(tag), account), offset

    def type_info(self) -> TypeInfo:
        return self.enum.type_info()

    def __repr__(self) -> str:
        return "phalanx::contracts::Origin"


ORIGIN: Codec[Origin] = _OriginCodec()


@dataclass(frozen=True)
class ContractContext:
    """What a contract may know about the world: the block it runs in, and where its effects go.

    `block_hash` is the only entropy a contract gets; it is known to the block's proposer before the
    contract runs, so it is fit for tie-breaking and sampling, not for anything worth biasing.
    """

    contract_id: bytes
    block_number: int
    block_timestamp_ms: int
    block_hash: bytes
    egress: EgressSink = field(default_factory=EgressSink, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.contract_id, bytes) or len(self.contract_id) != 32:
            raise InvalidContext("contract_id must be 32 bytes")
        if not isinstance(self.block_hash, bytes) or len(self.block_hash) != 32:
            raise InvalidContext("block_hash must be 32 bytes")
        for name in ("block_number", "block_timestamp_ms"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 1 << 64:
                raise InvalidContext(f"{name} must be an integer in 0..2^64-1, got {value!r}")

    def compute_entropy(self, label: bytes) -> bytes:
        """32 bytes that every replica derives alike: blake2_256(domain, contract, block hash, label).

        Equal labels give equal bytes within one block; a contract that needs several draws in a
        block puts its own counter in the label.
        """
        return blake2_256(_ENTROPY_DOMAIN + self.contract_id + self.block_hash + label)


@dataclass(frozen=True)
class CommandResult:
    """What an accepted command returns: `output` is private to the origin (SCALE, contract-defined).

    The enclave may encrypt `output` to the origin; it must never publish it. Public consequences go
    through the context's egress sink instead.
    """

    output: bytes = b""


class Contract(ABC):
    """Base of every contract. Subclasses give `NAME` and implement the abstract methods.

    The contract's promise to its driver: a call that raises `ContractError` has changed nothing
    (check everything before writing, or work on a copy); any other exception is a bug.
    """

    NAME: ClassVar[str] = ""

    @abstractmethod
    def handle_command(self, ctx: ContractContext, origin: Origin, command: bytes) -> CommandResult:
        """Apply one SCALE-encoded command from `origin`; raise a `ContractError` to refuse it."""

    @abstractmethod
    def handle_query(self, ctx: ContractContext, origin: bytes, query: bytes) -> bytes:
        """Answer one SCALE-encoded query from the signed account `origin`; change nothing."""

    def on_block_end(self, ctx: ContractContext) -> None:  # noqa: B027 - optional hook, empty by default
        """Called once after the block's last command; may emit effects (e.g. a tally)."""

    @abstractmethod
    def snapshot(self) -> bytes:
        """The canonical SCALE encoding of the whole state: equal states give equal bytes."""

    @abstractmethod
    def restore(self, data: bytes) -> None:
        """Replace the state with a snapshot; invalid bytes raise `BadSnapshot` and change nothing."""

    def invariants(self) -> None:  # noqa: B027 - optional hook, nothing to check by default
        """Raise `InvariantViolation` if the state is inconsistent (checked by tests and after restore)."""

    def state_hash(self) -> bytes:
        return blake2_256(self.snapshot())


def execute_command(
    contract: Contract, ctx: ContractContext, origin: Origin, command: bytes
) -> CommandResult:
    """Run one command; if the contract refuses it, drop any effects it emitted and re-raise.

    Raises the contract's `ContractError` subclass on refusal. The contract itself guarantees that a
    refused command left its state unchanged.
    """
    if not isinstance(origin, Origin):
        raise BadOrigin(f"a command's origin must be an Origin, got {type(origin).__name__}")
    mark = ctx.egress.mark()
    try:
        return contract.handle_command(ctx, origin, command)
    except ContractError:
        ctx.egress.rollback(mark)
        raise
