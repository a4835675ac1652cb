"""Test helpers for the Registry, Mq and Contracts modules: a dev chain with a test attestation policy,
simulated workers, and shortcuts for calls, sudo, storage reads and dispatch errors."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from phalanx.attestation import (
    RegistrationInfo,
    SimulatedEvidence,
    SimulatedQuote,
    compute_report_data,
    compute_simulated_quote_payload,
    evidence_to_value,
)
from phalanx.chain import Blockchain
from phalanx.crypto import Keypair, KeyType
from phalanx.crypto.box import X25519Keypair
from phalanx.runtime import BuiltBlock, ChainSpec
from phalanx.runtime.assembly import CALLS
from phalanx.runtime.modules.registry import RegistryGenesis
from phalanx.runtime.state import State
from phalanx.storage import Database
from tests.support.runtime_testchain import ALICE, Chain

ATTESTATION_KEY = Keypair.from_seed(b"\x07" * 32, KeyType.ED25519)
MEASUREMENT = bytes(range(32))


@dataclass(frozen=True)
class Worker:
    """An enclave's keys as a test stands in for it."""

    identity: Keypair
    x25519: X25519Keypair

    @classmethod
    def make(cls, n: int) -> Worker:
        return cls(Keypair.from_seed(bytes([n]) * 32), X25519Keypair.from_secret(bytes([n + 100]) * 32))

    @property
    def pubkey(self) -> bytes:
        return self.identity.public_key

    def info(self, operator: bytes | None = None, provider: str = "simulated") -> RegistrationInfo:
        endpoint = b"http://127.0.0.1:1"
        return RegistrationInfo(self.pubkey, self.x25519.public_key, provider, operator, endpoint, 1)


def make_chain(db: Database, registry: RegistryGenesis | None = None) -> Chain:
    if registry is None:
        registry = RegistryGenesis(True, ATTESTATION_KEY.public_key, (MEASUREMENT,))
    dev = ChainSpec.development()
    return Chain(Blockchain(db, replace(dev, genesis=replace(dev.genesis, registry=registry))))


def simulated_evidence(
    info: RegistrationInfo, now_s: int, *, measurement: bytes = MEASUREMENT, key: Keypair = ATTESTATION_KEY,
    report_data: bytes | None = None,
) -> tuple[str, Any]:  # fmt: skip
    quote = SimulatedQuote(measurement, report_data or compute_report_data(info), 1, now_s)
    return evidence_to_value(SimulatedEvidence(quote, key.sign(compute_simulated_quote_payload(quote))))


def register_call(chain: Chain, worker: Worker, **kw: Any) -> bytes:
    """`Registry.register_worker` for `worker` with simulated evidence quoted at the next block's time."""
    info = worker.info(operator=kw.pop("operator", None))
    evidence = simulated_evidence(info, (chain.now + 6000) // 1000, **kw)
    return chain.call("Registry", "register_worker", info=info, evidence=evidence)


def register_xt(
    chain: Chain, worker: Worker, host: Keypair = ALICE, nonce: int | None = None, **kw: Any
) -> bytes:
    return chain.sign(host, register_call(chain, worker, **kw), nonce)


def sudo_xt(chain: Chain, module: str, function: str, nonce: int | None = None, **args: Any) -> bytes:
    return chain.sign(ALICE, chain.call("Sudo", "sudo", call=CALLS.call(module, function, **args)), nonce)


def state(chain: Chain) -> State:
    return State(chain.rt.state_at(None))


def outcome_error(built: BuiltBlock, index: int = 1) -> Any:
    """The dispatch error of extrinsic `index` of a block (1: the first after the timestamp inherent)."""
    outcome = built.outcomes[index]
    return None if outcome.success else outcome.error


def events(chain: Chain, module: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    return [(e.name, e.fields) for e in chain.rt.events() if module is None or e.module == module]


def publish_egress_key(chain: Chain, gatekeeper: Worker, contract_id: bytes, egress: Keypair) -> None:
    """Make `gatekeeper` (a registered worker) the first gatekeeper, publish generation 0 as it and
    a contract-key distribution naming `egress` as the contract's egress key, as the group would."""
    from phalanx.mq import (
        CONTRACT_KEY_TOPIC,
        MASTER_KEY_TOPIC,
        ContractKeyDistribution,
        GatekeeperOrigin,
        MasterKeyPublished,
        Message,
        SignedMessage,
        WorkerOrigin,
        encode_gatekeeper_payload,
    )

    group = Keypair.from_seed(b"\x33" * 32, KeyType.ED25519)
    chain.block([sudo_xt(chain, "Registry", "force_register_gatekeeper", worker=gatekeeper.pubkey)])
    published = encode_gatekeeper_payload(MasterKeyPublished(0, group.public_key))
    first = SignedMessage.sign(Message(WorkerOrigin(gatekeeper.pubkey), MASTER_KEY_TOPIC, published), 0,
                               gatekeeper.identity)  # fmt: skip
    payload = ContractKeyDistribution(
        contract_id, 0, gatekeeper.pubkey, b"\x09" * 32, egress.public_key, b"x"
    )
    distribution = Message(GatekeeperOrigin(), CONTRACT_KEY_TOPIC, encode_gatekeeper_payload(payload))
    for signed in (first, SignedMessage.sign(distribution, 0, group)):
        built = chain.block([chain.sign(ALICE, chain.call("Mq", "push_signed_message", message=signed))])
        error = outcome_error(built)
        if error is not None:
            raise AssertionError(f"publishing the egress key failed: {error}")
