"""Extrinsics in the Substrate v4 format: decoding, the signed payload, and building/signing.

    signed:   compact(len) ++ 0x84 ++ MultiAddress::Id(0x00 ++ account 32) ++ MultiSignature (0x00|0x01 ++ 64)
              ++ era ++ compact(nonce) ++ compact(tip) ++ call
    unsigned: compact(len) ++ 0x04 ++ call

The signed payload is `call ++ era ++ compact(nonce) ++ compact(tip) ++ spec_version (u32) ++
transaction_version (u32) ++ genesis_hash ++ birth_block_hash` (the extra of CheckMortality,
CheckNonce, ChargeTransactionPayment, then the additional-signed data of CheckSpecVersion,
CheckTxVersion, CheckGenesis, CheckMortality), replaced by its blake2_256 when longer than 256 bytes.
An extrinsic's hash is blake2_256 of its full encoding (length prefix included).
"""

from __future__ import annotations

from dataclasses import dataclass

from phalanx.codec import DecodeError, decode_compact, encode_compact
from phalanx.crypto import Keypair, KeyType, blake2_256
from phalanx.runtime.dispatch import Call, RuntimeCallCodec
from phalanx.runtime.errors import CannotDecode, InvalidTransaction, UnknownTransaction
from phalanx.runtime.types import Era, decode_era, encode_era

SIGNED = 0x84
UNSIGNED = 0x04
MAX_EXTRINSIC_SIZE = 4 * 1024 * 1024


@dataclass(frozen=True)
class Extrinsic:
    """A decoded extrinsic. `signer` is None for an unsigned one (an inherent)."""

    raw: bytes
    hash: bytes
    call: Call
    call_bytes: bytes
    signer: bytes | None = None
    key_type: KeyType = KeyType.SR25519
    signature: bytes = b""
    era: Era = None
    era_bytes: bytes = b"\x00"
    nonce: int = 0
    tip: int = 0

    @property
    def signed(self) -> bool:
        return self.signer is not None


def decode_extrinsic(raw: bytes, calls: RuntimeCallCodec) -> Extrinsic:
    """Decode a length-prefixed extrinsic.

    Raises CannotDecode for malformed bytes, UnknownTransaction (CannotLookup) for a sender that is
    not `MultiAddress::Id`, InvalidTransaction (BadProof) for an ECDSA signature.
    """
    if not isinstance(raw, bytes):
        raw = bytes(raw)
    if len(raw) > MAX_EXTRINSIC_SIZE:
        raise InvalidTransaction(
            f"extrinsic of {len(raw)} bytes exceeds {MAX_EXTRINSIC_SIZE}", "ExhaustsResources"
        )
    try:
        length, offset = decode_compact(raw, 0)
        if length != len(raw) - offset:
            raise CannotDecode(f"length prefix says {length} bytes, {len(raw) - offset} follow")
        if length == 0:
            raise CannotDecode("empty extrinsic")
        version = raw[offset]
        offset += 1
        if version == UNSIGNED:
            call, end = calls.decode_prefix(raw, offset)
            _check_end(raw, end)
            return Extrinsic(raw, blake2_256(raw), call, raw[offset:end])
        if version != SIGNED:
            raise CannotDecode(f"unsupported extrinsic version byte 0x{version:02x} (expected 0x84 or 0x04)")
        return _decode_signed(raw, offset, calls)
    except DecodeError as exc:
        raise CannotDecode(str(exc)) from None


def _check_end(raw: bytes, end: int) -> None:
    if end != len(raw):
        raise CannotDecode(f"{len(raw) - end} trailing bytes after the call")


def _decode_signed(raw: bytes, offset: int, calls: RuntimeCallCodec) -> Extrinsic:
    if offset >= len(raw):
        raise CannotDecode("truncated signer address")
    address_kind = raw[offset]
    if address_kind != 0:
        names = {1: "Index", 2: "Raw", 3: "Address32", 4: "Address20"}
        if address_kind not in names:
            raise CannotDecode(f"invalid MultiAddress variant {address_kind}")
        raise UnknownTransaction(
            f"signer given as MultiAddress::{names[address_kind]}; only MultiAddress::Id is supported",
            "CannotLookup",
        )
    signer = raw[offset + 1 : offset + 33]
    offset += 33
    if len(signer) != 32 or offset >= len(raw):
        raise CannotDecode("truncated signer")
    sig_kind = raw[offset]
    if sig_kind == 2:
        raise InvalidTransaction(
            "ECDSA signatures are not supported; sign with sr25519 or ed25519", "BadProof"
        )
    if sig_kind > 2:
        raise CannotDecode(f"invalid MultiSignature variant {sig_kind}")
    signature = raw[offset + 1 : offset + 65]
    offset += 65
    if len(signature) != 64:
        raise CannotDecode("truncated signature")
    era_start = offset
    era, offset = decode_era(raw, offset)
    era_bytes = raw[era_start:offset]
    nonce, offset = decode_compact(raw, offset)
    if nonce >= 1 << 32:
        raise CannotDecode("nonce does not fit u32")
    tip, offset = decode_compact(raw, offset)
    if tip >= 1 << 128:
        raise CannotDecode("tip does not fit u128")
    call_start = offset
    call, end = calls.decode_prefix(raw, offset)
    _check_end(raw, end)
    return Extrinsic(
        raw,
        blake2_256(raw),
        call,
        raw[call_start:end],
        signer,
        KeyType.ED25519 if sig_kind == 0 else KeyType.SR25519,
        signature,
        era,
        era_bytes,
        nonce,
        tip,
    )


def signing_payload(
    call_bytes: bytes,
    era_bytes: bytes,
    nonce: int,
    tip: int,
    spec_version: int,
    transaction_version: int,
    genesis_hash: bytes,
    birth_hash: bytes,
) -> bytes:
    """The bytes a signer signs (hashed with blake2_256 when longer than 256 bytes)."""
    payload = b"".join(
        (
            call_bytes,
            era_bytes,
            encode_compact(nonce),
            encode_compact(tip),
            spec_version.to_bytes(4, "little"),
            transaction_version.to_bytes(4, "little"),
            genesis_hash,
            birth_hash,
        )
    )
    return blake2_256(payload) if len(payload) > 256 else payload


def encode_unsigned(call_bytes: bytes) -> bytes:
    body = bytes((UNSIGNED,)) + call_bytes
    return encode_compact(len(body)) + body


def encode_signed(
    call_bytes: bytes, signer: bytes, key_type: KeyType, signature: bytes, era: Era, nonce: int, tip: int
) -> bytes:
    body = b"".join(
        (
            bytes((SIGNED, 0)),
            signer,
            bytes((int(key_type),)),
            signature,
            encode_era(era),
            encode_compact(nonce),
            encode_compact(tip),
            call_bytes,
        )
    )
    return encode_compact(len(body)) + body


def sign_extrinsic(
    keypair: Keypair,
    call_bytes: bytes,
    nonce: int,
    *,
    genesis_hash: bytes,
    spec_version: int,
    transaction_version: int,
    era: Era = None,
    birth_hash: bytes | None = None,
    tip: int = 0,
) -> bytes:
    """A signed extrinsic ready to submit. Mortal eras need the hash of their birth block."""
    if era is not None and birth_hash is None:
        raise ValueError("a mortal era needs the birth block hash")
    payload = signing_payload(
        call_bytes,
        encode_era(era),
        nonce,
        tip,
        spec_version,
        transaction_version,
        genesis_hash,
        genesis_hash if era is None else birth_hash,  # type: ignore[arg-type]
    )
    return encode_signed(
        call_bytes, keypair.public_key, keypair.key_type, keypair.sign(payload), era, nonce, tip
    )
