"""The host-enclave channel: length-prefixed frames carrying SCALE-encoded requests and responses.

The host starts the enclave as `python -m phalanx.tee.enclave.process_main` (`ENCLAVE_MODULE`) and
talks to it over the process's stdin and stdout.

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

A block (`FeedBlock`, `BlockInput`) is the SCALE header, its finality proof and a proof bundle
`Vec<(key: Bytes, value: Option<Bytes>, proof: Bytes)>` (what `ChainStore.state_proof(keys, at)`
returns, served as `state_getProof`) for the storage keys `PROOF_KEYS`: `Mq.InboundMessages` and
`Timestamp.Now` (what the enclave reads), `System.Number` and `System.ParentHash` (which link
blocks under CometBFT finality, where the header's hash is not itself signed). The finality proof
is the dev authority's signature under the dev engine, and under CometBFT the SCALE
`CometBftJustification { commit: Vec<u8>, validators: Vec<u8> }`, each the JSON `result` of the
CometBFT RPC answer `/commit?height=H+1` and `/validators?height=H+1` for block H.

A fresh enclave reports the last block hash `PRE_GENESIS_HASH` (all zeros): it has applied no block.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

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
    Struct,
    Tuple,
    Vec,
    field_,
    variant,
)
from phalanx.crypto import twox_128
from phalanx.wire.errors import EnclaveProtocolError

ENCLAVE_MODULE = "phalanx.tee.enclave.process_main"
"""The program at the enclave end of the channel, run as `python -m ENCLAVE_MODULE` by the host."""
MAX_FRAME = 1 << 20
HEADER_LEN = 4

PRE_GENESIS_HASH = bytes(32)
"""The last block hash of an enclave that has applied no block, not even genesis."""
INBOUND_MESSAGES_KEY = twox_128(b"Mq") + twox_128(b"InboundMessages")
TIMESTAMP_KEY = twox_128(b"Timestamp") + twox_128(b"Now")
NUMBER_KEY = twox_128(b"System") + twox_128(b"Number")
PARENT_HASH_KEY = twox_128(b"System") + twox_128(b"ParentHash")
REQUIRED_KEYS: tuple[bytes, ...] = (INBOUND_MESSAGES_KEY, TIMESTAMP_KEY)
"""Read with proofs for every block: the block's messages to enclaves and its timestamp."""
LINK_KEYS: tuple[bytes, ...] = (NUMBER_KEY, PARENT_HASH_KEY)
"""Read with proofs under CometBFT finality, where the header's hash is not itself signed."""
PROOF_KEYS: tuple[bytes, ...] = REQUIRED_KEYS + LINK_KEYS
"""The storage keys a host proves for every block (any engine)."""
PROOF_BUNDLE = Vec(Tuple(Bytes, Option(Bytes), Bytes))
COMETBFT_JUSTIFICATION = Struct(
    ("phalanx", "enclave", "CometBftJustification"), [field_("commit", Bytes), field_("validators", Bytes)]
)


@dataclass(frozen=True)
class BlockInput:
    """One block as the host hands it over: header bytes, finality proof, proof bundle."""

    header: bytes
    justification: bytes
    proofs: bytes


def encode_cometbft_justification(commit_result: object, validators_result: object) -> bytes:
    """The justification of block H from the JSON results of `/commit?height=H+1` and
    `/validators?height=H+1` (what the host fetches from a CometBFT node)."""
    return COMETBFT_JUSTIFICATION.encode({
        "commit": json.dumps(commit_result, separators=(",", ":")).encode(),
        "validators": json.dumps(validators_result, separators=(",", ":")).encode(),
    })  # fmt: skip


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
