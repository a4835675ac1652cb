"""The host-enclave channel: length-prefixed frames carrying SCALE-encoded requests and responses.

Frame: `u32 big-endian length ++ payload`, payload at most `MAX_FRAME` bytes. The host writes one
request frame and reads one response frame; the enclave answers requests in order.

    EnclaveRequest  = Measurement | GetInfo { endpoint, operator } | SealRoundtrip { data, label } | Shutdown
                    | Init { genesis_hash, authority_public, authority_key_type }
                    | FeedBlock { header, justification, proofs } | Query(sealed box) | Checkpoint | Status
                    | InitTrust { trust_root: SCALE(phalanx.attestation.TrustRoot) }  (dev or CometBFT)
    EnclaveResponse = Measurement([u8; 32]) | Info { info, evidence } | Sealed { sealed, unsealed } | Done
                    | Error { module, code, message }
                    | Status { initialized, block_number, block_hash, identity, encryption, contracts }
                    | Fed { block_number, egress: Vec<SignedMessage bytes>, logs: Vec<(level, text)> }
                    | Answer(sealed box) | Checkpointed(block_number)

`SealRoundtrip` exists for tests of the platform's sealing inside the enclave process. Nothing on
this channel carries plaintext of commands, contract state, queries or answers: blocks are public
chain data, queries and answers are sealed boxes, egress is what the chain will publish anyway.
"""

from __future__ import annotations

from collections.abc import Callable

from phalanx.attestation import EVIDENCE_CODEC, REGISTRATION_INFO_CODEC
from phalanx.codec import (
    U8,
    U32,
    AccountId,
    Bool,
    Bytes,
    Enum,
    FixedBytes,
    Option,
    Str,
    Tuple,
    Vec,
    field_,
    variant,
)
from phalanx.tee.platform.errors import EnclaveProtocolError

MAX_FRAME = 1 << 20
HEADER_LEN = 4

REQUEST_CODEC = Enum(
    ("phalanx", "tee", "EnclaveRequest"),
    [
        variant("Measurement", 0),
        variant("GetInfo", 1, field_("endpoint", Bytes), field_("operator", Option(AccountId))),
        variant("SealRoundtrip", 2, field_("data", Bytes), field_("label", Str)),
        variant("Shutdown", 3),
        variant(
            "Init",
            4,
            field_("genesis_hash", FixedBytes(32)),
            field_("authority_public", FixedBytes(32)),
            field_("authority_key_type", U8),
        ),
        variant(
            "FeedBlock", 5, field_("header", Bytes), field_("justification", Bytes), field_("proofs", Bytes)
        ),
        variant("Query", 6, field_(None, Bytes)),
        variant("Checkpoint", 7),
        variant("Status", 8),
        variant("InitTrust", 9, field_("trust_root", Bytes)),
    ],
)

RESPONSE_CODEC = Enum(
    ("phalanx", "tee", "EnclaveResponse"),
    [
        variant("Measurement", 0, field_(None, FixedBytes(32))),
        variant("Info", 1, field_("info", REGISTRATION_INFO_CODEC), field_("evidence", EVIDENCE_CODEC)),
        variant("Sealed", 2, field_("sealed", Bytes), field_("unsealed", Bytes)),
        variant("Done", 3),
        variant("Error", 4, field_("module", Str), field_("code", U32), field_("message", Str)),
        variant(
            "Status",
            5,
            field_("initialized", Bool),
            field_("block_number", U32),
            field_("block_hash", FixedBytes(32)),
            field_("identity", FixedBytes(32)),
            field_("encryption", FixedBytes(32)),
            field_("contracts", Vec(Tuple(FixedBytes(32), Bool))),
        ),
        variant(
            "Fed",
            6,
            field_("block_number", U32),
            field_("egress", Vec(Bytes)),
            field_("logs", Vec(Tuple(Str, Str))),
        ),
        variant("Answer", 7, field_(None, Bytes)),
        variant("Checkpointed", 8, field_(None, U32)),
    ],
)


def encode_frame(payload: bytes) -> bytes:
    if len(payload) > MAX_FRAME:
        raise EnclaveProtocolError(f"frame of {len(payload)} bytes exceeds the limit of {MAX_FRAME}")
    return len(payload).to_bytes(HEADER_LEN, "big") + payload


def read_frame(read_exact: Callable[[int], bytes]) -> bytes:
    """Read one frame with `read_exact(n)`, which returns exactly n bytes or raises."""
    length = int.from_bytes(read_exact(HEADER_LEN), "big")
    if length > MAX_FRAME:
        raise EnclaveProtocolError(f"announced frame of {length} bytes exceeds the limit of {MAX_FRAME}")
    return read_exact(length)
