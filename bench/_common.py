"""What the transfer benchmarks share: bench accounts and their genesis, a dev node, pre-signed
transfers, the load runner that follows them to finality, and the sr25519 ceiling they are measured against.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import sr25519

from phalanx.client.chain import compose_call
from phalanx.client.tx import ChainContext, compose_signed_extrinsic
from phalanx.crypto.hashing import blake2_256
from phalanx.crypto.keys import Keypair
from phalanx.primitives.ss58 import parse_account, ss58_encode
from phalanx.runtime.chain_spec import ChainSpec, allocation_account
from phalanx.runtime.modules.balances.declarations import PHA

READY = re.compile(r"phalanx dev ready: rpc=(ws://\S+) genesis=0x([0-9a-f]{64})")
BATCH = 250  # extrinsics per JSON-RPC batch in `run_load`


def bench_accounts(count: int) -> list[Keypair]:
    """`count` fresh accounts, the same in every run."""
    seeds = (blake2_256(b"phalanx bench account" + i.to_bytes(4, "little")) for i in range(count))
    return [Keypair.from_seed(seed) for seed in seeds]


def write_spec(path: Path, accounts: list[Keypair], endowment: int) -> None:
    """The development chain spec with `accounts` endowed out of the developers' share."""
    spec = ChainSpec.development().to_json()
    balances = spec["genesis"]["balances"]
    devc = allocation_account(b"phx/devc")
    for entry in balances:
        if parse_account(entry[0]) == devc:
            entry[1] = int(entry[1]) - endowment * len(accounts)
    balances.extend([ss58_encode(pair.public_key), endowment] for pair in accounts)
    path.write_text(json.dumps(spec))


def measure_verifications(seconds: float = 2.0) -> float:
    """sr25519 verifications per second on one core."""
    pair = Keypair.from_suri("//Alice")
    messages = [blake2_256(i.to_bytes(4, "little")) * 4 for i in range(256)]
    signed = [(pair.sign(m), m) for m in messages]
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for signature, message in signed:
            sr25519.verify(signature, message, pair.public_key)
        done += len(signed)
    return done / (time.perf_counter() - start)


def start_node(spec: Path, options: list[str],
               profile_out: Path | None) -> tuple[subprocess.Popen[str], str, bytes]:
    """Start `phalanx dev` without workers; returns (process, websocket URL, genesis hash) when ready."""
    command = [sys.executable]
    if profile_out is not None:
        command += ["-m", "cProfile", "-o", str(profile_out)]
    command += ["-m", "phalanx.cli.main", "dev", "--tmp", "--rpc-port", "0", "--chain-spec", str(spec)]
    command += ["--gatekeepers", "0", "--workers", "0"]
    command += options
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert process.stdout is not None
    deadline = time.monotonic() + 120
    for line in process.stdout:
        match = READY.search(line)
        if match:
            return process, match[1], bytes.fromhex(match[2])
        if time.monotonic() > deadline:
            break
    process.kill()
    raise SystemExit("the dev node did not become ready")


def stop_node(process: subprocess.Popen[str]) -> None:
    """Stop the node as Ctrl-C would; kill it if it has not exited within two minutes."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()


def sign_transfers(accounts: list[Keypair], per_account: int, genesis: bytes) -> list[bytes]:
    """`per_account` transfers to //Ferdie from each account, round-robin over senders so that every
    block holds transfers from many of them."""
    chain = ChainContext(genesis, 1, 1)
    dest = Keypair.from_suri("//Ferdie").public_key
    return [compose_signed_extrinsic(pair, transfer_call(dest, PHA + nonce), nonce, chain)
            for nonce in range(per_account) for pair in accounts]


def transfer_call(dest: bytes, amount: int) -> bytes:
    return compose_call("Balances", "transfer_keep_alive", dest=("Id", dest), value=amount)


async def run_load(url: str, extrinsics: list[bytes]) -> tuple[float, int, int]:
    """Submit everything in batches; return (seconds to the last finalized transfer, transfers, blocks)."""
    wanted = {"0x" + xt.hex() for xt in extrinsics}
    async with aiohttp.ClientSession() as session, session.ws_connect(url, max_msg_size=0) as ws:
        ids = iter(range(1, 1 << 62))

        async def send(method: str, params: list[Any]) -> int:
            request_id = next(ids)
            await ws.send_json({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
            return request_id

        await send("chain_subscribeFinalizedHeads", [])
        submissions: set[int] = set()
        hash_requests: set[int] = set()
        block_requests: set[int] = set()
        finalized = blocks = refused = 0
        start = time.perf_counter()
        for offset in range(0, len(extrinsics), BATCH):
            batch = []
            for xt in extrinsics[offset:offset + BATCH]:
                request_id = next(ids)
                submissions.add(request_id)
                batch.append({"jsonrpc": "2.0", "id": request_id, "method": "author_submitExtrinsic",
                              "params": ["0x" + xt.hex()]})
            await ws.send_str(json.dumps(batch))
        while finalized + refused < len(wanted):
            message = json.loads((await ws.receive(timeout=300)).data)
            for item in message if isinstance(message, list) else [message]:
                request_id = item.get("id")
                if request_id in submissions:
                    submissions.discard(request_id)
                    refused += "error" in item
                elif item.get("method") == "chain_finalizedHead":
                    number = int(item["params"]["result"]["number"], 16)
                    hash_requests.add(await send("chain_getBlockHash", [number]))
                elif request_id in hash_requests:
                    hash_requests.discard(request_id)
                    block_requests.add(await send("chain_getBlock", [item["result"]]))
                elif request_id in block_requests:
                    block_requests.discard(request_id)
                    included = sum(1 for xt in item["result"]["block"]["extrinsics"] if xt in wanted)
                    finalized += included
                    blocks += 1 if included else 0
        elapsed = time.perf_counter() - start
        if refused:
            print(f"warning: {refused} submissions were refused")
        return elapsed, finalized, blocks
