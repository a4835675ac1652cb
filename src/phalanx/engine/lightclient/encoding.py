"""The byte encodings CometBFT hashes and signs, written by hand to match gogoproto exactly.

- header hash: RFC 6962 Merkle root (SHA-256) over the protobuf encodings of the 14 header fields,
  scalars wrapped in google.protobuf.*Value messages (empty bytes for empty values);
- validator set hash: Merkle root over `SimpleValidator{pub_key, voting_power}` encodings;
- vote sign bytes: a `CanonicalVote` prefixed with its length as a varint.

Proto3 omits zero scalars; gogoproto's non-nullable message fields are always written, even empty.
"""

from __future__ import annotations

import hashlib
import struct

from phalanx.engine.lightclient.errors import UnsupportedKeyType
from phalanx.engine.lightclient.types import BlockId, Header, Validator, ValidatorSet

SIGNED_MSG_TYPE_PRECOMMIT = 2
NANOS_PER_SECOND = 1_000_000_000
_WIRE_VARINT, _WIRE_FIXED64, _WIRE_BYTES = 0, 1, 2


def _uvarint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative int64 encodes as its two's complement
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _tag(number: int, wire: int) -> bytes:
    return _uvarint(number << 3 | wire)


def _varint_field(number: int, value: int) -> bytes:
    return _tag(number, _WIRE_VARINT) + _uvarint(value) if value else b""


def _sfixed64_field(number: int, value: int) -> bytes:
    return _tag(number, _WIRE_FIXED64) + struct.pack("<q", value) if value else b""


def _bytes_field(number: int, value: bytes) -> bytes:
    return _tag(number, _WIRE_BYTES) + _uvarint(len(value)) + value if value else b""


def _message_field(number: int, encoded: bytes) -> bytes:
    """A non-nullable embedded message: written even when empty."""
    return _tag(number, _WIRE_BYTES) + _uvarint(len(encoded)) + encoded


def compute_leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def compute_inner_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def compute_merkle_root(items: list[bytes]) -> bytes:
    """RFC 6962 Merkle tree hash: split at the largest power of two below the count."""
    if not items:
        return hashlib.sha256(b"").digest()
    if len(items) == 1:
        return compute_leaf_hash(items[0])
    split = 1 << ((len(items) - 1).bit_length() - 1)
    return compute_inner_hash(compute_merkle_root(items[:split]), compute_merkle_root(items[split:]))


def encode_timestamp(time_ns: int) -> bytes:
    seconds, nanos = divmod(time_ns, NANOS_PER_SECOND)
    return _varint_field(1, seconds) + _varint_field(2, nanos)


def encode_part_set_header(block_id: BlockId) -> bytes:
    return _varint_field(1, block_id.part_set_total) + _bytes_field(2, block_id.part_set_hash)


def encode_block_id(block_id: BlockId) -> bytes:
    """tendermint.types.BlockID (also the layout of CanonicalBlockID)."""
    return _bytes_field(1, block_id.hash) + _message_field(2, encode_part_set_header(block_id))


def compute_header_hash(header: Header) -> bytes:
    """The block hash: what a commit's block id names and validators sign."""
    wrapped_bytes = [
        header.last_commit_hash, header.data_hash, header.validators_hash, header.next_validators_hash,
        header.consensus_hash, header.app_hash, header.last_results_hash, header.evidence_hash,
        header.proposer_address,
    ]
    return compute_merkle_root([
        _varint_field(1, header.version_block) + _varint_field(2, header.version_app),
        _bytes_field(1, header.chain_id.encode()),
        _varint_field(1, header.height),
        encode_timestamp(header.time_ns),
        encode_block_id(header.last_block_id),
        *(_bytes_field(1, value) for value in wrapped_bytes),
    ])


def encode_simple_validator(validator: Validator) -> bytes:
    if validator.key_type != "ed25519":
        raise UnsupportedKeyType(f"validator key type {validator.key_type!r} is not supported (only ed25519)")
    public_key = _bytes_field(1, validator.pub_key)
    return _message_field(1, public_key) + _varint_field(2, validator.voting_power)


def compute_validator_set_hash(validator_set: ValidatorSet) -> bytes:
    return compute_merkle_root([encode_simple_validator(v) for v in validator_set.validators])


def compute_vote_sign_bytes(
    chain_id: str, height: int, round_: int, block_id: BlockId, time_ns: int
) -> bytes:
    """The bytes a validator signs for a precommit (length-delimited CanonicalVote)."""
    canonical = (
        _varint_field(1, SIGNED_MSG_TYPE_PRECOMMIT)
        + _sfixed64_field(2, height)
        + _sfixed64_field(3, round_)
        + (b"" if block_id.is_zero() else _message_field(4, encode_block_id(block_id)))
        + _message_field(5, encode_timestamp(time_ns))
        + _bytes_field(6, chain_id.encode())
    )
    return _uvarint(len(canonical)) + canonical
