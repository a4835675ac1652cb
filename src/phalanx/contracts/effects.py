"""Egress effects: what a contract asks the chain to do, as data.

A contract never acts on the chain itself. It appends effects to the block context's
`EgressSink`; the enclave encodes them (`EFFECT`), signs them with the contract's key and its host
submits them as egress messages that the runtime executes (`Withdraw` pays public PHA out of the
contract's account; `PublicEvent` is recorded as a chain event). Everything in an effect becomes
public, so a contract emits only what it means to publish: a payout, a tally, never private data.
"""

from __future__ import annotations

from dataclasses import dataclass

from phalanx.codec import U128, AccountId, Bytes, DataclassEnum, Str, field_, member
from phalanx.contracts.errors import BadEffect
from phalanx.contracts.messages import decode_or_raise

MAX_U128 = (1 << 128) - 1
MAX_TOPIC_LEN = 64
MAX_EVENT_PAYLOAD = 4096


@dataclass(frozen=True)
class Withdraw:
    """Pay `amount` public PHA (plancks) from the contract's account to `to`."""

    to: bytes
    amount: int

    def __post_init__(self) -> None:
        if not isinstance(self.to, bytes) or len(self.to) != 32:
            raise BadEffect("Withdraw.to must be a 32-byte account id")
        if not isinstance(self.amount, int) or not 0 < self.amount <= MAX_U128:
            raise BadEffect(f"Withdraw.amount must be in 1..2^128-1, got {self.amount!r}")


@dataclass(frozen=True)
class PublicEvent:
    """Publish `payload` under `topic` (e.g. "voting/tally") as a chain event. It is public."""

    topic: str
    payload: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.topic, str) or not 0 < len(self.topic.encode()) <= MAX_TOPIC_LEN:
            raise BadEffect(f"PublicEvent.topic must be 1..{MAX_TOPIC_LEN} UTF-8 bytes")
        if not isinstance(self.payload, bytes) or len(self.payload) > MAX_EVENT_PAYLOAD:
            raise BadEffect(f"PublicEvent.payload must be bytes of at most {MAX_EVENT_PAYLOAD}")


Effect = Withdraw | PublicEvent

EFFECT: DataclassEnum[Effect] = DataclassEnum(
    ("phalanx", "contracts", "Effect"),
    [
        member(0, Withdraw, field_("to", AccountId, "AccountId"), field_("amount", U128, "Balance")),
        member(1, PublicEvent, field_("topic", Str), field_("payload", Bytes)),
    ],
)


def encode_effect(effect: Effect) -> bytes:
    return EFFECT.encode(effect)


def decode_effect(data: bytes) -> Effect:
    """Decode one effect; malformed bytes raise `BadEffect`."""
    return decode_or_raise(EFFECT, data, BadEffect)


class EgressSink:
    """The effects a contract emitted, in order. Append-only for contracts; the driver may roll back.

    The driver takes a `mark()` before each command and `rollback(mark)` if the command is refused,
    so a failed command leaves no effect behind (see `phalanx.contracts.sdk.execute_command`).
    """

    __slots__ = ("_effects",)

    def __init__(self) -> None:
        self._effects: list[Effect] = []

    def emit(self, effect: Effect) -> None:
        if not isinstance(effect, Withdraw | PublicEvent):
            raise BadEffect(f"not an effect: {type(effect).__name__}")
        self._effects.append(effect)

    @property
    def effects(self) -> tuple[Effect, ...]:
        return tuple(self._effects)

    def mark(self) -> int:
        return len(self._effects)

    def rollback(self, mark: int) -> None:
        del self._effects[mark:]

    def drain(self) -> tuple[Effect, ...]:
        """Return every effect emitted so far and empty the sink."""
        out = tuple(self._effects)
        self._effects.clear()
        return out

    def __len__(self) -> int:
        return len(self._effects)
