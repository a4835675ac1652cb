"""Enclave throughput: confidential commands applied per second by the pure core (decrypt, execute,
update state), beside raw X25519 + AES-256-GCM box openings per second in the same run; and query
round trips (seal, open, verify, answer, seal back, open) through `PRuntime`, with p50/p99 and queries/s.

Run: .venv/bin/python bench/enclave.py [--blocks 5] [--per-block 200] [--queries 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from phalanx.contracts import compute_builtin_id
from phalanx.contracts.token import COMMANDS, QUERIES, Balance, Deposit, Transfer
from phalanx.crypto import Keypair
from phalanx.crypto.box import X25519Keypair, open_sealed, seal
from phalanx.mq import AccountOrigin, Message, RuntimeOrigin, Topic
from phalanx.storage import Database
from phalanx.tee.enclave import core
from phalanx.tee.enclave.chain_events import (
    REGISTRY_TOPIC,
    ContractAssigned,
    ContractDeployed,
    GatekeeperRegistered,
    WorkerRegistered,
    encode_registry_event,
)
from phalanx.tee.enclave.commands import encrypt_command
from phalanx.tee.enclave.query import make_query, open_answer, seal_query
from phalanx.tee.enclave.runtime import PRuntime
from phalanx.tee.enclave.state import EnclaveState, initial_enclave_state
from phalanx.tee.platform import SimulatedPlatform
from support.synthetic_chain import SyntheticChain

TOKEN = compute_builtin_id("token")


def reg(event: object) -> Message:
    return Message(RuntimeOrigin(), REGISTRY_TOPIC, encode_registry_event(event))  # type: ignore[arg-type]


def feed(state: EnclaveState, block: object) -> tuple[EnclaveState, list[Message]]:
    new, effects = core.apply(state, core.FeedBlock(block, b"\x01" * 32))  # type: ignore[arg-type]
    return new, [e.message.message for e in effects if isinstance(e, core.Egress)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--blocks", type=int, default=5)
    parser.add_argument("--per-block", type=int, default=200)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    users = [Keypair.from_suri(f"//user{i}") for i in range(20)]
    with Database.temporary() as db:
        chain = SyntheticChain(db)
        state = initial_enclave_state(b"\x01" * 32, b"\x02" * 32, chain.trust)
        me, x = state.identity.public_key, state.x25519.public_key
        state, relay = feed(
            state, chain.add_block([reg(WorkerRegistered(me, x)), reg(GatekeeperRegistered(me, x))])
        )
        state, more = feed(
            state, chain.add_block([*relay, reg(ContractDeployed(TOKEN)), reg(ContractAssigned(TOKEN, me))])
        )
        deposits = [
            Message(
                RuntimeOrigin(), Topic.contract_command(TOKEN), COMMANDS.encode(Deposit(u.public_key, 10**15))
            )
            for u in users
        ]
        state, _ = feed(state, chain.add_block([*more, *deposits]))
        slot = state.get_contract(TOKEN)
        assert slot is not None and slot.derived
        public = slot.derived[-1].x25519.public_key
        blocks = []
        for b in range(args.blocks):
            msgs = []
            for i in range(args.per_block):
                sender, to = users[i % len(users)], users[(i + b + 1) % len(users)]
                cmd = COMMANDS.encode(Transfer(to.public_key, 1, "bench"))
                msgs.append(
                    Message(
                        AccountOrigin(sender.public_key),
                        Topic.contract_command(TOKEN),
                        encrypt_command(public, TOKEN, sender.public_key, cmd),
                    )
                )
            blocks.append(chain.add_block(msgs))
        start = time.perf_counter()
        for block in blocks:
            state, _ = feed(state, block)
        elapsed = time.perf_counter() - start
        commands = args.blocks * args.per_block
        print(
            f"confidential commands applied: {commands / elapsed:,.0f}/s "
            f"({commands} commands in {args.blocks} blocks, proofs and finality checked)"
        )

        recipient = X25519Keypair.generate()
        boxes = [seal(recipient.public_key, b"x" * 120, b"aad") for _ in range(2000)]
        start = time.perf_counter()
        for box in boxes:
            open_sealed(recipient, box, b"aad")
        raw = len(boxes) / (time.perf_counter() - start)
        print(
            f"raw X25519 + HKDF + AES-256-GCM box openings: {raw:,.0f}/s "
            f"(core reaches {commands / elapsed / raw:.0%} of it)"
        )

        with tempfile.TemporaryDirectory() as tmp:
            runtime = PRuntime(SimulatedPlatform(Path(tmp) / "machine", b"\x00" * 32), Path(tmp) / "data")
            runtime._state = state  # the benchmark's state, not one fed block by block again
            latencies = []
            total = time.perf_counter()
            for i in range(args.queries):
                user = users[i % len(users)]
                t0 = time.perf_counter()
                signed = make_query(user, TOKEN, QUERIES.encode(Balance()), int(time.time() * 1000))
                box, eph, request_hash = seal_query(state.x25519.public_key, signed)
                answer = runtime.query(box, int(time.time() * 1000))
                open_answer(eph, request_hash, state.identity.public_key, answer)
                latencies.append(time.perf_counter() - t0)
            total = time.perf_counter() - total
        latencies.sort()
        p50 = statistics.median(latencies) * 1000
        p99 = latencies[int(0.99 * (len(latencies) - 1))] * 1000
        print(
            f"query round trip (in process, client work included): p50 {p50:.2f} ms, p99 {p99:.2f} ms, "
            f"{args.queries / total:,.0f} queries/s"
        )


if __name__ == "__main__":
    main()
