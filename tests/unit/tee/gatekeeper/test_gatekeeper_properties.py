"""Property tests: random chains keep every gatekeeper in agreement, and nothing but typed errors escape."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from phalanx.errors import PhalanxError
from phalanx.mq import ContractKeyDistribution, decode_gatekeeper_payload
from phalanx.tee.gatekeeper import (
    BlockStarted,
    ChainEvent,
    ContractAssigned,
    ContractDeployed,
    GatekeeperRegistered,
    MasterKeyPublished,
    MasterKeyShareReceived,
    RotationRequested,
    WorkerRegistered,
    apply,
    compute_contract_key,
    decode_state,
    encode_state,
    initial_state,
    open_contract_key,
)
from tests.support.gatekeeper_chain import Chain, Enclave, registered, rotation

GATEKEEPERS = [Enclave.make(f"gk-{i}") for i in range(3)]
WORKERS = [Enclave.make(f"worker-{i}") for i in range(3)]
CONTRACTS = [bytes([0xC0 + i]) * 32 for i in range(2)]

_ASSIGN = st.tuples(st.just("assign"), st.integers(0, 1), st.integers(0, 2))
OPS = st.one_of(
    st.tuples(st.just("gatekeeper"), st.integers(0, 2)),
    st.tuples(st.just("worker"), st.integers(0, 2)),
    st.tuples(st.just("deploy"), st.integers(0, 1)),
    _ASSIGN,
    _ASSIGN,
    st.tuples(st.just("rotate"), st.integers(-1, 1)),
    st.tuples(st.just("garbage-share"), st.integers(0, 2), st.binary(max_size=120)),
)


def to_event(chain: Chain, op: tuple[Any, ...]) -> ChainEvent:
    kind = op[0]
    if kind == "gatekeeper":
        return registered(GATEKEEPERS[op[1]])
    if kind == "worker":
        worker = WORKERS[op[1]]
        return WorkerRegistered(worker.identity, worker.x25519.public_key)
    if kind == "deploy":
        return ContractDeployed(CONTRACTS[op[1]])
    if kind == "assign":
        return ContractAssigned(CONTRACTS[op[1]], WORKERS[op[2]].identity)
    if kind == "rotate":
        generations = chain.states[GATEKEEPERS[0].identity].generations
        return rotation(max(generations + op[1], 0))
    return MasterKeyShareReceived(0, GATEKEEPERS[op[1]].identity, op[2])


FULL_SET: list[tuple[Any, ...]] = [
    *(("gatekeeper", i) for i in range(3)),
    *(("worker", j) for j in range(3)),
    *(("deploy", k) for k in range(2)),
    *(("assign", k, j) for k in range(2) for j in range(3)),
    ("rotate", 0),
    ("rotate", 0),
]


@st.composite
def shuffled_blocks(draw: st.DrawFn) -> list[list[tuple[Any, ...]]]:
    """Every kind of event at least once, in a random order, cut into random blocks."""
    ops = draw(st.permutations(FULL_SET))
    cuts = sorted(draw(st.sets(st.integers(1, len(ops) - 1), max_size=8)))
    bounds = [0, *cuts, len(ops)]
    return [list(ops[a:b]) for a, b in itertools.pairwise(bounds)]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(OPS, min_size=1, max_size=5), min_size=2, max_size=10))
def test_random_chains_keep_gatekeepers_in_agreement(blocks: list[list[tuple[Any, ...]]]) -> None:
    check_agreement(blocks)


@settings(max_examples=25, deadline=None)
@given(shuffled_blocks())
def test_every_event_kind_in_random_order_keeps_gatekeepers_in_agreement(
    blocks: list[list[tuple[Any, ...]]],
) -> None:
    check_agreement(blocks)


def check_agreement(blocks: list[list[tuple[Any, ...]]]) -> None:
    chain = Chain(GATEKEEPERS)  # also checks that every copy of a sequence number is byte-identical
    for ops in blocks:
        chain.run_block([to_event(chain, op) for op in ops])
    chain.settle(6)

    states = [chain.states[g.identity] for g in GATEKEEPERS]
    first = states[0]
    for state in states:
        shared = (
            "generations",
            "next_sequence",
            "workers",
            "contracts",
            "assignments",
            "published",
            "gatekeepers",
        )
        assert all(getattr(state, name) == getattr(first, name) for name in shared)
        assert decode_state(encode_state(state)) == state
    assert chain.next_sequence == first.next_sequence  # every planned message was produced and accepted
    registered_ids = {gk for gk, _ in first.gatekeepers}
    holders = [s for s in states if s.identity in registered_ids]
    for state in states:
        if state.identity in registered_ids:
            assert [g for g, _ in state.masters] == list(range(first.generations))
            assert state.masters == holders[0].masters
        else:
            assert state.masters == ()
    assert sorted(chain.published) == list(range(first.generations))

    delivered = set()
    for message in chain.accepted:
        payload = decode_gatekeeper_payload(message.payload)
        if not isinstance(payload, ContractKeyDistribution):
            continue
        delivered.add((payload.contract_id, payload.to_worker, payload.generation))
        worker = next(w for w in WORKERS if w.identity == payload.to_worker)
        key = open_contract_key(
            worker.x25519, payload.contract_id, payload.generation, worker.identity, payload.sealed_key
        )
        master = holders[0].get_master(payload.generation)
        assert master is not None and key == compute_contract_key(
            master, payload.generation, payload.contract_id
        )
    expected = {
        (cid, worker, generation)
        for cid, worker in first.assignments
        for generation in range(first.get_contract_first_generation(cid) or 0, first.generations)
    }
    event(
        f"generations={first.generations} gatekeepers={len(holders)} keys-delivered={min(len(delivered), 3)}"
    )
    assert delivered == expected  # keys reach exactly the assigned workers, for every generation since deploy


KEY = st.binary(min_size=32, max_size=32)
ANY_EVENT = st.one_of(
    st.builds(BlockStarted, st.integers(0, 20), KEY),
    st.builds(GatekeeperRegistered, st.sampled_from([GATEKEEPERS[0].identity, b"\x01" * 32]), KEY, KEY),
    st.builds(MasterKeyPublished, st.integers(0, 3), KEY),
    st.builds(
        MasterKeyShareReceived, st.integers(0, 3), st.just(GATEKEEPERS[0].identity), st.binary(max_size=100)
    ),
    st.builds(WorkerRegistered, KEY, KEY),
    st.builds(ContractDeployed, st.sampled_from(CONTRACTS)),
    st.builds(ContractAssigned, st.sampled_from(CONTRACTS), KEY),
    st.builds(RotationRequested, st.integers(0, 3), KEY),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(ANY_EVENT, max_size=25))
def test_arbitrary_events_raise_only_typed_errors(events: list[ChainEvent]) -> None:
    gk = GATEKEEPERS[0]
    state = initial_state(gk.identity, gk.x25519.secret)
    for chain_event in events:
        try:
            after, _ = apply(state, chain_event)
        except PhalanxError:
            continue  # a refused event leaves the state as it was
        state = after
    assert decode_state(encode_state(state)) == state
