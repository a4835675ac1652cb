"""Registry trust roots: the report data's second half must be the hash of the chain's trust root (the
genesis trust anchor plus the genesis hash recorded at block 1); an enclave on another chain is refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from phalanx.attestation import compute_report_data
from phalanx.attestation.registration import CometBftTrustRoot, DevTrustRoot, compute_trust_root_hash
from phalanx.runtime.errors import GenesisError
from phalanx.runtime.modules.registry import CometBftAnchor, DevAnchor, RegistryGenesis
from phalanx.runtime.modules.registry import declarations as d
from phalanx.runtime.modules.registry.logic import get_trust_root
from phalanx.storage import Database
from tests.support.confidential_chain import (
    ATTESTATION_KEY,
    MEASUREMENT,
    Worker,
    make_chain,
    outcome_error,
    register_call,
    register_xt,
    state,
)
from tests.support.runtime_testchain import ALICE, Chain, assert_noop

VALIDATOR_SET_HASH = b"\x5a" * 32


@pytest.fixture
def db() -> Iterator[Database]:
    database = Database.temporary()
    try:
        yield database
    finally:
        database.close()


def chain_with(db: Database, anchor: DevAnchor | CometBftAnchor | None) -> Chain:
    registry = RegistryGenesis(True, ATTESTATION_KEY.public_key, (MEASUREMENT,), trust_anchor=anchor)
    return make_chain(db, registry)


def bound(worker: Worker, root_hash: bytes) -> bytes:
    return compute_report_data(worker.info(), root_hash)


def refused(chain: Chain, call: bytes, error: type[d.RegistryError]) -> None:
    assert_noop(chain, ALICE, call, error)
    assert list(d.Workers.iter(state(chain))) == []


def test_the_chain_knows_its_trust_root_from_block_1(db: Database) -> None:
    chain = chain_with(db, CometBftAnchor("phalanx-local", VALIDATOR_SET_HASH))
    assert get_trust_root(state(chain)) is None
    chain.block()
    root = CometBftTrustRoot(chain.rt.genesis_hash, "phalanx-local", VALIDATOR_SET_HASH)
    assert get_trust_root(state(chain)) == root
    assert d.GenesisHash.get(state(chain)) == chain.rt.genesis_hash


def test_an_enclave_on_this_chain_registers_and_one_on_another_is_refused(db: Database) -> None:
    chain = chain_with(db, CometBftAnchor("phalanx-local", VALIDATOR_SET_HASH))
    chain.block()
    genesis = chain.rt.genesis_hash
    ours = compute_trust_root_hash(CometBftTrustRoot(genesis, "phalanx-local", VALIDATOR_SET_HASH))
    others = [
        CometBftTrustRoot(chain.rt.genesis_hash, "phalanx-other", VALIDATOR_SET_HASH),
        CometBftTrustRoot(b"\x01" * 32, "phalanx-local", VALIDATOR_SET_HASH),
        CometBftTrustRoot(chain.rt.genesis_hash, "phalanx-local", b"\x5b" * 32),
        DevTrustRoot(chain.rt.genesis_hash, ALICE.public_key, 1),
    ]
    worker = Worker.make(1)
    for root in others:
        call = register_call(chain, worker, report_data=bound(worker, compute_trust_root_hash(root)))
        refused(chain, call, d.TrustRootMismatch)
    unbound = register_call(chain, worker)  # an enclave that was never initialised: zero trust root
    refused(chain, unbound, d.TrustRootMismatch)
    wrong_keys = register_call(chain, worker, report_data=bound(Worker.make(2), ours))
    refused(chain, wrong_keys, d.ReportDataMismatch)
    assert outcome_error(chain.block([register_xt(chain, worker, report_data=bound(worker, ours))])) is None
    assert d.Workers.get(state(chain), worker.pubkey) is not None


def test_a_dev_anchor_names_the_authority(db: Database) -> None:
    chain = chain_with(db, DevAnchor(ALICE.public_key, 1))
    chain.block()
    ours = compute_trust_root_hash(DevTrustRoot(chain.rt.genesis_hash, ALICE.public_key, 1))
    worker = Worker.make(3)
    other = compute_trust_root_hash(DevTrustRoot(chain.rt.genesis_hash, b"\x02" * 32, 1))
    refused(chain, register_call(chain, worker, report_data=bound(worker, other)), d.TrustRootMismatch)
    assert outcome_error(chain.block([register_xt(chain, worker, report_data=bound(worker, ours))])) is None


def test_a_chain_without_an_anchor_does_not_check_the_trust_root(db: Database) -> None:
    chain = chain_with(db, None)
    chain.block()
    assert d.GenesisHash.get(state(chain)) is None
    worker = Worker.make(4)
    xt = register_xt(chain, worker, report_data=bound(worker, b"\x33" * 32))
    assert outcome_error(chain.block([xt])) is None


def test_trust_anchor_genesis_json_roundtrip_and_checks() -> None:
    for anchor in (DevAnchor(b"\x01" * 32, 1), CometBftAnchor("phalanx-local", VALIDATOR_SET_HASH), None):
        config = RegistryGenesis(True, b"\x02" * 32, (MEASUREMENT,), trust_anchor=anchor)
        assert RegistryGenesis.from_json(config.to_json()) == config
    assert "trustAnchor" not in RegistryGenesis().to_json()
    for bad in (DevAnchor(b"\x01" * 31), DevAnchor(b"\x01" * 32, 7), CometBftAnchor("", VALIDATOR_SET_HASH),
                CometBftAnchor("x" * 51, VALIDATOR_SET_HASH), CometBftAnchor("c", b"\x01")):
        with pytest.raises(GenesisError):
            RegistryGenesis(trust_anchor=bad).check()
    with pytest.raises(GenesisError):
        RegistryGenesis.from_json({"trustAnchor": {"dev": {}, "cometbft": {}}})
