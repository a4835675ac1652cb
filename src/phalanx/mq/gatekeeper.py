"""Payloads of the gatekeeper topics: master-key publication, sharing and rotation, contract keys.

On topic `MASTER_KEY_TOPIC`:
- `MasterKeyPublished` (gatekeepers → chain): the public key of a master-key generation, i.e. the
  ed25519 identity derived from it, with which the gatekeepers sign from then on. Generation 0 is
  published by the first gatekeeper as a worker; later generations by the group.
- `MasterKeyShare` (gatekeepers → chain → one gatekeeper): a master key of one generation, sealed to
  a newly registered gatekeeper's attested X25519 key.
- `MasterKeyRotation` (runtime → gatekeepers): governance asks for a new generation.

On topic `CONTRACT_KEY_TOPIC`:
- `ContractKeyDistribution` (gatekeepers → chain → one worker): a contract key of one generation,
  sealed to a worker the chain assigned the contract to, with two public keys derived from it in
  the clear: the contract's X25519 key, which the chain publishes for users to encrypt commands
  to, and the contract's ed25519 egress key, against which the chain verifies the contract's
  egress (the key of the first generation a contract had signs its egress for good).

Each payload is one variant of the SCALE enum `GATEKEEPER_PAYLOAD`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from phalanx.codec import H256, U32, Bytes, DataclassEnum, DecodeError, FixedBytes, field_, member
from phalanx.mq.errors import InvalidMessage
from phalanx.mq.message import Topic

MASTER_KEY_TOPIC = Topic(b"phalanx/gatekeeper/master-key")
CONTRACT_KEY_TOPIC = Topic(b"phalanx/gatekeeper/contract-key")


def _check(generation: int, keys: dict[str, bytes]) -> None:
    if not isinstance(generation, int) or not 0 <= generation < 1 << 32:
        raise InvalidMessage("a key generation is a u32")
    for name, value in keys.items():
        if not isinstance(value, bytes) or len(value) != 32:
            raise InvalidMessage(f"{name} must be 32 bytes")


@dataclass(frozen=True)
class MasterKeyPublished:
    generation: int
    master_public: bytes

    def __post_init__(self) -> None:
        _check(self.generation, {"master_public": self.master_public})


@dataclass(frozen=True)
class MasterKeyShare:
    generation: int
    to_worker: bytes
    sealed_key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        _check(self.generation, {"to_worker": self.to_worker})
        if not isinstance(self.sealed_key, bytes):
            raise InvalidMessage("sealed_key is bytes")


@dataclass(frozen=True)
class ContractKeyDistribution:
    contract_id: bytes
    generation: int
    to_worker: bytes
    contract_public: bytes
    egress_public: bytes
    sealed_key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        _check(
            self.generation,
            {
                "contract_id": self.contract_id,
                "to_worker": self.to_worker,
                "contract_public": self.contract_public,
                "egress_public": self.egress_public,
            },
        )
        if not isinstance(self.sealed_key, bytes):
            raise InvalidMessage("sealed_key is bytes")


@dataclass(frozen=True)
class MasterKeyRotation:
    generation: int

    def __post_init__(self) -> None:
        _check(self.generation, {})


GatekeeperPayload = MasterKeyPublished | MasterKeyShare | ContractKeyDistribution | MasterKeyRotation

_KEY = FixedBytes(32)
GATEKEEPER_PAYLOAD: DataclassEnum[GatekeeperPayload] = DataclassEnum(
    ("phalanx", "mq", "GatekeeperPayload"),
    [
        member(
            0, MasterKeyPublished, field_("generation", U32, "u32"), field_("master_public", _KEY, "[u8; 32]")
        ),
        member(
            1,
            MasterKeyShare,
            field_("generation", U32, "u32"),
            field_("to_worker", _KEY, "[u8; 32]"),
            field_("sealed_key", Bytes),
        ),
        member(
            2,
            ContractKeyDistribution,
            field_("contract_id", H256, "H256"),
            field_("generation", U32, "u32"),
            field_("to_worker", _KEY, "[u8; 32]"),
            field_("contract_public", _KEY, "[u8; 32]"),
            field_("egress_public", _KEY, "[u8; 32]"),
            field_("sealed_key", Bytes),
        ),
        member(3, MasterKeyRotation, field_("generation", U32, "u32")),
    ],
)


def encode_gatekeeper_payload(payload: GatekeeperPayload) -> bytes:
    return GATEKEEPER_PAYLOAD.encode(payload)


def decode_gatekeeper_payload(data: bytes) -> GatekeeperPayload:
    """Decode a payload of a gatekeeper topic; raises `DecodeError` on anything malformed."""
    value = GATEKEEPER_PAYLOAD.decode(data)
    if not isinstance(
        value, MasterKeyPublished | MasterKeyShare | ContractKeyDistribution | MasterKeyRotation
    ):
        raise DecodeError("not a gatekeeper payload")  # unreachable: every variant is one of these
    return value


def topic_of(payload: GatekeeperPayload) -> Topic:
    """The topic a gatekeeper payload travels on."""
    return CONTRACT_KEY_TOPIC if isinstance(payload, ContractKeyDistribution) else MASTER_KEY_TOPIC
