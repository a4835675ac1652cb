"""Light-client verification over light blocks recorded from a real CometBFT v0.38 node."""

from __future__ import annotations

import copy
import dataclasses
import json
import pathlib
from typing import Any

import pytest

from phalanx.engine.lightclient import (
    ChainIdMismatch,
    CometBftVerifier,
    CommitProof,
    HeaderHashMismatch,
    HeaderLinkMismatch,
    HeightMismatch,
    InsufficientVotingPower,
    InvalidSignature,
    LightClient,
    MalformedLightBlock,
    SignedHeader,
    ValidatorSet,
    ValidatorSetMismatch,
    compute_header_hash,
    compute_validator_set_hash,
    parse_signed_header,
    parse_validator_set,
    verify_signed_header,
)
from phalanx.engine.lightclient.types import BlockId, BlockIdFlag

VECTORS = pathlib.Path(__file__).resolve().parents[3] / "data" / "cometbft" / "light_blocks.json"
RAW: dict[str, Any] = json.loads(VECTORS.read_text())
CHAIN_ID: str = RAW["chain_id"]
HEADERS = [parse_signed_header(b["commit"]) for b in RAW["blocks"]]
SETS = [parse_validator_set(b["validators"]) for b in RAW["blocks"]]


def _replace_sig(signed: SignedHeader, index: int, **changes: Any) -> SignedHeader:
    signatures = list(signed.commit.signatures)
    signatures[index] = dataclasses.replace(signatures[index], **changes)
    commit = dataclasses.replace(signed.commit, signatures=tuple(signatures))
    return dataclasses.replace(signed, commit=commit)


def test_vectors_cover_a_validator_set_change() -> None:
    assert [h.header.height for h in HEADERS] == list(range(1, len(HEADERS) + 1))
    assert {len(s.validators) for s in SETS} == {1, 2}


def test_every_recorded_header_hashes_to_its_commit_block_id() -> None:
    for signed, validators in zip(HEADERS, SETS, strict=True):
        assert compute_header_hash(signed.header) == signed.commit.block_id.hash
        assert compute_validator_set_hash(validators) == signed.header.validators_hash


def test_light_client_follows_the_chain_through_the_change() -> None:
    client = LightClient(CHAIN_ID, SETS[0])
    for signed, validators in zip(HEADERS, SETS, strict=True):
        verified = client.advance(signed, validators)
        assert (verified.height, verified.app_hash) == (signed.header.height, signed.header.app_hash)
    assert client.state.next_height == len(HEADERS) + 1


def test_light_client_refuses_the_old_set_after_the_change() -> None:
    change = next(i for i, s in enumerate(SETS) if len(s.validators) == 2)
    client = LightClient(CHAIN_ID, SETS[0])
    for signed, validators in zip(HEADERS[:change], SETS[:change], strict=True):
        client.advance(signed, validators)
    before = client.state
    with pytest.raises(ValidatorSetMismatch):
        client.advance(HEADERS[change], SETS[0])
    assert client.state == before
    client.advance(HEADERS[change], SETS[change])


def test_light_client_refuses_gaps_and_forks() -> None:
    client = LightClient(CHAIN_ID, SETS[0])
    client.advance(HEADERS[0], SETS[0])
    with pytest.raises(HeightMismatch):
        client.advance(HEADERS[2], SETS[2])
    with pytest.raises(ChainIdMismatch):
        LightClient("other", SETS[0]).advance(HEADERS[0], SETS[0])
    forked = dataclasses.replace(HEADERS[1].header, last_block_id=BlockId(b"\x02" * 32))
    with pytest.raises(HeaderLinkMismatch):
        client.advance(dataclasses.replace(HEADERS[1], header=forked), SETS[1])


def test_refusals_on_tampered_commits() -> None:
    signed, validators = HEADERS[-1], SETS[-1]
    signer = next(i for i, s in enumerate(signed.commit.signatures) if s.block_id_flag == BlockIdFlag.COMMIT)
    signature = signed.commit.signatures[signer].signature
    flipped = bytes([signature[0] ^ 0x80]) + signature[1:]
    with pytest.raises(InvalidSignature):
        verify_signed_header(CHAIN_ID, validators, _replace_sig(signed, signer, signature=flipped))
    with pytest.raises(InsufficientVotingPower):
        verify_signed_header(CHAIN_ID, validators,
                             _replace_sig(signed, signer, block_id_flag=BlockIdFlag.ABSENT, signature=b""))
    with pytest.raises(ChainIdMismatch):
        verify_signed_header("phalanx-other", validators, signed)
    forged = dataclasses.replace(signed.header, app_hash=bytes(32))
    with pytest.raises(HeaderHashMismatch):
        verify_signed_header(CHAIN_ID, validators, dataclasses.replace(signed, header=forged))
    more_power = ValidatorSet(tuple(dataclasses.replace(v, voting_power=v.voting_power + 1)
                                    for v in validators.validators))
    with pytest.raises(ValidatorSetMismatch):
        verify_signed_header(CHAIN_ID, more_power, signed)


def test_signature_under_another_timestamp_is_refused() -> None:
    signed, validators = HEADERS[0], SETS[0]
    moved = signed.commit.signatures[0].time_ns + 1
    with pytest.raises(InvalidSignature):
        verify_signed_header(CHAIN_ID, validators, _replace_sig(signed, 0, time_ns=moved))


def test_stateless_verifier_implements_the_neutral_interface() -> None:
    verifier = CometBftVerifier(CHAIN_ID)
    verified = verifier.verify(HEADERS[3].header, CommitProof(HEADERS[3], SETS[3]))
    assert verified.block_hash == HEADERS[3].commit.block_id.hash
    with pytest.raises(HeaderHashMismatch):
        verifier.verify(HEADERS[2].header, CommitProof(HEADERS[3], SETS[3]))


def test_malformed_rpc_answers_are_refused() -> None:
    broken = copy.deepcopy(RAW["blocks"][0]["commit"])
    broken["signed_header"]["header"]["app_hash"] = "not hex"
    with pytest.raises(MalformedLightBlock, match="app_hash"):
        parse_signed_header(broken)
    partial = copy.deepcopy(RAW["blocks"][-1]["validators"])
    partial["validators"] = partial["validators"][:1]
    with pytest.raises(MalformedLightBlock):
        parse_validator_set(partial)
