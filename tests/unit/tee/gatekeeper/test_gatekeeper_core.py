"""The gatekeeper core over a simulated chain: genesis, handover, contract keys, rotation, snapshots."""

from __future__ import annotations

import pytest

from phalanx.crypto import KeyType
from phalanx.mq import (
    ContractKeyDistribution,
    GatekeeperOrigin,
    MasterKeyPublished,
    MasterKeyShare,
    WorkerOrigin,
    decode_gatekeeper_payload,
)
from phalanx.tee.gatekeeper import (
    BlockStarted,
    ContractAssigned,
    ContractDeployed,
    Emit,
    EmitAsWorker,
    GatekeeperState,
    InvalidEvent,
    InvalidSnapshot,
    MasterKeyShareReceived,
    StoreSealed,
    WorkerRegistered,
    apply,
    compute_contract_key,
    compute_contract_keys,
    compute_gatekeeper_identity,
    decode_state,
    encode_state,
    initial_state,
    open_contract_key,
)
from tests.support.gatekeeper_chain import Chain, Enclave, registered, rotation

A, B, C = Enclave.make("gk-a"), Enclave.make("gk-b"), Enclave.make("gk-c")
W1, W2 = Enclave.make("worker-1"), Enclave.make("worker-2")
CONTRACT = b"\xc1" * 32
OTHER_CONTRACT = b"\xc2" * 32


def distributions(chain: Chain) -> list[ContractKeyDistribution]:
    out = []
    for message in chain.accepted:
        payload = decode_gatekeeper_payload(message.payload)
        if isinstance(payload, ContractKeyDistribution):
            out.append(payload)
    return out


def emits(effects: list[object]) -> list[bytes]:
    return [e.message.encode() for e in effects if isinstance(e, Emit)]


def two_gatekeepers() -> Chain:
    chain = Chain([A, B, C])
    chain.run_block([registered(A)])
    chain.settle(2)
    chain.run_block([registered(B)])
    chain.settle(3)
    return chain


def test_first_gatekeeper_makes_and_publishes_generation_zero() -> None:
    chain = Chain([A, B])
    effects = chain.run_block([registered(A)])
    a_effects = effects[A.identity]
    assert isinstance(a_effects[0], StoreSealed)  # sealed before anything leaves
    published = [e for e in a_effects if isinstance(e, EmitAsWorker)]
    assert len(published) == 1 and published[0].message.origin == WorkerOrigin(A.identity)
    payload = decode_gatekeeper_payload(published[0].message.payload)
    master = chain.states[A.identity].get_master(0)
    assert master is not None
    assert payload == MasterKeyPublished(0, compute_gatekeeper_identity(master).public_key)
    assert effects[B.identity] == [] and chain.states[B.identity].masters == ()
    assert chain.states[B.identity].generations == 1
    chain.settle(1)
    assert chain.published[0] == payload.master_public  # type: ignore[union-attr]


def test_second_gatekeeper_receives_the_master_key() -> None:
    chain = two_gatekeepers()
    a, b = chain.states[A.identity], chain.states[B.identity]
    assert b.masters == a.masters and len(a.masters) == 1
    shares = [decode_gatekeeper_payload(m.payload) for m in chain.accepted]
    assert [type(s) for s in shares] == [MasterKeyPublished, MasterKeyShare]
    assert (a.generations, a.next_sequence, a.workers) == (b.generations, b.next_sequence, b.workers)


def test_two_gatekeepers_emit_byte_identical_contract_keys() -> None:
    chain = two_gatekeepers()
    chain.run_block([WorkerRegistered(W1.identity, W1.x25519.public_key), ContractDeployed(CONTRACT)])
    effects = chain.run_block([ContractAssigned(CONTRACT, W1.identity)])
    from_a, from_b = emits(effects[A.identity]), emits(effects[B.identity])
    assert len(from_a) == 1 and from_a == from_b
    chain.settle(2)
    [dist] = distributions(chain)
    assert (dist.contract_id, dist.to_worker, dist.generation) == (CONTRACT, W1.identity, 0)
    key = open_contract_key(W1.x25519, CONTRACT, 0, W1.identity, dist.sealed_key)
    master = chain.states[A.identity].get_master(0)
    assert master is not None and key == compute_contract_key(master, 0, CONTRACT)
    assert dist.contract_public == compute_contract_keys(key).x25519.public_key
    assert dist.egress_public == compute_contract_keys(key).egress.public_key


def test_contract_keys_go_only_to_assigned_registered_workers() -> None:
    chain = two_gatekeepers()
    chain.run_block([WorkerRegistered(W1.identity, W1.x25519.public_key), ContractDeployed(CONTRACT)])
    chain.run_block(
        [
            ContractAssigned(CONTRACT, W2.identity),  # not registered
            ContractAssigned(OTHER_CONTRACT, W1.identity),  # not deployed
        ]
    )
    chain.settle(2)
    assert distributions(chain) == []
    chain.run_block([ContractAssigned(CONTRACT, W1.identity), ContractAssigned(CONTRACT, W1.identity)])
    chain.settle(2)
    assert [(d.contract_id, d.to_worker) for d in distributions(chain)] == [(CONTRACT, W1.identity)]
    [dist] = distributions(chain)
    with pytest.raises(Exception) as refused:
        open_contract_key(W2.x25519, CONTRACT, 0, W2.identity, dist.sealed_key)
    assert refused.type.__name__ == "DecryptionError"


def test_assignments_made_before_any_master_key_are_served_at_genesis() -> None:
    chain = Chain([A])
    chain.run_block([WorkerRegistered(W1.identity, W1.x25519.public_key), ContractDeployed(CONTRACT)])
    chain.run_block([ContractAssigned(CONTRACT, W1.identity)])
    chain.run_block([registered(A)])
    chain.settle(3)
    assert [(d.contract_id, d.generation) for d in distributions(chain)] == [(CONTRACT, 0)]


def test_late_gatekeeper_serves_identically_after_its_share() -> None:
    chain = two_gatekeepers()
    chain.run_block([WorkerRegistered(W1.identity, W1.x25519.public_key), ContractDeployed(CONTRACT)])
    chain.run_block([ContractAssigned(CONTRACT, W1.identity)])
    chain.run_block([registered(C)])
    chain.settle(3)
    assert chain.states[C.identity].masters == chain.states[A.identity].masters
    effects = chain.run_block(
        [WorkerRegistered(W2.identity, W2.x25519.public_key), ContractAssigned(CONTRACT, W2.identity)]
    )
    copies = {tuple(emits(effects[g.identity])) for g in (A, B, C)}
    assert len(copies) == 1 and len(next(iter(copies))) == 1


def test_rotation_makes_a_new_generation_and_keeps_the_old() -> None:
    chain = two_gatekeepers()
    chain.run_block([WorkerRegistered(W1.identity, W1.x25519.public_key), ContractDeployed(CONTRACT)])
    chain.run_block([ContractAssigned(CONTRACT, W1.identity)])
    chain.settle(2)
    old_master = chain.states[A.identity].get_master(0)
    effects = chain.run_block([rotation(1)])
    assert emits(effects[B.identity]) == []  # only the first gatekeeper holds generation 1 yet
    chain.settle(4)
    a, b = chain.states[A.identity], chain.states[B.identity]
    assert a.generations == b.generations == 2
    assert a.masters == b.masters and a.get_master(0) == old_master and a.get_master(1) != old_master
    assert sorted(chain.published) == [0, 1]
    gens = [(d.contract_id, d.generation) for d in distributions(chain)]
    assert gens == [(CONTRACT, 0), (CONTRACT, 1)]
    # The rotation was announced under generation 0's identity; later messages under generation 1's.
    publish_1 = next(
        m
        for m in chain.accepted
        if decode_gatekeeper_payload(m.payload) == MasterKeyPublished(1, chain.published[1])
    )
    assert publish_1.origin == GatekeeperOrigin()
    # A worker assigned now gets the keys of both generations, identically from both gatekeepers.
    effects = chain.run_block(
        [WorkerRegistered(W2.identity, W2.x25519.public_key), ContractAssigned(CONTRACT, W2.identity)]
    )
    assert len(emits(effects[A.identity])) == 2 and emits(effects[A.identity]) == emits(effects[B.identity])
    # A rotation to a generation other than the next one is ignored.
    effects = chain.run_block([rotation(5)])
    assert emits(effects[A.identity]) == [] and chain.states[A.identity].generations == 2


def test_signatures_are_by_the_published_identity() -> None:
    chain = two_gatekeepers()
    chain.run_block([WorkerRegistered(W1.identity, W1.x25519.public_key), ContractDeployed(CONTRACT)])
    effects = chain.run_block([ContractAssigned(CONTRACT, W1.identity)])
    [signed] = [e.message for e in effects[A.identity] if isinstance(e, Emit)]
    assert signed.verify(chain.published[0], KeyType.ED25519)
    assert not signed.verify(W1.identity)


def test_share_for_someone_else_or_garbage_changes_nothing() -> None:
    chain = two_gatekeepers()
    c = chain.states[C.identity]
    assert apply(c, MasterKeyShareReceived(0, B.identity, b"\x00" * 80)) == (c, ())
    state, effects = apply(c, MasterKeyShareReceived(0, C.identity, b"\x00" * 80))
    assert state == c and [type(e).__name__ for e in effects] == ["Log"]


def test_blocks_must_go_forward() -> None:
    state = initial_state(A.identity, A.x25519.secret)
    state, _ = apply(state, BlockStarted(5, b"\x01" * 32))
    with pytest.raises(InvalidEvent):
        apply(state, BlockStarted(5, b"\x02" * 32))
    with pytest.raises(InvalidEvent):
        BlockStarted(6, b"\x01")


def test_snapshot_round_trips_and_refuses_garbage() -> None:
    chain = two_gatekeepers()
    chain.run_block([WorkerRegistered(W1.identity, W1.x25519.public_key), ContractDeployed(CONTRACT)])
    chain.run_block([ContractAssigned(CONTRACT, W1.identity), rotation(1)])
    chain.settle(3)
    for state in chain.states.values():
        encoded = encode_state(state)
        assert decode_state(encoded) == state
        assert encode_state(decode_state(encoded)) == encoded
    snapshot = encode_state(chain.states[A.identity])
    for bad in (b"", b"\x02" + snapshot[1:], snapshot[:-1], snapshot + b"\x00"):
        with pytest.raises(InvalidSnapshot):
            decode_state(bad)


def test_snapshot_refuses_non_canonical_order() -> None:
    state = GatekeeperState(
        A.identity, A.x25519.secret, workers=((b"\x02" * 32, b"\x00" * 32), (b"\x01" * 32, b"\x00" * 32))
    )
    with pytest.raises(InvalidSnapshot):
        decode_state(encode_state(state))
