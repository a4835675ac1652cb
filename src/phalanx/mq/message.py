"""Messages between the chain and enclaves: who sent them, on which topic, signed with a sequence.

Chain to enclave, the runtime appends `Message`s for the block to a storage item covered by the
state root (origin `RuntimeOrigin` for registry events and requests, `AccountOrigin` for what an
account did: its sealed commands, and the commands the runtime composed for it, such as a deposit,
each on its own topic; the message names the account, so no reader decodes a payload to find it).
Enclave to chain, senders submit `SignedMessage`s: the message, the sender's next sequence number and a
signature over

    b"phalanx/mq/v1" ++ SCALE(message) ++ sequence (u64 little-endian)

The runtime accepts each (origin, sequence) once and in order (`check_sequence`), so identical copies
sent by several gatekeepers or contract replicas land once and a replay is refused.

Signers: a worker signs with its enclave identity (sr25519); the gatekeepers sign as one with the
ed25519 identity derived from the master key (ed25519 signatures are deterministic, so every
gatekeeper emits byte-identical messages); a contract with a key derived from its contract key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from phalanx.codec import (
    H256,
    U64,
    AccountId,
    Bytes,
    DataclassEnum,
    Enum,
    FixedBytes,
    Mapped,
    Struct,
    field_,
    member,
    variant,
)
from phalanx.crypto import Keypair, KeyType, verify_signature
from phalanx.mq.errors import BadSignature, InvalidMessage, OutOfOrder, Replayed

SIGNING_DOMAIN = b"phalanx/mq/v1"
MAX_TOPIC_LEN = 256
PUBLIC_KEY = FixedBytes(32)


def _check_len(what: str, value: bytes, length: int) -> None:
    if not isinstance(value, bytes) or len(value) != length:
        raise InvalidMessage(f"{what} must be {length} bytes")


# --- origins -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuntimeOrigin:
    """The chain's runtime itself (registry events, key assignments, governance requests)."""


@dataclass(frozen=True)
class WorkerOrigin:
    """A registered worker, by its enclave's sr25519 identity public key."""

    pubkey: bytes

    def __post_init__(self) -> None:
        _check_len("a worker public key", self.pubkey, 32)


@dataclass(frozen=True)
class GatekeeperOrigin:
    """The gatekeeper group, signing with the identity derived from the current master key."""


@dataclass(frozen=True)
class ContractOrigin:
    """A confidential contract, by its 32-byte contract id."""

    contract_id: bytes

    def __post_init__(self) -> None:
        _check_len("a contract id", self.contract_id, 32)


@dataclass(frozen=True)
class AccountOrigin:
    """An on-chain account (sr25519 or ed25519 public key)."""

    account: bytes

    def __post_init__(self) -> None:
        _check_len("an account id", self.account, 32)


MessageOrigin = RuntimeOrigin | WorkerOrigin | GatekeeperOrigin | ContractOrigin | AccountOrigin

ORIGIN: DataclassEnum[MessageOrigin] = DataclassEnum(
    ("phalanx", "mq", "MessageOrigin"),
    [
        member(0, RuntimeOrigin),
        member(1, WorkerOrigin, field_("pubkey", PUBLIC_KEY, "[u8; 32]")),
        member(2, GatekeeperOrigin),
        member(3, ContractOrigin, field_("contract_id", H256, "H256")),
        member(4, AccountOrigin, field_("account", AccountId, "AccountId32")),
    ],
)


def compute_origin_key(origin: MessageOrigin) -> bytes:
    """The SCALE encoding of an origin: the key under which its next sequence number is kept."""
    return ORIGIN.encode(origin)


# --- topics --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    """A message's destination path, such as b"phalanx/gatekeeper/master-key".

    Segments are non-empty, separated by "/", printable ASCII; at most 256 bytes in all.
    """

    path: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.path, bytes) or not 0 < len(self.path) <= MAX_TOPIC_LEN:
            raise InvalidMessage(f"a topic is 1 to {MAX_TOPIC_LEN} bytes")
        if any(not 0x21 <= b <= 0x7E for b in self.path) or b"" in self.path.split(b"/"):
            raise InvalidMessage(f"topic {self.path!r} must be printable ASCII segments joined by '/'")

    @classmethod
    def contract_command(cls, contract_id: bytes) -> Topic:
        """The topic of encrypted commands to one contract: b"phalanx/contract/<hex id>/command"."""
        _check_len("a contract id", contract_id, 32)
        return cls(b"phalanx/contract/" + contract_id.hex().encode() + b"/command")

    @classmethod
    def contract_chain_command(cls, contract_id: bytes) -> Topic:
        """The topic of the commands the runtime composes for an account, in the clear (a deposit):
        b"phalanx/contract/<hex id>/chain-command"."""
        _check_len("a contract id", contract_id, 32)
        return cls(b"phalanx/contract/" + contract_id.hex().encode() + b"/chain-command")

    @classmethod
    def contract_egress(cls, contract_id: bytes) -> Topic:
        """The topic of a contract's egress effects, enclave to chain: b"phalanx/contract/<hex id>/egress"."""
        _check_len("a contract id", contract_id, 32)
        return cls(b"phalanx/contract/" + contract_id.hex().encode() + b"/egress")


TOPIC = Mapped[Topic, bytes](Bytes, lambda topic: topic.path, Topic)


# --- messages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """One message: its origin, its topic and its SCALE-encoded payload."""

    origin: MessageOrigin
    topic: Topic
    payload: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.payload, bytes):
            raise InvalidMessage("a message payload is bytes")

    def encode(self) -> bytes:
        return MESSAGE.encode(self)


MESSAGE = Struct(
    ("phalanx", "mq", "Message"),
    [field_("origin", ORIGIN, "MessageOrigin"), field_("topic", TOPIC, "Topic"), field_("payload", Bytes)],
    cls=Message,
)


@dataclass(frozen=True)
class Signature:
    """A `MultiSignature`-shaped signature: variant 0 ed25519, 1 sr25519, 64 bytes each."""

    key_type: KeyType
    data: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.key_type, KeyType):
            raise InvalidMessage("a signature's key type is ed25519 or sr25519")
        _check_len("a signature", self.data, 64)


_SIGNATURE_ENUM = Enum(
    ("sp_runtime", "MultiSignature"),
    [
        variant("Ed25519", 0, field_(None, FixedBytes(64))),
        variant("Sr25519", 1, field_(None, FixedBytes(64))),
    ],
)
_SIGNATURE_NAMES = {KeyType.ED25519: "Ed25519", KeyType.SR25519: "Sr25519"}
_SIGNATURE_TYPES = {name: key_type for key_type, name in _SIGNATURE_NAMES.items()}

SIGNATURE = Mapped[Signature, tuple[str, bytes]](
    _SIGNATURE_ENUM,
    lambda sig: (_SIGNATURE_NAMES[sig.key_type], sig.data),
    lambda pair: Signature(_SIGNATURE_TYPES[pair[0]], pair[1]),
)


@dataclass(frozen=True)
class SignedMessage:
    """A message with its sender's sequence number and signature, as an enclave submits it."""

    message: Message
    sequence: int
    signature: Signature

    def __post_init__(self) -> None:
        if not isinstance(self.sequence, int) or not 0 <= self.sequence < 1 << 64:
            raise InvalidMessage("a sequence number is a u64")

    def signing_payload(self) -> bytes:
        return compute_signing_payload(self.message, self.sequence)

    @classmethod
    def sign(cls, message: Message, sequence: int, keypair: Keypair) -> SignedMessage:
        """Sign `message` as the `sequence`-th of its sender (ed25519 signatures are deterministic)."""
        signature = Signature(keypair.key_type, keypair.sign(compute_signing_payload(message, sequence)))
        return cls(message, sequence, signature)

    def verify(self, public_key: bytes, key_type: KeyType | None = None) -> bool:
        """True when the signature is valid under `public_key` (and of `key_type`, when given)."""
        if key_type is not None and self.signature.key_type is not key_type:
            return False
        return verify_signature(
            self.signature.key_type, public_key, self.signing_payload(), self.signature.data
        )

    def encode(self) -> bytes:
        return SIGNED_MESSAGE.encode(self)

    @staticmethod
    def decode(data: bytes) -> SignedMessage:
        """Decode untrusted bytes; raises `phalanx.codec.DecodeError` on anything malformed."""
        value: SignedMessage = SIGNED_MESSAGE.decode(data)
        return value


SIGNED_MESSAGE = Struct(
    ("phalanx", "mq", "SignedMessage"),
    [
        field_("message", MESSAGE, "Message"),
        field_("sequence", U64, "u64"),
        field_("signature", SIGNATURE, "MultiSignature"),
    ],
    cls=SignedMessage,
)


def compute_signing_payload(message: Message, sequence: int) -> bytes:
    """The bytes a sender signs: the domain, the SCALE-encoded message, the sequence (u64 LE)."""
    return SIGNING_DOMAIN + MESSAGE.encode(message) + U64.encode(sequence)


def check_sequence(
    expected_next: int, msg: SignedMessage, public_key: bytes, key_type: KeyType | None = None
) -> int:
    """Accept `msg` as its sender's next message; returns the sequence expected after it.

    Raises `BadSignature` when the signature does not verify under `public_key` (checked first, so
    that a forger learns nothing about sequences), `Replayed` when the sequence was already
    accepted and `OutOfOrder` when it skips ahead of `expected_next`.
    """
    if not msg.verify(public_key, key_type):
        raise BadSignature(
            f"signature of {type(msg.message.origin).__name__} message #{msg.sequence} is invalid"
        )
    if msg.sequence < expected_next:
        raise Replayed(f"message #{msg.sequence} was already accepted (next is #{expected_next})")
    if msg.sequence > expected_next:
        raise OutOfOrder(f"message #{msg.sequence} skips ahead: #{expected_next} must come first")
    return expected_next + 1
