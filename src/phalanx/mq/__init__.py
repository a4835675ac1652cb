"""Wire types of the message queue between the chain and enclaves, shared by the runtime and the TEE.

`message` holds origins, topics, messages, signed messages and the sequence check the runtime
applies; `gatekeeper` holds the payloads of the gatekeeper topics; `registry` the registry events
the runtime sends to enclaves. Nothing here imports the runtime or the TEE packages: both sides
build on these types.
"""

from phalanx.mq.errors import BadSignature, InvalidMessage, MqError, OutOfOrder, Replayed
from phalanx.mq.gatekeeper import (
    CONTRACT_KEY_TOPIC,
    GATEKEEPER_PAYLOAD,
    MASTER_KEY_TOPIC,
    ContractKeyDistribution,
    GatekeeperPayload,
    MasterKeyPublished,
    MasterKeyRotation,
    MasterKeyShare,
    decode_gatekeeper_payload,
    encode_gatekeeper_payload,
    topic_of,
)
from phalanx.mq.message import (
    MESSAGE,
    ORIGIN,
    SIGNATURE,
    SIGNED_MESSAGE,
    SIGNING_DOMAIN,
    TOPIC,
    AccountOrigin,
    ContractOrigin,
    GatekeeperOrigin,
    Message,
    MessageOrigin,
    RuntimeOrigin,
    Signature,
    SignedMessage,
    Topic,
    WorkerOrigin,
    check_sequence,
    compute_origin_key,
    compute_signing_payload,
)

__all__ = [
    "CONTRACT_KEY_TOPIC", "GATEKEEPER_PAYLOAD", "MASTER_KEY_TOPIC", "MESSAGE", "ORIGIN", "SIGNATURE",
    "SIGNED_MESSAGE", "SIGNING_DOMAIN", "TOPIC", "AccountOrigin", "BadSignature", "ContractKeyDistribution",
    "ContractOrigin", "GatekeeperOrigin", "GatekeeperPayload", "InvalidMessage", "MasterKeyPublished",
    "MasterKeyRotation", "MasterKeyShare", "Message", "MessageOrigin", "MqError", "OutOfOrder", "Replayed",
    "RuntimeOrigin", "Signature", "SignedMessage", "Topic", "WorkerOrigin", "check_sequence",
    "compute_origin_key", "compute_signing_payload", "decode_gatekeeper_payload",
    "encode_gatekeeper_payload", "topic_of",
]  # fmt: skip
