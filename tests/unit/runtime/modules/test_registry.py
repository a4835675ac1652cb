"""Registry through the real runtime: attested registration with typed refusals, gatekeepers, allowlist."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from phalanx.attestation import DcapEvidence, RegistrationInfo, compute_report_data, evidence_to_value
from phalanx.crypto import Keypair, KeyType
from phalanx.mq import Message, RuntimeOrigin
from phalanx.runtime.modules.mq import declarations as mq_d
from phalanx.runtime.modules.mq import payloads
from phalanx.runtime.modules.registry import RegistryGenesis
from phalanx.runtime.modules.registry import declarations as d
from phalanx.storage import Database
from tests.support.confidential_chain import (
    ATTESTATION_KEY,
    MEASUREMENT,
    Worker,
    events,
    make_chain,
    outcome_error,
    register_call,
    register_xt,
    simulated_evidence,
    state,
    sudo_xt,
)
from tests.support.runtime_testchain import ALICE, BOB, Chain, assert_noop

DCAP_DIR = Path(__file__).resolve().parents[3] / "data" / "dcap"
SGX_MR_ENCLAVE = bytes.fromhex("33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb")
IN_WINDOW_MS = 1752919200 * 1000  # inside the SGX sample collateral's validity window


@pytest.fixture
def db() -> Iterator[Database]:
    database = Database.temporary()
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def chain(db: Database) -> Chain:
    return make_chain(db)


def test_simulated_registration_stores_the_worker_and_tells_enclaves(chain: Chain) -> None:
    worker = Worker.make(1)
    built = chain.block([register_xt(chain, worker, operator=ALICE.public_key)])
    assert outcome_error(built) is None
    info = d.Workers.get(state(chain), worker.pubkey)
    assert info.encryption_public == worker.x25519.public_key
    assert (info.provider, info.measurement, info.confidence_level) == ("simulated", MEASUREMENT, 1)
    assert info.operator == info.host == ALICE.public_key
    assert info.registered_at == 1 and info.last_attested_ms == chain.now
    registered = [f for name, f in events(chain, "Registry") if name == "WorkerRegistered"]
    assert registered == [{"worker": worker.pubkey, "operator": ALICE.public_key, "measurement": MEASUREMENT,
                           "confidence_level": 1, "first_time": True}]  # fmt: skip
    outbound = mq_d.InboundMessages.get(state(chain))
    event = payloads.WorkerRegistered(worker.pubkey, worker.x25519.public_key)
    expected = payloads.REGISTRY_EVENT.encode(event)
    assert Message(RuntimeOrigin(), payloads.REGISTRY_TOPIC, expected) in outbound
    # the next block starts with an empty queue; the running total remembers
    total = mq_d.InboundTotal.get(state(chain))
    chain.block()
    assert mq_d.InboundMessages.get(state(chain)) == [] and mq_d.InboundTotal.get(state(chain)) == total


def test_reregistration_updates_the_record(chain: Chain) -> None:
    worker = Worker.make(1)
    chain.block([register_xt(chain, worker)])
    chain.block([register_xt(chain, worker, host=BOB)])
    info = d.Workers.get(state(chain), worker.pubkey)
    assert info.host == BOB.public_key and info.registered_at == 1
    assert info.last_attested_ms == chain.now
    assert [f["first_time"] for n, f in events(chain, "Registry") if n == "WorkerRegistered"] == [False]


def _refused(chain: Chain, call: bytes, error: type[d.RegistryError], host: Keypair = ALICE) -> None:
    worker_count = len(list(d.Workers.iter(state(chain))))
    assert_noop(chain, host, call, error)
    assert len(list(d.Workers.iter(state(chain)))) == worker_count
    failed = [e for e in chain.rt.events() if e.name == "ExtrinsicFailed"]
    expected = ("Module", {"index": d.INDEX, "error": bytes((error.code, 0, 0, 0))})
    assert failed[0].fields["dispatch_error"] == expected


def test_tampered_simulated_quote_is_refused(chain: Chain) -> None:
    worker = Worker.make(1)
    info = worker.info()
    name, fields = simulated_evidence(info, (chain.now + 6000) // 1000)
    tampered = (name, {"quote": fields["quote"], "signature": bytes(64)})
    call = chain.call("Registry", "register_worker", info=info, evidence=tampered)
    _refused(chain, call, d.BadAttestationSignature)
    forged = register_call(chain, worker, key=Keypair.from_seed(b"\x08" * 32, KeyType.ED25519))
    _refused(chain, forged, d.BadAttestationSignature)


def test_unlisted_measurement_is_refused(chain: Chain) -> None:
    _refused(chain, register_call(chain, Worker.make(1), measurement=b"\xee" * 32), d.MeasurementNotAllowed)


def test_report_data_that_does_not_bind_the_keys_is_refused(chain: Chain) -> None:
    other = Worker.make(2).info()
    call = register_call(chain, Worker.make(1), report_data=compute_report_data(other))
    _refused(chain, call, d.ReportDataMismatch)


def test_operator_must_sign(chain: Chain) -> None:
    _refused(chain, register_call(chain, Worker.make(1), operator=ALICE.public_key), d.NotOperator, host=BOB)


def test_simulated_quote_refused_where_genesis_forbids_it(db: Database) -> None:
    chain = make_chain(db, RegistryGenesis(False, ATTESTATION_KEY.public_key, (MEASUREMENT,)))
    _refused(chain, register_call(chain, Worker.make(1)), d.SimulatedNotAllowed)


def test_stale_simulated_quote_is_refused(chain: Chain) -> None:
    worker = Worker.make(1)
    info = worker.info()
    evidence = simulated_evidence(info, (chain.now + 6000) // 1000 - 2 * 86400)
    _refused(chain, chain.call("Registry", "register_worker", info=info, evidence=evidence), d.StaleQuote)


# -- the real Intel SGX sample -------------------------------------------------------------------------


def _sgx_evidence(tamper: bool = False) -> tuple[str, object]:
    quote = bytearray((DCAP_DIR / "sgx_quote").read_bytes())
    if tamper:
        quote[700] ^= 1
    collateral = (DCAP_DIR / "sgx_quote_collateral.json").read_bytes()
    return evidence_to_value(DcapEvidence(bytes(quote), collateral))


def _dcap_chain(db: Database, now_ms: int) -> Chain:
    chain = make_chain(db, RegistryGenesis(False, None, (SGX_MR_ENCLAVE,)))
    chain.now = now_ms - 6000
    return chain


def _dcap_call(chain: Chain, tamper: bool = False) -> bytes:
    info = RegistrationInfo(Worker.make(1).pubkey, Worker.make(1).x25519.public_key, "dcap", None, b"", 1)
    return chain.call("Registry", "register_worker", info=info, evidence=_sgx_evidence(tamper))


def test_real_sgx_quote_passes_attestation_up_to_the_report_data(db: Database) -> None:
    chain = _dcap_chain(db, IN_WINDOW_MS)
    # the sample binds "Hello, world!", not our keys: everything else passed
    _refused(chain, _dcap_call(chain), d.ReportDataMismatch)


def test_real_sgx_quote_with_an_unlisted_mr_enclave_is_refused(db: Database) -> None:
    chain = make_chain(db, RegistryGenesis(False, None, ()))
    chain.now = IN_WINDOW_MS - 6000
    _refused(chain, _dcap_call(chain), d.MeasurementNotAllowed)


def test_tampered_sgx_quote_is_refused(db: Database) -> None:
    chain = _dcap_chain(db, IN_WINDOW_MS)
    _refused(chain, _dcap_call(chain, tamper=True), d.QuoteVerificationFailed)


def test_block_time_outside_the_collateral_window_is_refused(db: Database) -> None:
    chain = _dcap_chain(db, IN_WINDOW_MS + 2 * 86400 * 1000)
    _refused(chain, _dcap_call(chain), d.CollateralExpired)


def test_block_time_before_the_collateral_window_is_refused(db: Database) -> None:
    chain = _dcap_chain(db, 1750000000 * 1000)
    _refused(chain, _dcap_call(chain), d.CollateralNotYetValid)


# -- governance ----------------------------------------------------------------------------------------


def _sudo_result(chain: Chain) -> object:
    return next(e.fields["sudo_result"] for e in chain.rt.events() if e.name == "Sudid")


def test_gatekeepers_are_registered_by_root_only(chain: Chain) -> None:
    worker = Worker.make(1)
    chain.block([register_xt(chain, worker)])
    call = chain.call("Registry", "force_register_gatekeeper", worker=worker.pubkey)
    assert_noop(chain, BOB, call, "BadOrigin")
    assert d.Gatekeepers.get(state(chain)) == []
    chain.block([sudo_xt(chain, "Registry", "force_register_gatekeeper", worker=Worker.make(9).pubkey)])
    assert _sudo_result(chain)[0] == "Err" and d.Gatekeepers.get(state(chain)) == []
    chain.block([sudo_xt(chain, "Registry", "force_register_gatekeeper", worker=worker.pubkey)])
    assert _sudo_result(chain) == ("Ok", ())
    assert d.Gatekeepers.get(state(chain)) == [worker.pubkey]
    assert ("GatekeeperRegistered", {"worker": worker.pubkey}) in events(chain, "Registry")
    expected = payloads.GatekeeperRegistered(worker.pubkey, worker.x25519.public_key)
    assert any(m.topic == payloads.REGISTRY_TOPIC and payloads.REGISTRY_EVENT.decode(m.payload) == expected
               for m in mq_d.InboundMessages.get(state(chain)))  # fmt: skip


def test_allowlist_is_governed_by_root(chain: Chain) -> None:
    new = b"\x42" * 32
    chain.block([register_xt(chain, Worker.make(1), measurement=new)])
    assert d.Workers.get(state(chain), Worker.make(1).pubkey) is None
    chain.block([sudo_xt(chain, "Registry", "force_allow_measurement", measurement=new)])
    assert d.AllowedMeasurements.get(state(chain)) == [MEASUREMENT, new]
    chain.block([register_xt(chain, Worker.make(1), measurement=new)])
    assert d.Workers.get(state(chain), Worker.make(1).pubkey).measurement == new
    chain.block([sudo_xt(chain, "Registry", "force_remove_measurement", measurement=new)])
    assert d.AllowedMeasurements.get(state(chain)) == [MEASUREMENT]
    chain.block([register_xt(chain, Worker.make(2), measurement=new)])
    assert d.Workers.get(state(chain), Worker.make(2).pubkey) is None


def test_rotation_needs_a_master_key(chain: Chain) -> None:
    chain.block([sudo_xt(chain, "Registry", "force_rotate_master_key")])
    result = _sudo_result(chain)
    assert result == ("Err", ("Module", {"index": d.INDEX, "error": bytes((d.NoMasterKey.code, 0, 0, 0))}))
