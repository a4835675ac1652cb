"""The enclave under CometBFT finality: block H is final by CometBFT's signed header H+1 whose app hash is
H's state root. A synthetic chain signed by test ed25519 validators, plus commits recorded from a real
CometBFT network; every lie a host can tell is refused with a typed error and the state unchanged."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from phalanx.attestation.registration import CometBftTrustRoot, compute_trust_root_hash
from phalanx.engine.lightclient import compute_validator_set_hash, parse_signed_header, parse_validator_set
from phalanx.errors import PhalanxError
from phalanx.mq import Message, RuntimeOrigin
from phalanx.runtime.block import Header as SubstrateHeader
from phalanx.storage import EMPTY_ROOT, Database
from phalanx.tee.enclave import core
from phalanx.tee.enclave.chain_events import REGISTRY_TOPIC, ContractDeployed, encode_registry_event
from phalanx.tee.enclave.cometbft import CometBftProgress, verify_cometbft_finality
from phalanx.tee.enclave.errors import (
    AppHashMismatch,
    BlockNotLinked,
    BlockReplayed,
    BlockSkipped,
    InvalidFinality,
    MalformedInput,
    StateMismatch,
)
from phalanx.tee.enclave.state import (
    EnclaveState,
    decode_enclave_state,
    encode_enclave_state,
    initial_enclave_state,
)
from phalanx.wire.enclave_protocol import BlockInput, encode_cometbft_justification
from phalanx.wire.trust import CometBftTrust, DevTrust, compute_chain_trust_hash, order_validator_set
from tests.support.cometbft_chain import CometBftChain, validators_json

ENTROPY = b"\x07" * 32
VECTORS = Path(__file__).parents[3] / "data" / "cometbft" / "light_blocks.json"


@pytest.fixture
def chain() -> Iterator[CometBftChain]:
    with Database.temporary() as db:
        yield CometBftChain(db)


def new_enclave(chain: CometBftChain, trust: CometBftTrust | None = None) -> EnclaveState:
    return initial_enclave_state(bytes([1]) * 32, bytes([101]) * 32, trust or chain.trust)


def feed(state: EnclaveState, block: BlockInput) -> EnclaveState:
    return core.apply(state, core.FeedBlock(block, ENTROPY))[0]


def refused(state: EnclaveState, block: BlockInput, error: type[PhalanxError]) -> PhalanxError:
    before = encode_enclave_state(state)
    with pytest.raises(error) as caught:
        core.apply(state, core.FeedBlock(block, ENTROPY))
    assert encode_enclave_state(state) == before
    return caught.value


def following(chain: CometBftChain, blocks: int) -> EnclaveState:
    """An enclave that applied genesis and blocks 1..`blocks`."""
    state = feed(new_enclave(chain), chain.block(0))
    for _ in range(blocks):
        state = feed(state, chain.block(chain.add_block()))
    return state


def test_an_enclave_follows_cometbft_finality_from_genesis(chain: CometBftChain) -> None:
    deployed = Message(RuntimeOrigin(), REGISTRY_TOPIC, encode_registry_event(ContractDeployed(b"\x05" * 32)))
    state = feed(new_enclave(chain), chain.block(0))
    assert state.block_hash == chain.genesis_hash and state.light is not None
    assert state.light.next_height == 2
    number = chain.add_block([deployed], timestamp_ms=1_234_000)
    state = feed(state, chain.block(number))
    assert (state.block_number, state.block_hash) == (1, chain.headers[1].hash())
    assert state.block_timestamp_ms == 1_234_000
    for _ in range(4):
        state = feed(state, chain.block(chain.add_block()))
    assert state.block_number == 5 and state.light is not None and state.light.next_height == 7


def test_the_light_client_follows_validator_set_changes(chain: CometBftChain) -> None:
    state = following(chain, 2)
    old = [v.pub_key for v in chain.validators.validators]
    newcomers = [chain.add_key(), chain.add_key()]
    chain.change_validators([(key, 10) for key in old[:2] + newcomers])
    for _ in range(4):
        state = feed(state, chain.block(chain.add_block()))
    assert state.block_number == 6
    assert set(chain.validators_json(7)["validators"][i]["pub_key"]["value"] for i in range(4)) == {
        base64.b64encode(k).decode() for k in old[:2] + newcomers
    }
    # after the change, the old set alone no longer finalizes anything
    number = chain.add_block()
    chain.block(number)
    header = chain.comet[number + 1]
    old_set = order_validator_set([(key, 10) for key in old])
    forged = chain.sign(replace(header, validators_hash=compute_validator_set_hash(old_set)), old_set)
    refused(state, chain.block(number, forged, validators_json(old_set, number + 1)), InvalidFinality)


def test_genesis_is_proven_by_cometbft_header_1_and_must_come_first(chain: CometBftChain) -> None:
    state = new_enclave(chain)
    chain.add_block()
    refused(state, chain.block(1), BlockSkipped)
    other = SubstrateHeader(bytes(32), 0, b"\x01" * 32, EMPTY_ROOT, ())
    block = chain.block(0)
    refused(state, replace(block, header=other.encode()), BlockNotLinked)
    refused(state, replace(block, justification=chain.block(1).justification), InvalidFinality)


def test_replayed_and_skipped_blocks_are_refused(chain: CometBftChain) -> None:
    state = following(chain, 3)
    refused(state, chain.block(3), BlockReplayed)
    refused(state, chain.block(2), BlockReplayed)
    chain.add_block()
    chain.add_block()
    refused(state, chain.block(5), BlockSkipped)


def _tamper(commit: dict[str, Any], edit: Any) -> dict[str, Any]:
    out = copy.deepcopy(commit)
    edit(out)
    return out


def test_forged_signatures_and_too_little_power_are_refused(chain: CometBftChain) -> None:
    state = following(chain, 1)
    number = chain.add_block()
    good = chain.block(number)
    commit = chain.commits[number + 1]

    def flip(c: dict[str, Any]) -> None:
        sig = c["signed_header"]["commit"]["signatures"][1]
        raw = bytearray(base64.b64decode(sig["signature"]))
        raw[5] ^= 1
        sig["signature"] = base64.b64encode(bytes(raw)).decode()

    refused(state, chain.block(number, _tamper(commit, flip)), InvalidFinality)
    header = chain.comet[number + 1]
    keys = [v.pub_key for v in chain.sets[number + 1].validators]
    half = chain.sign(header, chain.sets[number + 1], signers=keys[:2])
    assert "InsufficientVotingPower" in str(refused(state, chain.block(number, half), InvalidFinality))
    three = chain.sign(header, chain.sets[number + 1], signers=keys[:3])
    assert feed(state, chain.block(number, three)).block_number == number  # 30 of 40 > 2/3
    assert feed(state, good).block_number == number


def test_another_chain_id_or_a_tampered_header_is_refused(chain: CometBftChain) -> None:
    state = following(chain, 1)
    number = chain.add_block()
    chain.block(number)
    header = chain.comet[number + 1]
    other_chain = chain.sign(replace(header, chain_id="other-chain"), chain.sets[number + 1])
    refused(state, chain.block(number, other_chain), InvalidFinality)
    stranger = new_enclave(chain, replace(chain.trust, chain_id="other-chain"))
    refused(stranger, chain.block(0), InvalidFinality)

    def other_proposer(c: dict[str, Any]) -> None:
        c["signed_header"]["header"]["proposer_address"] = "00" * 20

    tampered = _tamper(chain.commits[number + 1], other_proposer)
    error = refused(state, chain.block(number, tampered), InvalidFinality)
    assert "HeaderHashMismatch" in str(error)
    refused(state, replace(chain.block(number), justification=b"\x01garbage"), InvalidFinality)
    refused(state, replace(chain.block(number), justification=b""), InvalidFinality)


def test_an_app_hash_other_than_the_state_root_is_refused(chain: CometBftChain) -> None:
    state = following(chain, 1)
    number = chain.add_block()
    chain.block(number)
    header = chain.comet[number + 1]
    lying = chain.sign(replace(header, app_hash=b"\x09" * 32), chain.sets[number + 1])
    refused(state, chain.block(number, lying), AppHashMismatch)


def test_a_proof_for_another_height_or_an_unannounced_set_is_refused(chain: CometBftChain) -> None:
    state = following(chain, 1)
    number = chain.add_block()
    chain.add_block()
    chain.block(number + 1)
    later = chain.block(number, chain.commits[number + 2], chain.validators_json(number + 2))
    refused(state, later, InvalidFinality)
    strangers = order_validator_set([(chain.add_key(), 10) for _ in range(4)])
    header = replace(chain.comet[number + 1], validators_hash=compute_validator_set_hash(strangers))
    forged = chain.sign(header, strangers)
    refused(state, chain.block(number, forged, validators_json(strangers, number + 1)), InvalidFinality)


def test_a_forged_header_hash_is_caught_at_the_next_block(chain: CometBftChain) -> None:
    state = following(chain, 1)
    number = chain.add_block()
    real = chain.block(number)
    honest = chain.headers[number]
    forged_header = replace(honest, extrinsics_root=b"\x0f" * 32)
    # the state root is proven, the rest of the header is not (yet)
    state = feed(state, replace(real, header=forged_header.encode()))
    assert state.block_hash == forged_header.hash()
    following_number = chain.add_block()
    refused(state, chain.block(following_number), BlockNotLinked)
    relinked = replace(chain.headers[following_number], parent_hash=forged_header.hash())
    refused(state, replace(chain.block(following_number), header=relinked.encode()), StateMismatch)


def test_state_with_cometbft_progress_seals_and_resumes(chain: CometBftChain) -> None:
    state = following(chain, 2)
    restored = decode_enclave_state(encode_enclave_state(state))
    assert restored.trust == state.trust and restored.light == state.light
    number = chain.add_block()
    assert feed(restored, chain.block(number)).block_number == number


def test_trust_roots_and_their_hashes() -> None:
    genesis = b"\x01" * 32
    keys = [(bytes([i]) * 32, 10) for i in range(1, 5)]
    trust = CometBftTrust.from_validators(genesis, "phalanx-local", keys)
    assert trust == CometBftTrust.from_validators(genesis, "phalanx-local", list(reversed(keys)))
    assert trust.to_root() == CometBftTrustRoot(genesis, "phalanx-local", trust.validator_set_hash)
    assert compute_chain_trust_hash(trust) == compute_trust_root_hash(trust.to_root())
    hashes = {
        compute_chain_trust_hash(trust),
        compute_chain_trust_hash(replace(trust, chain_id="phalanx-other")),
        compute_chain_trust_hash(replace(trust, genesis_hash=b"\x02" * 32)),
        compute_chain_trust_hash(CometBftTrust.from_validators(genesis, "phalanx-local", keys[:3])),
        compute_chain_trust_hash(DevTrust(genesis, b"\x03" * 32)),
    }
    assert len(hashes) == 5
    with pytest.raises(MalformedInput):
        CometBftTrust(genesis, "", trust.validator_set_hash)
    with pytest.raises(MalformedInput):
        CometBftTrust(genesis, "x" * 51, trust.validator_set_hash)


def test_recorded_real_commits_advance_the_enclave_light_client() -> None:
    recorded = json.loads(VECTORS.read_text())
    blocks = recorded["blocks"]
    first = parse_validator_set(blocks[0]["validators"])
    trust = CometBftTrust(b"\x00" * 31 + b"\x01", recorded["chain_id"], compute_validator_set_hash(first))
    progress = CometBftProgress(1, trust.validator_set_hash)
    for entry in blocks:
        signed = parse_signed_header(entry["commit"])
        justification = encode_cometbft_justification(entry["commit"], entry["validators"])
        height = signed.header.height
        with pytest.raises(AppHashMismatch):
            verify_cometbft_finality(trust, progress, height - 1, b"\x00" * 32, justification)
        app_hash = signed.header.app_hash
        progress = verify_cometbft_finality(trust, progress, height - 1, app_hash, justification)
        assert progress.next_height == height + 1
    with pytest.raises(InvalidFinality):  # the same commits under another chain id
        first_app_hash = parse_signed_header(blocks[0]["commit"]).header.app_hash
        justification = encode_cometbft_justification(blocks[0]["commit"], blocks[0]["validators"])
        start = CometBftProgress(1, trust.validator_set_hash)
        verify_cometbft_finality(replace(trust, chain_id="other"), start, 0, first_app_hash, justification)
