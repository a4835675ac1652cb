"""Golden encodings of the formats in `phalanx.wire`, kept in tests/golden/wire/vectors.json.

Every input is fixed: keys from fixed seeds, ed25519 signatures (deterministic), and the sealed
boxes' ephemeral keys and nonces passed in, so the sealed command, query and answer are pinned byte
for byte. Each vector also opens or decodes back, so it is the format and not only the bytes.
Set PHALANX_UPDATE_GOLDEN=1 to rewrite the file after a deliberate change of a wire format, and
review the diff: a change here changes what clients, hosts and enclaves exchange.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from phalanx.attestation import RegistrationInfo
from phalanx.attestation.registration import decode_trust_root, encode_trust_root
from phalanx.crypto import Keypair, KeyType, blake2_256
from phalanx.crypto.box import X25519Keypair, open_sealed
from phalanx.wire.command import decrypt_command, encrypt_command
from phalanx.wire.enclave_protocol import (
    PRE_GENESIS_HASH,
    PROOF_BUNDLE,
    PROOF_KEYS,
    REQUEST_CODEC,
    RESPONSE_CODEC,
    encode_cometbft_justification,
    encode_frame,
)
from phalanx.wire.query import (
    ANSWER_INFO,
    Query,
    QueryAnswer,
    decode_answer,
    encode_answer,
    encode_query,
    encode_signed_query,
    make_query,
    open_query,
    seal_answer,
    seal_query,
)
from phalanx.wire.trust import CometBftTrust, DevTrust, compute_chain_trust_hash, trust_from_root

GOLDEN = Path(__file__).with_name("wire") / "vectors.json"

CONTRACT_ID = bytes([0x21]) * 32
CONTRACT_KEY = X25519Keypair.from_secret(bytes([0x22]) * 32)
WORKER_KEY = X25519Keypair.from_secret(bytes([0x23]) * 32)
USER = Keypair.from_seed(bytes(range(32)), KeyType.ED25519)
WORKER_IDENTITY = Keypair.from_seed(bytes(range(32, 64)), KeyType.ED25519)
EPHEMERAL = bytes([0x24]) * 32
BOX_NONCE = bytes([0x25]) * 12
QUERY_NONCE = bytes([0x26]) * 16
NOW_MS = 1_700_000_000_000

SIGNED_QUERY = make_query(USER, CONTRACT_ID, b"\x00\x01", NOW_MS, nonce=QUERY_NONCE)
QUERY_BOX, _, REQUEST_HASH = seal_query(
    WORKER_KEY.public_key, SIGNED_QUERY, ephemeral_secret=EPHEMERAL, box_nonce=BOX_NONCE
)
ANSWER_OK = QueryAnswer(REQUEST_HASH, 7, bytes([0x27]) * 32, b"\x05answer")
ANSWER_ERR = QueryAnswer(REQUEST_HASH, 7, bytes([0x27]) * 32, b"", ("contracts", 4))
DEV_TRUST = DevTrust(bytes([0x28]) * 32, bytes([0x29]) * 32, KeyType.ED25519)
COMETBFT_TRUST = CometBftTrust(bytes([0x2A]) * 32, "phalanx-local", bytes([0x2B]) * 32)
INFO = RegistrationInfo(bytes([0x2C]) * 32, bytes([0x2D]) * 32, "dcap", None, b"http://w:1", 1)


def _requests() -> dict[str, tuple[str, Any]]:
    return {
        "request_measurement": ("Measurement", None),
        "request_get_info": ("GetInfo", {"endpoint": b"http://w:1", "operator": bytes([0x2E]) * 32}),
        "request_seal_roundtrip": ("SealRoundtrip", {"data": b"data", "label": "label"}),
        "request_shutdown": ("Shutdown", None),
        "request_init": (
            "Init",
            {
                "genesis_hash": DEV_TRUST.genesis_hash,
                "authority_public": DEV_TRUST.authority_public,
                "authority_key_type": 0,
            },
        ),
        "request_feed_block": (
            "FeedBlock",
            {"header": b"header", "justification": b"just", "proofs": b"proofs"},
        ),
        "request_query": ("Query", QUERY_BOX),
        "request_checkpoint": ("Checkpoint", None),
        "request_status": ("Status", None),
        "request_init_trust": ("InitTrust", {"trust_root": encode_trust_root(COMETBFT_TRUST.to_root())}),
    }


def _responses() -> dict[str, tuple[str, Any]]:
    return {
        "response_measurement": ("Measurement", bytes([0x2F]) * 32),
        "response_info": (
            "Info",
            {"info": INFO, "evidence": ("Dcap", {"quote": b"quote", "collateral": b"{}"})},
        ),
        "response_sealed": ("Sealed", {"sealed": b"sealed", "unsealed": b"data"}),
        "response_done": ("Done", None),
        "response_error": ("Error", {"module": "enclave", "code": 10, "message": "invalid query"}),
        "response_status": (
            "Status",
            {
                "initialized": True,
                "block_number": 7,
                "block_hash": bytes([0x27]) * 32,
                "identity": bytes([0x2C]) * 32,
                "encryption": bytes([0x2D]) * 32,
                "contracts": [(CONTRACT_ID, True)],
            },
        ),
        "response_fed": ("Fed", {"block_number": 7, "egress": [b"signed"], "logs": [("info", "text")]}),
        "response_answer": ("Answer", b"box"),
        "response_checkpointed": ("Checkpointed", 7),
    }


def vectors() -> dict[str, bytes]:
    out = {
        "command_box": encrypt_command(
            CONTRACT_KEY.public_key,
            CONTRACT_ID,
            USER.public_key,
            b"\x01command",
            ephemeral_secret=EPHEMERAL,
            nonce=BOX_NONCE,
        ),
        "query": encode_query(Query(CONTRACT_ID, USER.public_key, 0, QUERY_NONCE, NOW_MS, b"\x00\x01")),
        "signed_query": encode_signed_query(SIGNED_QUERY),
        "query_box": QUERY_BOX,
        "query_request_hash": REQUEST_HASH,
        "answer_ok": encode_answer(ANSWER_OK),
        "answer_err": encode_answer(ANSWER_ERR),
        "answer_box": seal_answer(
            WORKER_IDENTITY,
            ANSWER_OK,
            X25519Keypair.from_secret(EPHEMERAL).public_key,
            ephemeral_secret=bytes([0x30]) * 32,
            box_nonce=BOX_NONCE,
        ),
        "frame": encode_frame(b"payload"),
        "pre_genesis_hash": PRE_GENESIS_HASH,
        "proof_keys": b"".join(PROOF_KEYS),
        "proof_bundle": PROOF_BUNDLE.encode(
            [(PROOF_KEYS[0], None, b"proof"), (PROOF_KEYS[1], b"\x01", b"p")]
        ),
        "cometbft_justification": encode_cometbft_justification({"height": "8"}, {"count": "1"}),
        "trust_root_dev": encode_trust_root(DEV_TRUST.to_root()),
        "trust_root_cometbft": encode_trust_root(COMETBFT_TRUST.to_root()),
        "trust_hash_dev": compute_chain_trust_hash(DEV_TRUST),
        "trust_hash_cometbft": compute_chain_trust_hash(COMETBFT_TRUST),
    }
    out.update({name: REQUEST_CODEC.encode(value) for name, value in _requests().items()})
    out.update({name: RESPONSE_CODEC.encode(value) for name, value in _responses().items()})
    return out


def _recorded(fresh: dict[str, bytes]) -> dict[str, str]:
    if os.environ.get("PHALANX_UPDATE_GOLDEN") == "1" or not GOLDEN.exists():
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps({k: v.hex() for k, v in fresh.items()}, indent=2, sort_keys=True) + "\n")
    recorded: dict[str, str] = json.loads(GOLDEN.read_text())
    return recorded


def test_wire_golden_vectors() -> None:
    fresh = vectors()
    assert {name: value.hex() for name, value in fresh.items()} == _recorded(fresh)


def test_the_boxes_open_to_what_was_sealed() -> None:
    recorded = {name: bytes.fromhex(value) for name, value in _recorded(vectors()).items()}
    command = decrypt_command(CONTRACT_KEY, CONTRACT_ID, USER.public_key, recorded["command_box"])
    assert command == b"\x01command"
    signed, reply_to, request_hash = open_query(WORKER_KEY, recorded["query_box"])
    assert signed == SIGNED_QUERY and request_hash == recorded["query_request_hash"]
    assert request_hash == blake2_256(recorded["signed_query"])
    assert reply_to == X25519Keypair.from_secret(EPHEMERAL).public_key
    opened = open_sealed(
        X25519Keypair.from_secret(EPHEMERAL), recorded["answer_box"], request_hash, info=ANSWER_INFO
    )
    assert recorded["answer_ok"] in opened
    assert decode_answer(recorded["answer_ok"]) == ANSWER_OK
    assert decode_answer(recorded["answer_err"]) == ANSWER_ERR


def test_the_channel_messages_decode_back() -> None:
    recorded = {name: bytes.fromhex(value) for name, value in _recorded(vectors()).items()}
    for name, value in _requests().items():
        assert REQUEST_CODEC.decode(recorded[name]) == value
    for name, value in _responses().items():
        assert RESPONSE_CODEC.decode(recorded[name]) == value
    assert trust_from_root(decode_trust_root(recorded["trust_root_dev"])) == DEV_TRUST
    assert trust_from_root(decode_trust_root(recorded["trust_root_cometbft"])) == COMETBFT_TRUST
