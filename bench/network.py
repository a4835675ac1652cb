"""Finalized transfers per second and finality latency on four CometBFT validators, beside the dev engine.

    python bench/network.py [--validators 4] [--accounts 100] [--per-account 10]
                            [--timeout-commit 200ms] [--skip-dev]

Starts a local network (`phalanx net up` machinery) whose genesis endows `--accounts` fresh accounts,
pre-signs `--per-account` transfers from each, submits them round-robin to the validators' Substrate
RPC, and follows finalized heads on one validator until every transfer is in. Reports finalized
transfers/s and the latency from submission to finality (p50, p99). In the same run: the dev
engine's figure for the same load (bench/transfers.py) and raw sr25519 verifications per second,
the ceiling of any chain that checks each signature once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from _common import (
    bench_accounts,
    measure_verifications,
    run_load,
    sign_transfers,
    start_node,
    stop_node,
    write_spec,
)
from phalanx.crypto.keys import Keypair
from phalanx.localnet.cometbft import rpc
from phalanx.localnet.cometbft.network import (
    NetworkInfo,
    NetworkOptions,
    create_network,
    start_network,
    stop_network,
)
from phalanx.runtime.modules.balances.declarations import PHA

BATCH = 100


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run_network_load(info: NetworkInfo, extrinsics: list[bytes]) -> tuple[float, list[float], int]:
    """Submit round-robin; returns (seconds to the last finalized transfer, latencies, blocks used)."""
    submitted: dict[str, float] = {}
    latencies: list[float] = []
    blocks = 0
    urls = [node.substrate_rpc_url for node in info.validators]
    async with aiohttp.ClientSession() as session:
        watch = await session.ws_connect(urls[0], max_msg_size=0)
        senders = [await session.ws_connect(url, max_msg_size=0) for url in urls]
        ids = iter(range(1, 1 << 62))

        async def send(ws: aiohttp.ClientWebSocketResponse, method: str, params: list[Any]) -> int:
            request_id = next(ids)
            await ws.send_json({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
            return request_id

        await send(watch, "chain_subscribeFinalizedHeads", [])
        start = time.perf_counter()

        async def submit_all() -> None:
            for offset in range(0, len(extrinsics), BATCH):
                ws = senders[(offset // BATCH) % len(senders)]
                batch = []
                for xt in extrinsics[offset:offset + BATCH]:
                    text = "0x" + xt.hex()
                    submitted[text] = time.perf_counter()
                    batch.append({"jsonrpc": "2.0", "id": next(ids), "method": "author_submitExtrinsic",
                                  "params": [text]})
                await ws.send_str(json.dumps(batch))
                await asyncio.sleep(0)

        async def drain(ws: aiohttp.ClientWebSocketResponse) -> None:
            refused = 0
            async for message in ws:
                for item in (lambda m: m if isinstance(m, list) else [m])(json.loads(message.data)):
                    if "error" in item:
                        refused += 1
                        if refused == 1:
                            print(f"warning: a submission was refused: {item['error']}")

        submitter = asyncio.create_task(submit_all())
        drains = [asyncio.create_task(drain(ws)) for ws in senders]
        hash_requests: set[int] = set()
        block_requests: set[int] = set()
        found = 0
        while found < len(extrinsics):
            message = json.loads((await watch.receive(timeout=600)).data)
            request_id = message.get("id")
            if message.get("method") == "chain_finalizedHead":
                number = int(message["params"]["result"]["number"], 16)
                hash_requests.add(await send(watch, "chain_getBlockHash", [number]))
            elif request_id in hash_requests:
                hash_requests.discard(request_id)
                block_requests.add(await send(watch, "chain_getBlock", [message["result"]]))
            elif request_id in block_requests:
                block_requests.discard(request_id)
                now = time.perf_counter()
                included = [xt for xt in message["result"]["block"]["extrinsics"] if xt in submitted]
                for xt in included:
                    latencies.append(now - submitted.pop(xt))
                found += len(included)
                blocks += 1 if included else 0
        elapsed = time.perf_counter() - start
        await submitter
        for task in drains:
            task.cancel()
        for ws in [watch, *senders]:
            await ws.close()
    return elapsed, latencies, blocks


def bench_network(args: argparse.Namespace, spec_path: Path, accounts: list[Keypair], base: Path) -> None:
    app_state = json.loads(spec_path.read_text())
    info = create_network(base, args.validators, app="runtime", chain_id="phalanx-bench", app_state=app_state,
                          options=NetworkOptions(timeout_commit=args.timeout_commit))
    try:
        info = start_network(info)
        genesis_hex = rpc.call(info.validators[0].substrate_http_url, "chain_getBlockHash", [0])
        genesis = bytes.fromhex(genesis_hex[2:])
        extrinsics = sign_transfers(accounts, args.per_account, genesis)
        elapsed, latencies, blocks = asyncio.run(run_network_load(info, extrinsics))
    finally:
        stop_network(base)
    print(f"network: {len(latencies):,} transfers finalized in {elapsed:.2f} s over {blocks} blocks "
          f"({args.validators} validators, timeout_commit {args.timeout_commit})")
    print(f"network throughput: {len(latencies) / elapsed:,.0f} finalized transfers/s")
    print(f"finality latency from submission: p50 {percentile(latencies, 0.50) * 1000:,.0f} ms, "
          f"p99 {percentile(latencies, 0.99) * 1000:,.0f} ms")


def bench_dev(args: argparse.Namespace, spec_path: Path, accounts: list[Keypair]) -> None:
    process, url, genesis = start_node(spec_path, ["--block-time", "1.0"], None)
    try:
        extrinsics = sign_transfers(accounts, args.per_account, genesis)
        elapsed, finalized, blocks = asyncio.run(run_load(url, extrinsics))
    finally:
        stop_node(process)
    print(f"dev engine: {finalized:,} transfers finalized in {elapsed:.2f} s over {blocks} blocks "
          "(1 s blocks)")
    print(f"dev engine throughput: {finalized / elapsed:,.0f} finalized transfers/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--validators", type=int, default=4)
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--per-account", type=int, default=10)
    parser.add_argument("--timeout-commit", default="200ms")
    parser.add_argument("--skip-dev", action="store_true", help="do not measure the dev engine")
    args = parser.parse_args()

    verify_rate = measure_verifications()
    print(f"sr25519 verifications: {verify_rate:,.0f}/s (one core)")
    accounts = bench_accounts(args.accounts)
    with tempfile.TemporaryDirectory(prefix="phalanx-net-bench-") as tmp:
        spec_path = Path(tmp) / "spec.json"
        write_spec(spec_path, accounts, 10_000 * PHA)
        bench_network(args, spec_path, accounts, Path(tmp) / "net")
        if not args.skip_dev:
            bench_dev(args, spec_path, accounts)


if __name__ == "__main__":
    main()
