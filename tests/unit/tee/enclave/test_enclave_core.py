"""The pure enclave core on a synthetic dev chain: key handover, commands in block order, and every
way a lying host can try to feed it (each refused with a typed error, state unchanged)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from phalanx.contracts import compute_builtin_id
from phalanx.contracts.token import ANSWERS, COMMANDS, QUERIES, AccountBalance, Balance, Deposit, Transfer
from phalanx.contracts.token import Withdraw as WithdrawCommand
from phalanx.crypto import Keypair, KeyType
from phalanx.engine.finality import sign_dev_justification
from phalanx.errors import PhalanxError
from phalanx.mq import (
    CONTRACT_KEY_TOPIC,
    AccountOrigin,
    ContractKeyDistribution,
    ContractOrigin,
    GatekeeperOrigin,
    Message,
    RuntimeOrigin,
    SignedMessage,
    Topic,
    WorkerOrigin,
    decode_gatekeeper_payload,
)
from phalanx.runtime.block import Header
from phalanx.storage import EMPTY_ROOT, Database
from phalanx.tee.enclave import core
from phalanx.tee.enclave.chain_events import (
    INBOUND_MESSAGES_KEY,
    REGISTRY_TOPIC,
    ContractAssigned,
    ContractDeployed,
    GatekeeperRegistered,
    WorkerRegistered,
    encode_registry_event,
)
from phalanx.tee.enclave.errors import (
    BlockNotLinked,
    BlockReplayed,
    BlockSkipped,
    InvalidChainData,
    InvalidFinality,
    InvalidStateProof,
    MalformedInput,
    MissingStateProof,
)
from phalanx.tee.enclave.runtime import PRuntime
from phalanx.tee.enclave.state import (
    EnclaveState,
    decode_enclave_state,
    encode_enclave_state,
    initial_enclave_state,
)
from phalanx.wire.command import encrypt_command
from phalanx.wire.enclave_protocol import BlockInput
from tests.support.synthetic_chain import SyntheticChain

TOKEN = compute_builtin_id("token")
ALICE = Keypair.from_suri("//Alice")
BOB = Keypair.from_suri("//Bob")
ENTROPY = b"\x07" * 32


@pytest.fixture
def chain() -> Iterator[SyntheticChain]:
    with Database.temporary() as db:
        yield SyntheticChain(db)


def registry(event: object) -> Message:
    return Message(RuntimeOrigin(), REGISTRY_TOPIC, encode_registry_event(event))  # type: ignore[arg-type]


def new_enclave(chain: SyntheticChain, seed: int) -> EnclaveState:
    return initial_enclave_state(bytes([seed]) * 32, bytes([seed + 100]) * 32, chain.trust)


def feed(state: EnclaveState, block: BlockInput) -> tuple[EnclaveState, list[SignedMessage]]:
    new, effects = core.apply(state, core.FeedBlock(block, ENTROPY))
    return new, [e.message for e in effects if isinstance(e, core.Egress)]


class Network:
    """A gatekeeper enclave and a worker enclave following one synthetic chain; the 'runtime' relays
    every egress message into the next block, as the Mq module does once it accepts it."""

    def __init__(self, chain: SyntheticChain) -> None:
        self.chain = chain
        self.gk = new_enclave(chain, 1)
        self.worker = new_enclave(chain, 2)
        self.outbox: list[Message] = []
        self.egress: list[SignedMessage] = []

    def block(self, *messages: Message) -> BlockInput:
        block = self.chain.add_block([*self.outbox, *messages])
        self.outbox = []
        self.gk, out_gk = feed(self.gk, block)
        self.worker, out_worker = feed(self.worker, block)
        for signed in out_gk + out_worker:
            self.egress.append(signed)
            if signed.message not in self.outbox and not isinstance(signed.message.origin, ContractOrigin):
                self.outbox.append(signed.message)
        return block

    def setup_token(self) -> None:
        gk_id, w_id = self.gk.identity.public_key, self.worker.identity.public_key
        self.block(
            registry(WorkerRegistered(gk_id, self.gk.x25519.public_key)),
            registry(WorkerRegistered(w_id, self.worker.x25519.public_key)),
            registry(GatekeeperRegistered(gk_id, self.gk.x25519.public_key)),
        )
        self.block(registry(ContractDeployed(TOKEN)), registry(ContractAssigned(TOKEN, w_id)))
        self.block()  # delivers the contract key

    def contract_public(self) -> bytes:
        slot = self.worker.get_contract(TOKEN)
        assert slot is not None and slot.derived
        return slot.derived[-1].x25519.public_key

    def command(self, who: Keypair, command: object) -> Message:
        sealed = encrypt_command(self.contract_public(), TOKEN, who.public_key, COMMANDS.encode(command))
        return Message(AccountOrigin(who.public_key), Topic.contract_command(TOKEN), sealed)


def deposit(who: bytes, amount: int) -> Message:
    command = COMMANDS.encode(Deposit(who, amount))
    return Message(AccountOrigin(who), Topic.contract_chain_command(TOKEN), command)


def balance(state: EnclaveState, who: bytes) -> int:
    raw = PRuntime.run_query(state, TOKEN, who, QUERIES.encode(Balance()))
    answer = ANSWERS.decode(raw)
    assert isinstance(answer, AccountBalance)
    return answer.amount


def test_worker_receives_the_contract_key_and_applies_commands_in_block_order(chain: SyntheticChain) -> None:
    net = Network(chain)
    net.setup_token()
    slot = net.worker.get_contract(TOKEN)
    assert slot is not None and slot.has_key and slot.instance is not None
    assert net.gk.get_contract(TOKEN) is None  # the gatekeeper holds the master, not the assignment
    net.block(deposit(ALICE.public_key, 1000))
    net.block(
        net.command(ALICE, Transfer(BOB.public_key, 300, "rent")),
        net.command(BOB, Transfer(ALICE.public_key, 50, "")),
    )
    assert balance(net.worker, ALICE.public_key) == 750
    assert balance(net.worker, BOB.public_key) == 250
    # Commands are not sent to the gatekeeper and never appear in host-visible egress in the clear.
    assert all(b"rent" not in signed.encode() for signed in net.egress)


def test_commands_before_the_key_wait_and_apply_in_order(chain: SyntheticChain) -> None:
    net = Network(chain)
    w_id = net.worker.identity.public_key
    net.block(registry(WorkerRegistered(w_id, net.worker.x25519.public_key)))
    net.block(registry(ContractDeployed(TOKEN)), registry(ContractAssigned(TOKEN, w_id)))
    net.block(deposit(ALICE.public_key, 10))  # no gatekeeper yet: the key cannot come
    slot = net.worker.get_contract(TOKEN)
    assert slot is not None and not slot.has_key and len(slot.pending) == 1
    gk_id = net.gk.identity.public_key
    net.block(
        registry(WorkerRegistered(gk_id, net.gk.x25519.public_key)),
        registry(GatekeeperRegistered(gk_id, net.gk.x25519.public_key)),
    )
    net.block()  # master key published and contract key delivered
    net.block()
    assert balance(net.worker, ALICE.public_key) == 10


def test_withdraw_emits_a_contract_signed_egress_message_with_a_sequence(chain: SyntheticChain) -> None:
    net = Network(chain)
    net.setup_token()
    net.block(deposit(ALICE.public_key, 100))
    net.block(net.command(ALICE, WithdrawCommand(40)), net.command(ALICE, WithdrawCommand(1)))
    contract_egress = [s for s in net.egress if isinstance(s.message.origin, ContractOrigin)]
    assert [s.sequence for s in contract_egress] == [0, 1]
    slot = net.worker.get_contract(TOKEN)
    assert slot is not None and slot.egress_key is not None
    assert all(s.verify(slot.egress_key.public_key, KeyType.ED25519) for s in contract_egress)
    # ... under the very key the gatekeeper published for the chain to verify against
    published = [decode_gatekeeper_payload(s.message.payload) for s in net.egress
                 if s.message.topic == CONTRACT_KEY_TOPIC]  # fmt: skip
    assert published and all(
        isinstance(p, ContractKeyDistribution) and p.egress_public == slot.egress_key.public_key
        for p in published
    )


def test_a_command_copied_under_another_signer_does_not_decrypt(chain: SyntheticChain) -> None:
    net = Network(chain)
    net.setup_token()
    net.block(deposit(ALICE.public_key, 100))
    stolen = net.command(ALICE, Transfer(BOB.public_key, 100, ""))
    net.block(replace(stolen, origin=AccountOrigin(BOB.public_key)))
    assert balance(net.worker, ALICE.public_key) == 100


def test_a_chain_command_runs_only_from_an_account_origin_on_its_own_topic(chain: SyntheticChain) -> None:
    net = Network(chain)
    net.setup_token()
    command = COMMANDS.encode(Deposit(ALICE.public_key, 100))
    net.block(Message(RuntimeOrigin(), Topic.contract_chain_command(TOKEN), command))
    net.block(Message(AccountOrigin(ALICE.public_key), Topic.contract_command(TOKEN), command))  # not sealed
    assert balance(net.worker, ALICE.public_key) == 0
    net.block(Message(AccountOrigin(ALICE.public_key), Topic.contract_chain_command(TOKEN), command))
    assert balance(net.worker, ALICE.public_key) == 100


def test_snapshot_roundtrip_resumes_identically(chain: SyntheticChain) -> None:
    net = Network(chain)
    net.setup_token()
    net.block(deposit(ALICE.public_key, 100))
    restored = decode_enclave_state(encode_enclave_state(net.worker))
    assert encode_enclave_state(restored) == encode_enclave_state(net.worker)
    block = chain.add_block([net.command(ALICE, Transfer(BOB.public_key, 5, ""))])
    a, _ = feed(net.worker, block)
    b, _ = feed(restored, block)
    assert encode_enclave_state(a) == encode_enclave_state(b)


# --- a lying host -----------------------------------------------------------------------------------


def refused(state: EnclaveState, block: BlockInput, error: type[PhalanxError]) -> None:
    before = encode_enclave_state(state)
    with pytest.raises(error):
        core.apply(state, core.FeedBlock(block, ENTROPY))
    assert encode_enclave_state(state) == before


def test_replayed_skipped_and_forked_blocks_are_refused(chain: SyntheticChain) -> None:
    state = new_enclave(chain, 3)
    b1, b2, b3 = chain.add_block(), chain.add_block(), chain.add_block()
    refused(state, b2, BlockSkipped)
    state, _ = feed(state, b1)
    refused(state, b1, BlockReplayed)
    refused(state, b3, BlockSkipped)
    with Database.temporary() as other_db:
        other = SyntheticChain(other_db)
        other.genesis_hash = chain.genesis_hash
        other.headers[0] = chain.headers[0]
        other.add_block([deposit(ALICE.public_key, 1)])
        fork = other.add_block()
    refused(state, fork, BlockNotLinked)
    state, _ = feed(state, b2)
    assert state.block_number == 2


def test_forged_or_missing_finality_is_refused(chain: SyntheticChain) -> None:
    state = new_enclave(chain, 3)
    block = chain.add_block()
    mallory = Keypair.from_suri("//Mallory")
    forged = sign_dev_justification(mallory, chain.genesis_hash, chain.headers[1].hash())
    refused(state, replace(block, justification=forged), InvalidFinality)
    refused(state, replace(block, justification=b""), InvalidFinality)
    other_chain = sign_dev_justification(chain.authority, b"\x01" * 32, chain.headers[1].hash())
    refused(state, replace(block, justification=other_chain), InvalidFinality)
    # A header changed after signing (another state root) no longer matches its signature.
    tampered = bytearray(block.header)
    tampered[-40] ^= 1
    refused(state, replace(block, header=bytes(tampered)), InvalidFinality)


def test_wrong_or_missing_state_proofs_are_refused(chain: SyntheticChain) -> None:
    state = new_enclave(chain, 3)
    chain.add_block([deposit(ALICE.public_key, 1)])
    block = chain.add_block([deposit(ALICE.public_key, 2)])
    state, _ = feed(state, chain.blocks[0])
    # Proofs of the previous block's state: values that are not under this header's root.
    refused(state, replace(block, proofs=chain.prove(chain.headers[1].state_root)), InvalidStateProof)
    refused(state, replace(block, proofs=chain.prove(chain.root, (INBOUND_MESSAGES_KEY,))), MissingStateProof)
    refused(state, replace(block, proofs=b"\x04garbage"), MalformedInput)
    refused(state, replace(block, header=b"\x00" * 10), MalformedInput)
    state, _ = feed(state, block)
    assert state.block_number == 2


def test_proven_state_the_enclave_cannot_decode_is_refused(chain: SyntheticChain) -> None:
    state = new_enclave(chain, 3)
    update = chain.db.compute_root(chain.root, {INBOUND_MESSAGES_KEY: b"\x04\xff\xff"})
    with chain.db.write() as w:
        w.apply_update(update)
    chain.root = update.root
    header = Header(chain.headers[-1].hash(), 1, chain.root, EMPTY_ROOT, ())
    block = BlockInput(
        header.encode(),
        sign_dev_justification(chain.authority, chain.genesis_hash, header.hash()),
        chain.prove(chain.root),
    )
    refused(state, block, InvalidChainData)


def test_egress_of_the_worker_identity_and_gatekeeper_carry_sequences(chain: SyntheticChain) -> None:
    net = Network(chain)
    net.setup_token()
    worker_msgs = [s for s in net.egress if isinstance(s.message.origin, WorkerOrigin)]
    gk_msgs = [s for s in net.egress if isinstance(s.message.origin, GatekeeperOrigin)]
    assert [s.sequence for s in worker_msgs] == [0]
    assert worker_msgs[0].verify(net.gk.identity.public_key, KeyType.SR25519)
    assert [s.sequence for s in gk_msgs] == list(range(len(gk_msgs))) and gk_msgs
