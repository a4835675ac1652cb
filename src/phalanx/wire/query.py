"""Encrypted, signed queries: the client side and the enclave side of one round trip.

Client → worker endpoint: a sealed box (info `QUERY_INFO`) to the worker's attested X25519 key,
holding `SignedQuery { query, signature }` where the account signs `QUERY_DOMAIN ++ SCALE(query)`:

    Query { contract_id: H256, account: AccountId32, key_type: u8 (0 ed25519, 1 sr25519),
            nonce: [u8; 16], timestamp_ms: u64, payload: Vec<u8> }

The enclave opens it, verifies the signature (the signer is the query's origin), refuses a nonce it
saw or a timestamp outside `QUERY_WINDOW_MS` of its clock (or before it started: nonces are not
kept across restarts), runs the contract's `handle_query`, and answers

    QueryAnswer { request_hash: [u8; 32] (blake2_256 of the SignedQuery bytes), block_number: u32,
                  block_hash: H256, result: Result<Vec<u8>, (module: str, code: u32)> }

signed by the worker identity over `ANSWER_DOMAIN ++ SCALE(answer)` and sealed (info `ANSWER_INFO`,
associated data = request hash) to the ephemeral key the query was sealed with. Only the client
reads the answer; the host sees two ciphertexts. The replay check (nonces seen, clock window) is
the enclave's own logic, in `phalanx.tee.enclave.replay`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from phalanx.codec import H256, U8, U32, U64, AccountId, Bytes, FixedBytes, Str, Struct, Tuple, field_
from phalanx.codec.types import Enum, variant
from phalanx.crypto import CryptoError, Keypair, KeyType, blake2_256, verify_signature
from phalanx.crypto.box import X25519Keypair, open_sealed, seal, sealed_sender_public
from phalanx.errors import PhalanxError
from phalanx.wire.errors import InvalidQuery, MalformedInput

QUERY_DOMAIN = b"phalanx/query/v1"
ANSWER_DOMAIN = b"phalanx/query-answer/v1"
QUERY_INFO = b"phalanx/query/v1"
ANSWER_INFO = b"phalanx/query-answer/v1"
QUERY_WINDOW_MS = 60_000
NONCE_LEN = 16


@dataclass(frozen=True)
class Query:
    contract_id: bytes
    account: bytes
    key_type: int
    nonce: bytes
    timestamp_ms: int
    payload: bytes


@dataclass(frozen=True)
class SignedQuery:
    query: Query
    signature: bytes = field(repr=False)


@dataclass(frozen=True)
class QueryAnswer:
    """`answer` is the contract's answer when `error` is None; else `error` is (module, code)."""

    request_hash: bytes
    block_number: int
    block_hash: bytes
    answer: bytes = field(repr=False)
    error: tuple[str, int] | None = None


@dataclass(frozen=True)
class SignedAnswer:
    answer: QueryAnswer
    signature: bytes = field(repr=False)


_QUERY = Struct(
    ("phalanx", "enclave", "Query"),
    [
        field_("contract_id", H256),
        field_("account", AccountId),
        field_("key_type", U8),
        field_("nonce", FixedBytes(NONCE_LEN)),
        field_("timestamp_ms", U64),
        field_("payload", Bytes),
    ],
    cls=Query,
)
_SIGNED_QUERY = Struct(
    ("phalanx", "enclave", "SignedQuery"),
    [field_("query", _QUERY), field_("signature", FixedBytes(64))],
    cls=SignedQuery,
)
_RESULT = Enum(
    ("phalanx", "enclave", "QueryResult"),
    [variant("Ok", 0, field_(None, Bytes)), variant("Err", 1, field_(None, Tuple(Str, U32)))],
)
_ANSWER = Struct(
    ("phalanx", "enclave", "QueryAnswer"),
    [
        field_("request_hash", H256),
        field_("block_number", U32),
        field_("block_hash", H256),
        field_("result", _RESULT),
    ],
)
_SIGNED_ANSWER = Struct(
    ("phalanx", "enclave", "SignedAnswer"), [field_("answer", Bytes), field_("signature", FixedBytes(64))]
)


def encode_query(query: Query) -> bytes:
    return _QUERY.encode(query)


def encode_signed_query(signed: SignedQuery) -> bytes:
    return _SIGNED_QUERY.encode(signed)


def encode_answer(answer: QueryAnswer) -> bytes:
    result = ("Ok", answer.answer) if answer.error is None else ("Err", answer.error)
    return _ANSWER.encode(
        {
            "request_hash": answer.request_hash,
            "block_number": answer.block_number,
            "block_hash": answer.block_hash,
            "result": result,
        }
    )


def decode_answer(data: bytes) -> QueryAnswer:
    raw = _ANSWER.decode(data)
    kind, value = raw["result"]
    if kind == "Ok":
        return QueryAnswer(raw["request_hash"], raw["block_number"], raw["block_hash"], value)
    return QueryAnswer(raw["request_hash"], raw["block_number"], raw["block_hash"], b"", tuple(value))


# --- client side -----------------------------------------------------------------------------------


def make_query(
    keypair: Keypair, contract_id: bytes, payload: bytes, now_ms: int, *, nonce: bytes | None = None
) -> SignedQuery:
    """A query signed by `keypair` (the origin), with a fresh random nonce unless `nonce` is given."""
    nonce = os.urandom(NONCE_LEN) if nonce is None else nonce
    query = Query(contract_id, keypair.public_key, int(keypair.key_type), nonce, now_ms, payload)
    return SignedQuery(query, keypair.sign(QUERY_DOMAIN + encode_query(query)))


def seal_query(
    worker_x25519: bytes,
    signed: SignedQuery,
    *,
    ephemeral_secret: bytes | None = None,
    box_nonce: bytes | None = None,
) -> tuple[bytes, X25519Keypair, bytes]:
    """(box to post, ephemeral key to open the answer with, request hash the answer must name).

    The ephemeral key and the box nonce are fresh random values unless given (test vectors).
    """
    ephemeral = (
        X25519Keypair.generate() if ephemeral_secret is None else X25519Keypair.from_secret(ephemeral_secret)
    )
    raw = encode_signed_query(signed)
    box = seal(worker_x25519, raw, info=QUERY_INFO, ephemeral_secret=ephemeral.secret, nonce=box_nonce)
    return box, ephemeral, blake2_256(raw)


def open_answer(
    ephemeral: X25519Keypair, request_hash: bytes, worker_identity: bytes, box: bytes
) -> QueryAnswer:
    """Open and check the answer; raises `InvalidQuery` unless it is the worker's answer to this query."""
    try:
        raw = _SIGNED_ANSWER.decode(open_sealed(ephemeral, box, request_hash, info=ANSWER_INFO))
        answer_bytes, signature = raw["answer"], raw["signature"]
        if not verify_signature(KeyType.SR25519, worker_identity, ANSWER_DOMAIN + answer_bytes, signature):
            raise InvalidQuery("the answer is not signed by the worker's identity")
        answer = decode_answer(answer_bytes)
    except InvalidQuery:
        raise
    except PhalanxError as exc:
        raise InvalidQuery(f"the answer does not open or decode: {exc.message}") from None
    if answer.request_hash != request_hash:
        raise InvalidQuery("the answer names another query")
    return answer


# --- enclave side ----------------------------------------------------------------------------------


def open_query(own: X25519Keypair, box: bytes) -> tuple[SignedQuery, bytes, bytes]:
    """(verified signed query, the client's reply key, request hash); raises `InvalidQuery`."""
    try:
        raw = open_sealed(own, box, info=QUERY_INFO)
        reply_to = sealed_sender_public(box)
    except CryptoError as exc:
        raise InvalidQuery(f"the query is not sealed to this worker: {exc.message}") from None
    try:
        signed: SignedQuery = _SIGNED_QUERY.decode(raw)
    except PhalanxError as exc:
        raise MalformedInput(f"the query does not decode: {exc.message}") from None
    query = signed.query
    if query.key_type not in (KeyType.ED25519, KeyType.SR25519):
        raise InvalidQuery(f"unknown key type {query.key_type}")
    message = QUERY_DOMAIN + encode_query(query)
    if not verify_signature(KeyType(query.key_type), query.account, message, signed.signature):
        raise InvalidQuery("the query's signature does not verify for its account")
    return signed, reply_to, blake2_256(raw)


def seal_answer(
    identity: Keypair,
    answer: QueryAnswer,
    reply_to: bytes,
    *,
    ephemeral_secret: bytes | None = None,
    box_nonce: bytes | None = None,
) -> bytes:
    """Sign `answer` with the worker identity and seal it to the client's ephemeral key (with a fresh
    ephemeral key and nonce unless given, for test vectors)."""
    raw = encode_answer(answer)
    signed = _SIGNED_ANSWER.encode({"answer": raw, "signature": identity.sign(ANSWER_DOMAIN + raw)})
    return seal(
        reply_to,
        signed,
        answer.request_hash,
        info=ANSWER_INFO,
        ephemeral_secret=ephemeral_secret,
        nonce=box_nonce,
    )
