"""The hand-written encodings agree with the generated CometBFT protobuf messages and RFC 6962."""

from __future__ import annotations

import hashlib

from google.protobuf import timestamp_pb2
from hypothesis import given
from hypothesis import strategies as st

from phalanx.engine.abci.framing import encode_uvarint
from phalanx.engine.abci.proto.tendermint.crypto import keys_pb2
from phalanx.engine.abci.proto.tendermint.types import canonical_pb2, types_pb2, validator_pb2
from phalanx.engine.lightclient.encoding import (
    compute_merkle_root,
    compute_vote_sign_bytes,
    encode_block_id,
    encode_simple_validator,
)
from phalanx.engine.lightclient.types import BlockId, Validator

hashes = st.one_of(st.just(b""), st.binary(min_size=32, max_size=32))
times = st.integers(min_value=0, max_value=2**40 * 10**9)


def _sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def test_merkle_root_golden() -> None:
    a, b, c = b"a", b"b", b"c"
    leaf = {x: _sha(b"\x00" + x) for x in (a, b, c)}
    assert compute_merkle_root([]) == _sha(b"")
    assert compute_merkle_root([a]) == leaf[a]
    assert compute_merkle_root([a, b]) == _sha(b"\x01" + leaf[a] + leaf[b])
    assert compute_merkle_root([a, b, c]) == _sha(b"\x01" + _sha(b"\x01" + leaf[a] + leaf[b]) + leaf[c])


@given(hashes, st.integers(min_value=0, max_value=2**32 - 1), hashes)
def test_block_id_matches_protobuf(hash_: bytes, total: int, part_hash: bytes) -> None:
    parts = types_pb2.PartSetHeader(total=total, hash=part_hash)
    message = types_pb2.BlockID(hash=hash_, part_set_header=parts)
    assert encode_block_id(BlockId(hash_, total, part_hash)) == message.SerializeToString()


@given(st.integers(min_value=1, max_value=2**62), st.integers(min_value=0, max_value=50),
       hashes, st.integers(min_value=0, max_value=2**32 - 1), hashes, times, st.text(max_size=50))
def test_vote_sign_bytes_match_length_delimited_canonical_vote(
    height: int, round_: int, hash_: bytes, total: int, part_hash: bytes, time_ns: int, chain_id: str,
) -> None:
    block_id = BlockId(hash_, total, part_hash)
    seconds, nanos = divmod(time_ns, 10**9)
    vote = canonical_pb2.CanonicalVote(
        type=types_pb2.SIGNED_MSG_TYPE_PRECOMMIT, height=height, round=round_,
        timestamp=timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos), chain_id=chain_id)
    if not block_id.is_zero():
        vote.block_id.CopyFrom(canonical_pb2.CanonicalBlockID(
            hash=hash_, part_set_header=canonical_pb2.CanonicalPartSetHeader(total=total, hash=part_hash)))
    body = vote.SerializeToString()
    expected = encode_uvarint(len(body)) + body
    assert compute_vote_sign_bytes(chain_id, height, round_, block_id, time_ns) == expected


@given(st.binary(min_size=32, max_size=32), st.integers(min_value=0, max_value=2**62))
def test_simple_validator_matches_protobuf(pub_key: bytes, power: int) -> None:
    message = validator_pb2.SimpleValidator(pub_key=keys_pb2.PublicKey(ed25519=pub_key), voting_power=power)
    assert encode_simple_validator(Validator(pub_key, power)) == message.SerializeToString()
