"""Validators: Staking's elected stashes become CometBFT voting powers through their session keys; the
proposer named in the digest earns the block's points; CometBFT evidence in the digest slashes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

import pytest

from phalanx.localnet.cometbft.keys import Ed25519Key
from phalanx.runtime import ChainSpec
from phalanx.runtime.block import DigestItem
from phalanx.runtime.modules import session, treasury, validators
from phalanx.runtime.modules.staking import Staker
from phalanx.runtime.modules.staking import declarations as staking_d
from tests.support.economics_chain import (
    KEYS,
    PHA,
    EconChain,
    account,
    expected_issuance_delta,
    issuance,
    open_chain,
    spec,
)
from tests.support.runtime_testchain import assert_noop, invariant_problems

TOTAL = 10**9 * PHA
CONSENSUS = {
    name: Ed25519Key.from_seed(bytes([i + 1]) * 32) for i, name in enumerate(("Alice", "Bob", "Eve"))
}
SESSION, ERA = 3, 6  # blocks per session; two sessions per era


def key(name: str) -> bytes:
    return CONSENSUS[name].public_key


def chain_spec() -> ChainSpec:
    stakers = [Staker(account("Alice"), 1_000 * PHA), Staker(account("Bob"), 2_000 * PHA)]
    base = spec(
        {n: 100_000 * PHA for n in ("Alice", "Bob", "Charlie", "Eve", "Ferdie")},
        TOTAL,
        stakers=stakers,
        session_length=SESSION,
        staking={"sessions_per_era": 2, "validator_count": 3},
    )
    economics = replace(
        base.genesis.economics,
        session=replace(
            base.genesis.economics.session,
            keys=((account("Alice"), key("Alice")), (account("Bob"), key("Bob"))),
        ),
    )
    genesis = replace(base.genesis, economics=economics, validators=((key("Alice"), 10), (key("Bob"), 10)))
    return replace(base, genesis=genesis)  # fmt: skip


@pytest.fixture
def chain() -> Iterator[EconChain]:
    c, db = open_chain(chain_spec())
    yield c
    db.close()


def block(c: EconChain, xts: Sequence[bytes] = (), digest: Sequence[DigestItem] = ()) -> None:
    """A block carrying `digest` (as the CometBFT application builds them), checked like EconChain.block."""
    before = issuance(c.rt)
    c.now += 6000
    c.rt.commit(c.rt.build_block(c.rt.best_hash(), c.now, list(xts), digest=digest))
    assert invariant_problems(c.rt) == []
    assert issuance(c.rt) - before == expected_issuance_delta(c.rt)
    c.last_failures = [e.fields for e in c.rt.events() if e.name == "ExtrinsicFailed"]


def powers(c: EconChain) -> dict[bytes, int]:
    return dict(validators.get_validators(c.state()))


def until_era(c: EconChain, era: int) -> list[tuple[bytes, int]]:
    """Blocks until `era` starts; returns the PowerSet events of its first block."""
    while staking_d.ActiveEra.get(c.state()).index < era:
        block(c)
    return [(e.fields["pub_key"], e.fields["power"]) for e in c.rt.events() if e.name == "PowerSet"]


def keys_call(c: EconChain, who: str, signer: Ed25519Key, stash: bytes | None = None) -> bytes:
    proof = signer.sign(session.keys_proof_message(stash or account(who)))
    return c.call("Session", "set_keys", keys={"consensus": signer.public_key}, proof=proof)


def set_keys_call(c: EconChain, who: str, signer: Ed25519Key, stash: bytes | None = None) -> bytes:
    return c.sign(KEYS[who], keys_call(c, who, signer, stash))


def test_genesis_set_and_key_owners(chain: EconChain) -> None:
    state = chain.state()
    assert powers(chain) == {key("Alice"): 10, key("Bob"): 10}
    for name in ("Alice", "Bob"):
        address = validators.address_of(key(name))
        assert address == CONSENSUS[name].address
        assert validators.stash_of_address(state, address) == account(name)
    assert session.consensus_key_of(state, account("Eve")) is None


def test_power_mapping_is_whole_pha_with_a_floor_of_one() -> None:
    assert validators.power_of(0) == 1
    assert validators.power_of(PHA - 1) == 1
    assert validators.power_of(1_500 * PHA + 7) == 1_500
    assert validators.power_of(10**9 * PHA) == 10**9  # the whole supply: far below CometBFT's cap
    assert validators.power_of(1 << 80) == validators.MAX_POWER


def test_set_keys_checks_proof_bond_and_uniqueness(chain: EconChain) -> None:
    assert_noop(chain, KEYS["Eve"], keys_call(chain, "Eve", CONSENSUS["Eve"]), "NoAssociatedValidatorId")
    assert chain.last_failures[0]["dispatch_error"][1]["index"] == session.INDEX  # not bonded
    block(chain, [chain.submit("Eve", "Staking", "bond", value=500 * PHA)])
    for_another = keys_call(chain, "Eve", CONSENSUS["Eve"], stash=account("Ferdie"))
    assert_noop(chain, KEYS["Eve"], for_another, "InvalidProof")  # proof for another
    assert chain.last_failures and session.KeyOwner.get(chain.state(), key("Eve")) is None
    alices_key = keys_call(chain, "Eve", CONSENSUS["Alice"])
    assert_noop(chain, KEYS["Eve"], alices_key, "DuplicatedKey")
    assert chain.last_failures and session.KeyOwner.get(chain.state(), key("Alice")) == account("Alice")
    block(chain, [set_keys_call(chain, "Eve", CONSENSUS["Eve"])])
    assert not chain.last_failures
    assert session.consensus_key_of(chain.state(), account("Eve")) == key("Eve")
    assert session.KeyOwner.get(chain.state(), key("Eve")) == account("Eve")
    block(chain, [chain.submit("Eve", "Session", "purge_keys")])
    assert session.consensus_key_of(chain.state(), account("Eve")) is None
    assert session.KeyOwner.get(chain.state(), key("Eve")) is None


def test_eras_drive_the_set_by_exposure_and_chill_removes(chain: EconChain) -> None:
    # era 1: the genesis powers (10 each) become exposure in PHA
    assert sorted(until_era(chain, 1)) == sorted([(key("Alice"), 1_000), (key("Bob"), 2_000)])
    # Eve bonds, sets keys and validates; Ferdie nominates her: she joins at the next era
    block(chain, [chain.submit("Eve", "Staking", "bond", value=500 * PHA)])
    block(
        chain,
        [
            set_keys_call(chain, "Eve", CONSENSUS["Eve"]),
            chain.submit("Ferdie", "Staking", "bond", value=700 * PHA),
        ],
    )
    block(chain, [chain.submit("Eve", "Staking", "validate", prefs={"commission": 0, "blocked": False})])
    block(chain, [chain.submit("Ferdie", "Staking", "nominate", targets=[("Id", account("Eve"))])])
    assert not chain.last_failures
    assert until_era(chain, 2) == [(key("Eve"), 1_200)]
    assert powers(chain) == {key("Alice"): 1_000, key("Bob"): 2_000, key("Eve"): 1_200}
    assert validators.stash_of_address(chain.state(), CONSENSUS["Eve"].address) == account("Eve")
    # Eve chills: at the next era her key gets power 0 and leaves every index
    block(chain, [chain.submit("Eve", "Staking", "chill")])
    assert until_era(chain, 3) == [(key("Eve"), 0)]
    assert powers(chain) == {key("Alice"): 1_000, key("Bob"): 2_000}
    assert validators.ByAddress.get(chain.state(), CONSENSUS["Eve"].address) is None


def test_an_election_without_keys_keeps_the_set(chain: EconChain) -> None:
    until_era(chain, 1)
    block(
        chain, [chain.submit("Alice", "Session", "purge_keys"), chain.submit("Bob", "Session", "purge_keys")]
    )
    assert until_era(chain, 2) == []
    assert powers(chain) == {key("Alice"): 1_000, key("Bob"): 2_000}


def proposer(name: str) -> DigestItem:
    return DigestItem("PreRuntime", CONSENSUS[name].address, validators.PROPOSER_ENGINE)


def test_the_proposer_in_the_digest_earns_the_points(chain: EconChain) -> None:
    block(chain, digest=[proposer("Bob")])
    block(chain, digest=[proposer("Bob")])
    block(chain, digest=[proposer("Alice")])
    block(chain, digest=[DigestItem("PreRuntime", bytes(20), validators.PROPOSER_ENGINE)])  # unknown
    points = staking_d.ErasRewardPoints.get(chain.state(), 0)
    individual = {bytes(who): p for who, p in points.individual}
    # the unknown proposer's block goes to FallbackAuthor (Alice, the dev authority)
    assert individual == {account("Bob"): 40, account("Alice"): 40}


def evidence(name: str, height: int, kind: int = validators.DUPLICATE_VOTE) -> DigestItem:
    data = validators.encode_evidence([(kind, CONSENSUS[name].address, height)])
    return DigestItem("PreRuntime", data, validators.EVIDENCE_ENGINE)


def test_duplicate_vote_evidence_slashes_chills_and_pays_the_treasury(chain: EconChain) -> None:
    block(chain)
    before = chain.free(treasury.ACCOUNT)
    ledger = staking_d.Ledger.get(chain.state(), account("Bob"))
    block(chain, digest=[proposer("Alice"), evidence("Bob", 1)])
    events = {e.name: e.fields for e in chain.rt.events()}
    assert events["Misbehavior"]["offender"] == account("Bob")
    slashed = events["Misbehavior"]["slashed"]
    assert slashed == 200 * PHA  # 10% of Bob's own exposure
    assert staking_d.Ledger.get(chain.state(), account("Bob")).active == ledger.active - slashed
    assert staking_d.Validators.get(chain.state(), account("Bob")) is None  # chilled
    assert "Chilled" in events and "Slashed" in events
    assert chain.free(treasury.ACCOUNT) == before + slashed
    # the same offence again in this era, an unknown address and another kind: recorded, not slashed
    block(chain, digest=[evidence("Bob", 2)])
    block(chain, digest=[evidence("Eve", 2)])
    block(chain, digest=[evidence("Alice", 2, kind=2)])
    assert [e.fields["slashed"] for e in chain.rt.events() if e.name == "Misbehavior"] == [0]
    assert staking_d.Validators.get(chain.state(), account("Alice")) is not None
    # at the next era Bob leaves the CometBFT set
    assert until_era(chain, 1) == [(key("Bob"), 0), (key("Alice"), 1_000)]


def test_malformed_evidence_is_ignored(chain: EconChain) -> None:
    block(chain, digest=[DigestItem("PreRuntime", b"\x09\x01", validators.EVIDENCE_ENGINE)])
    assert not [e for e in chain.rt.events() if e.name in ("Misbehavior", "Slashed")]
