"""The pRuntime enclave as a real OS process fed a synthetic dev chain (real trie proofs, signed headers).

One enclave is gatekeeper and worker at once: it makes the master key, hands itself the token key,
applies a deposit and an encrypted transfer, answers a sealed query; after `kill -9` it resumes from
its sealed state and catches up without losing or repeating a command. Nothing the host sees (the
channel transcript, the log, the data directory) holds the confidential marker.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from phalanx.contracts import compute_builtin_id
from phalanx.contracts.token import (
    ANSWERS,
    COMMANDS,
    QUERIES,
    AccountBalance,
    AccountHistory,
    Balance,
    Deposit,
    History,
    Transfer,
)
from phalanx.crypto import Keypair
from phalanx.mq import (
    CONTRACT_KEY_TOPIC,
    AccountOrigin,
    ContractKeyDistribution,
    Message,
    RuntimeOrigin,
    SignedMessage,
    Topic,
    compute_origin_key,
    decode_gatekeeper_payload,
)
from phalanx.storage import Database
from phalanx.tee.enclave.chain import MESSAGES
from phalanx.tee.enclave.chain_events import (
    INBOUND_MESSAGES_KEY,
    REGISTRY_TOPIC,
    ContractAssigned,
    ContractDeployed,
    GatekeeperRegistered,
    WorkerRegistered,
    encode_registry_event,
)
from phalanx.tee.enclave.errors import BlockReplayed, InvalidFinality
from phalanx.tee.platform import EnclaveRequestFailed
from phalanx.tee.platform.process import EnclaveProcess
from phalanx.wire.command import encrypt_command
from phalanx.wire.query import make_query, open_answer, seal_query
from tests.support.synthetic_chain import SyntheticChain

pytestmark = pytest.mark.integration

TOKEN = compute_builtin_id("token")
ALICE = Keypair.from_suri("//Alice")
BOB = Keypair.from_suri("//Bob")
MARKER = "CANARY-7f3a-private-memo"
StartEnclave = Callable[[], EnclaveProcess]


@pytest.fixture
def start_enclave(tmp_path: Path) -> Iterator[StartEnclave]:
    started: list[EnclaveProcess] = []

    def start() -> EnclaveProcess:
        enclave = EnclaveProcess(
            tmp_path / "machine", tmp_path / "data", timeout_s=60.0, checkpoint_interval=3
        )
        started.append(enclave)
        enclave.start()
        return enclave

    yield start
    for enclave in started:
        enclave.kill()


def registry(event: object) -> Message:
    return Message(RuntimeOrigin(), REGISTRY_TOPIC, encode_registry_event(event))  # type: ignore[arg-type]


def query_balance(enclave: EnclaveProcess, identity: bytes, x25519: bytes, who: Keypair) -> int:
    signed = make_query(who, TOKEN, QUERIES.encode(Balance()), int(time.time() * 1000))
    box, ephemeral, request_hash = seal_query(x25519, signed)
    answer = open_answer(ephemeral, request_hash, identity, enclave.query(box))
    assert answer.error is None
    decoded = ANSWERS.decode(answer.answer)
    assert isinstance(decoded, AccountBalance)
    return decoded.amount


def test_worker_enclave_process_end_to_end_with_a_crash(start_enclave: StartEnclave, tmp_path: Path) -> None:
    with Database.temporary() as db:
        chain = SyntheticChain(db)
        enclave = start_enclave()
        info, _ = enclave.get_info(b"http://127.0.0.1:1/")
        me, x25519 = info.identity_public, info.encryption_public
        assert not enclave.init(chain.genesis_hash, chain.authority.public_key).block_number
        relay: list[Message] = []
        seen: set[tuple[bytes, int]] = set()

        def next_block(*messages: Message) -> None:
            block = chain.add_block([*relay, *messages])
            relay.clear()
            fed = enclave.feed_block(block.header, block.justification, block.proofs)
            for raw in fed.egress:
                signed = SignedMessage.decode(raw)
                key = (compute_origin_key(signed.message.origin), signed.sequence)
                if key not in seen:  # the chain accepts each (origin, sequence) once
                    seen.add(key)
                    relay.append(signed.message)

        next_block(registry(WorkerRegistered(me, x25519)), registry(GatekeeperRegistered(me, x25519)))
        next_block(registry(ContractDeployed(TOKEN)), registry(ContractAssigned(TOKEN, me)))
        next_block()  # the contract key reaches the worker
        status = enclave.status()
        assert status.contracts == ((TOKEN, True),)
        deposit = COMMANDS.encode(Deposit(ALICE.public_key, 1000))
        next_block(Message(AccountOrigin(ALICE.public_key), Topic.contract_chain_command(TOKEN), deposit))

        # The contract public key is what the chain publishes with the key distribution.
        contract_public = None
        for message in chain_messages(chain):
            if message.topic == CONTRACT_KEY_TOPIC:
                payload = decode_gatekeeper_payload(message.payload)
                assert isinstance(payload, ContractKeyDistribution)
                contract_public = payload.contract_public
        assert contract_public is not None

        def transfer(amount: int) -> Message:
            sealed = encrypt_command(
                contract_public,
                TOKEN,
                ALICE.public_key,
                COMMANDS.encode(Transfer(BOB.public_key, amount, MARKER)),
            )
            return Message(AccountOrigin(ALICE.public_key), Topic.contract_command(TOKEN), sealed)

        next_block(transfer(100))
        assert query_balance(enclave, me, x25519, ALICE) == 900

        # A lying host: a replayed block and a forged justification are refused; the enclave goes on.
        with pytest.raises(EnclaveRequestFailed) as replay:
            b = chain.blocks[-1]
            enclave.feed_block(b.header, b.justification, b.proofs)
        assert replay.value.remote_code == BlockReplayed.code
        next_blocks_before_crash = len(chain.blocks)
        next_block(transfer(10))
        next_block(transfer(1))

        # kill -9: the enclave resumes from its last checkpoint and the host feeds what follows.
        enclave.kill()
        enclave = start_enclave()
        resumed = enclave.init(chain.genesis_hash, chain.authority.public_key)
        assert resumed.block_number <= len(chain.blocks)
        assert resumed.block_number >= next_blocks_before_crash - 3
        for block in chain.blocks[resumed.block_number :]:
            enclave.feed_block(block.header, block.justification, block.proofs)
        forged = chain.add_block()
        with pytest.raises(EnclaveRequestFailed) as bad:
            enclave.feed_block(forged.header, b"\x01\x01" + bytes(64), forged.proofs)
        assert bad.value.remote_code == InvalidFinality.code
        enclave.feed_block(forged.header, forged.justification, forged.proofs)
        assert query_balance(enclave, me, x25519, ALICE) == 889  # each transfer applied exactly once
        assert query_balance(enclave, me, x25519, BOB) == 111

        # The owner's decrypted view holds the memo; nothing the host saw does.
        signed = make_query(BOB, TOKEN, QUERIES.encode(History()), int(time.time() * 1000))
        box, ephemeral, request_hash = seal_query(x25519, signed)
        history = ANSWERS.decode(open_answer(ephemeral, request_hash, me, enclave.query(box)).answer)
        assert isinstance(history, AccountHistory) and MARKER in repr(history)
        assert enclave.stop() == 0
        marker = MARKER.encode()
        assert marker not in enclave.transcript
        assert all(MARKER not in line for line in enclave.log_lines)
        for path in (tmp_path / "data").rglob("*"):
            if path.is_file():
                assert marker not in path.read_bytes()


def chain_messages(chain: SyntheticChain) -> list[Message]:
    out: list[Message] = []
    for header in chain.headers[1:]:
        raw = chain.db.get_at(header.state_root, INBOUND_MESSAGES_KEY)
        if raw is not None:
            out.extend(MESSAGES.decode(raw))
    return out
