"""Mq through the real runtime: signatures by origin kind, sequences, identical copies, replays, routing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from phalanx.contracts import compute_builtin_id
from phalanx.crypto import Keypair, KeyType
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
from phalanx.runtime.modules.contracts import declarations as contracts_d
from phalanx.runtime.modules.mq import declarations as d
from phalanx.runtime.modules.registry import declarations as registry_d
from phalanx.storage import Database
from tests.support.confidential_chain import (
    Worker,
    events,
    make_chain,
    outcome_error,
    register_xt,
    state,
    sudo_xt,
)
from tests.support.runtime_testchain import ALICE, BOB, Chain, assert_noop

GK = Worker.make(1)
GROUP = Keypair.from_seed(b"\x33" * 32, KeyType.ED25519)  # the gatekeeper group's identity (generation 0)
TOKEN = compute_builtin_id("token")


@pytest.fixture
def chain() -> Iterator[Chain]:
    db = Database.temporary()
    try:
        chain = make_chain(db)
        chain.block([register_xt(chain, GK)])
        chain.block([sudo_xt(chain, "Registry", "force_register_gatekeeper", worker=GK.pubkey)])
        yield chain
    finally:
        db.close()


def _publish(
    sequence: int = 0, key: bytes = GROUP.public_key, signer: Keypair = GK.identity
) -> SignedMessage:
    message = Message(
        WorkerOrigin(GK.pubkey), MASTER_KEY_TOPIC, encode_gatekeeper_payload(MasterKeyPublished(0, key))
    )
    return SignedMessage.sign(message, sequence, signer)


def _push_call(chain: Chain, signed: SignedMessage) -> bytes:
    return chain.call("Mq", "push_signed_message", message=signed)


def _push(chain: Chain, signed: SignedMessage, who: Keypair = BOB) -> object:
    return outcome_error(chain.block([chain.sign(who, _push_call(chain, signed))]))


def _refused(chain: Chain, signed: SignedMessage, error: type[d.MqError]) -> None:
    assert_noop(chain, BOB, _push_call(chain, signed), error)


def test_first_gatekeeper_publishes_generation_zero_once(chain: Chain) -> None:
    signed = _publish()
    assert _push(chain, signed) is None
    st = state(chain)
    assert (
        registry_d.MasterKeyGeneration.get(st) == 0
        and registry_d.MasterPublicKeys.get(st, 0) == GROUP.public_key
    )
    assert d.Sequences.get(st, WorkerOrigin(GK.pubkey)) == 1
    assert signed.message in d.InboundMessages.get(st)  # forwarded to enclaves
    assert ("MessageAccepted", {"sender": WorkerOrigin(GK.pubkey), "sequence": 0,
                                "topic": MASTER_KEY_TOPIC.path}) in events(chain, "Mq")  # fmt: skip
    # an identical copy (another relayer) is a no-op without error
    assert _push(chain, signed, who=ALICE) is None
    assert events(chain, "Mq") == [("DuplicateIgnored", {"sender": WorkerOrigin(GK.pubkey), "sequence": 0})]
    assert d.Sequences.get(state(chain), WorkerOrigin(GK.pubkey)) == 1
    # the same sequence with other content is a replay
    _refused(chain, _publish(0, key=b"\x01" * 32), d.Replayed)
    # a gap is refused
    _refused(chain, _publish(5), d.OutOfOrder)
    # a second publication of generation 0 is accepted as a message but refused by the registry
    assert _push(chain, _publish(1, key=b"\x02" * 32)) is None
    assert [name for name, _ in events(chain, "Mq")] == ["MessageFailed"]
    assert registry_d.MasterPublicKeys.get(state(chain), 0) == GROUP.public_key
    assert d.Sequences.get(state(chain), WorkerOrigin(GK.pubkey)) == 2


def test_invalid_signatures_and_unknown_senders_are_refused(chain: Chain) -> None:
    _refused(chain, _publish(signer=Worker.make(2).identity), d.BadSignature)
    stranger = Worker.make(2)
    message = Message(WorkerOrigin(stranger.pubkey), MASTER_KEY_TOPIC, b"\x00")
    _refused(chain, SignedMessage.sign(message, 0, stranger.identity), d.UnknownSender)
    group = SignedMessage.sign(Message(GatekeeperOrigin(), MASTER_KEY_TOPIC, b"\x00"), 0, GROUP)
    _refused(chain, group, d.UnknownSender)  # no master key published yet
    assert d.Sequences.get(state(chain), WorkerOrigin(GK.pubkey)) == 0


def test_gatekeeper_group_publishes_contract_keys(chain: Chain) -> None:
    assert _push(chain, _publish()) is None
    contract_public = b"\x09" * 32
    egress_public = b"\x0b" * 32
    payload = ContractKeyDistribution(TOKEN, 0, GK.pubkey, contract_public, egress_public, b"sealed")
    message = Message(GatekeeperOrigin(), CONTRACT_KEY_TOPIC, encode_gatekeeper_payload(payload))
    forged = SignedMessage.sign(message, 0, Keypair.from_seed(b"\x34" * 32, KeyType.ED25519))
    _refused(chain, forged, d.BadSignature)
    assert _push(chain, SignedMessage.sign(message, 0, GROUP)) is None
    assert contracts_d.PublicKeys.get(state(chain), TOKEN) == contracts_d.ContractPublicKey(
        generation=0, public_key=contract_public, egress_public=egress_public
    )
    assert (
        "ContractKeyPublished",
        {"contract": TOKEN, "generation": 0, "public_key": contract_public, "egress_public": egress_public},
    ) in events(chain, "Contracts")
    assert message in d.InboundMessages.get(state(chain))


def test_rotation_round_trip(chain: Chain) -> None:
    assert _push(chain, _publish()) is None
    chain.block([sudo_xt(chain, "Registry", "force_rotate_master_key")])
    assert registry_d.PendingRotation.get(state(chain)) == 1
    new_group = Keypair.from_seed(b"\x35" * 32, KeyType.ED25519)
    published = encode_gatekeeper_payload(MasterKeyPublished(1, new_group.public_key))
    signed = SignedMessage.sign(Message(GatekeeperOrigin(), MASTER_KEY_TOPIC, published), 0, GROUP)
    assert _push(chain, signed) is None
    st = state(chain)
    assert registry_d.MasterKeyGeneration.get(st) == 1 and registry_d.PendingRotation.get(st) is None
    # messages signed with the new generation are accepted too
    first = ContractKeyDistribution(TOKEN, 0, GK.pubkey, b"\x09" * 32, b"\x0b" * 32, b"sealed")
    message = Message(GatekeeperOrigin(), CONTRACT_KEY_TOPIC, encode_gatekeeper_payload(first))
    assert _push(chain, SignedMessage.sign(message, 1, new_group)) is None
    payload = ContractKeyDistribution(TOKEN, 1, GK.pubkey, b"\x0a" * 32, b"\x0c" * 32, b"sealed")
    message = Message(GatekeeperOrigin(), CONTRACT_KEY_TOPIC, encode_gatekeeper_payload(payload))
    assert _push(chain, SignedMessage.sign(message, 2, new_group)) is None
    # the newest X25519 key is published; the egress key stays the first generation's
    assert contracts_d.PublicKeys.get(state(chain), TOKEN) == contracts_d.ContractPublicKey(
        generation=1, public_key=b"\x0a" * 32, egress_public=b"\x0b" * 32
    )
