"""Mq declarations: the outbound queue and per-sender sequences in storage, events, errors.

Storage (keys are `twox128("Mq") ++ twox128(item) [++ hasher(SCALE(key))]`):

- `InboundMessages: Vec<phalanx.mq.Message>` (StorageValue, default empty): the messages for
  enclaves appended during *this* block, in order. Cleared at the start of every block, so the value
  read (with a proof) at the state root of block N is exactly block N's messages.
- `InboundTotal: u64` (StorageValue): messages appended since genesis, including this block's;
  an enclave checks `total(N) == total(N-1) + len(outbound(N))` to know it skipped nothing.
- `Sequences: map MessageOrigin (Blake2_128Concat) -> u64`: each sender's next expected sequence.
- `Accepted: map (MessageOrigin, u64) (Blake2_128Concat) -> H256`: blake2_256 of the signing payload
  of each message accepted in the last `DEDUP_WINDOW` blocks (to recognise identical copies).
- `AcceptedExpiry: map u32 (Twox64Concat) -> Vec<(MessageOrigin, u64)>`: which `Accepted` entries to
  drop at the start of block `n` (they were accepted in block `n - DEDUP_WINDOW`).
"""

from __future__ import annotations

from typing import Any

from phalanx.codec import H256, U32, U64, Bytes, Codec, DecodeError, Tuple, TypeInfo, Vec, field_
from phalanx.errors import PhalanxError
from phalanx.mq import MESSAGE, ORIGIN, SIGNED_MESSAGE
from phalanx.runtime.errors import ModuleError
from phalanx.runtime.framework import Constant, EventDecl, Hasher, StorageMap, StorageValue
from phalanx.runtime.types import DISPATCH_ERROR

NAME = "Mq"
INDEX = 21
CRATE = "pallet_mq"

DEDUP_WINDOW = 100
"""Blocks during which an identical copy of an accepted message is ignored instead of refused."""


class _Checked(Codec[Any]):
    """`inner`, but any validation error of the decoded value is reported as a `DecodeError`.

    The wire dataclasses check themselves on construction (raising `MqError`); an extrinsic argument
    that fails such a check is undecodable, not a crash of the block builder.
    """

    def __init__(self, inner: Codec[Any]) -> None:
        self.inner = inner

    def encode_into(self, buf: bytearray, value: Any) -> None:
        self.inner.encode_into(buf, value)

    def decode_from(self, data: bytes, offset: int) -> tuple[Any, int]:
        try:
            return self.inner.decode_from(data, offset)
        except DecodeError:
            raise
        except PhalanxError as exc:
            raise DecodeError(f"{self.inner!r}: {exc.message}") from None

    def type_info(self) -> TypeInfo:
        return self.inner.type_info()

    def __repr__(self) -> str:
        return repr(self.inner)


SIGNED_MESSAGE_ARG = _Checked(SIGNED_MESSAGE)
_ORIGIN = _Checked(ORIGIN)
_SENDER_SEQ = Tuple(_ORIGIN, U64)

# -- storage -------------------------------------------------------------------------------------------

InboundMessages = StorageValue(NAME, "InboundMessages", Vec(_Checked(MESSAGE)), [],
                                docs="Messages for enclaves of this block (cleared each block).")  # fmt: skip
InboundTotal = StorageValue(NAME, "InboundTotal", U64, 0, docs="Messages for enclaves since genesis.")
Sequences = StorageMap(NAME, "Sequences", Hasher.BLAKE2_128_CONCAT, _ORIGIN, U64, 0,
                       docs="The next sequence number expected from each sender.")  # fmt: skip
Accepted = StorageMap(NAME, "Accepted", Hasher.BLAKE2_128_CONCAT, _SENDER_SEQ, H256, None,
                      docs="Hashes of recently accepted messages, to ignore identical copies.")  # fmt: skip
AcceptedExpiry = StorageMap(NAME, "AcceptedExpiry", Hasher.TWOX_64_CONCAT, U32, Vec(_SENDER_SEQ), [],
                            docs="`Accepted` entries to drop at the start of a block.")  # fmt: skip

STORAGE = (InboundMessages, InboundTotal, Sequences, Accepted, AcceptedExpiry)

# -- events --------------------------------------------------------------------------------------------

_SENDER = field_("sender", _ORIGIN, "MessageOrigin")
_SEQUENCE = field_("sequence", U64, "u64")

MessageAccepted = EventDecl("MessageAccepted", 0, (_SENDER, _SEQUENCE, field_("topic", Bytes, "Vec<u8>")),
                            ("A signed message from an enclave was accepted and handled.",))  # fmt: skip
DuplicateIgnored = EventDecl("DuplicateIgnored", 1, (_SENDER, _SEQUENCE),
                             ("An identical copy of an accepted message was ignored.",))  # fmt: skip
MessageFailed = EventDecl(
    "MessageFailed",
    2,
    (_SENDER, _SEQUENCE, field_("error", DISPATCH_ERROR, "DispatchError")),
    ("A message was accepted (its sequence is used) but its handler refused it; nothing else changed.",),
)

EVENTS = (MessageAccepted, DuplicateIgnored, MessageFailed)

# -- errors --------------------------------------------------------------------------------------------


class MqError(ModuleError):
    module = "mq"


class BadSignature(MqError):
    """The message's signature does not verify under any key the chain knows for its sender."""

    code = 0


class Replayed(MqError):
    """A message with this sender and sequence was already accepted with other content, or long ago."""

    code = 1


class OutOfOrder(MqError):
    """The sequence skips ahead: the sender's earlier messages must be accepted first."""

    code = 2


class UnknownSender(MqError):
    """The sender is not registered (worker, contract) or has no published key yet (gatekeepers)."""

    code = 3


class OriginNotAllowed(MqError):
    """Runtime and account origins cannot push messages; only workers, gatekeepers and contracts do."""

    code = 4


class UnknownTopic(MqError):
    """The topic is not one the sender may send on."""

    code = 5


class BadPayload(MqError):
    """The payload does not decode as the topic's message type."""

    code = 6


ERRORS = (BadSignature, Replayed, OutOfOrder, UnknownSender, OriginNotAllowed, UnknownTopic, BadPayload)

CONSTANTS = (
    Constant("DedupWindow", U32, DEDUP_WINDOW,
             ("Blocks during which identical copies of an accepted message are ignored.",)),
)  # fmt: skip
