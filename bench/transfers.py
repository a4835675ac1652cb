"""Finalized balance transfers per second on a `phalanx dev` node, beside sr25519 verifications per second.

    python bench/transfers.py [--accounts 200] [--per-account 25] [--block-time 1.0 | --instant-seal]
                              [--profile]

Endows `--accounts` fresh accounts in a custom genesis (carved out of the developers' share, the
total supply unchanged), pre-signs `--per-account` transfers from each, starts a dev node, submits
everything over one websocket in JSON-RPC batches, and counts transfers in finalized blocks until
all are in. The ceiling of a chain that verifies each signature once is the machine's sr25519
verifications per second, measured in the same run; the ratio says how close the node comes.
`--profile` runs the node under cProfile and prints the functions where the time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import pstats
import tempfile
import time
from pathlib import Path

from _common import (
    bench_accounts,
    measure_verifications,
    run_load,
    sign_transfers,
    start_node,
    stop_node,
    write_spec,
)
from phalanx.runtime.modules.balances.declarations import PHA


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--per-account", type=int, default=25)
    parser.add_argument("--block-time", type=float, default=1.0)
    parser.add_argument("--instant-seal", action="store_true")
    parser.add_argument("--profile", action="store_true", help="run the node under cProfile, print the top")
    args = parser.parse_args()

    verify_rate = measure_verifications()
    print(f"sr25519 verifications: {verify_rate:,.0f}/s (one core)")
    accounts = bench_accounts(args.accounts)
    with tempfile.TemporaryDirectory(prefix="phalanx-bench-") as tmp:
        spec_path = Path(tmp) / "spec.json"
        write_spec(spec_path, accounts, 10_000 * PHA)
        profile_out = Path(tmp) / "node.prof" if args.profile else None
        options = ["--instant-seal"] if args.instant_seal else ["--block-time", str(args.block_time)]
        process, url, genesis = start_node(spec_path, options, profile_out)
        try:
            signing_start = time.perf_counter()
            extrinsics = sign_transfers(accounts, args.per_account, genesis)
            print(f"pre-signed {len(extrinsics):,} transfers in {time.perf_counter() - signing_start:.1f} s")
            elapsed, finalized, blocks = asyncio.run(run_load(url, extrinsics))
        finally:
            stop_node(process)
        tps = finalized / elapsed
        mode = "instant seal" if args.instant_seal else f"{args.block_time} s blocks"
        print(f"finalized transfers: {finalized:,} in {elapsed:.2f} s over {blocks} blocks ({mode})")
        print(f"throughput: {tps:,.0f} finalized transfers/s")
        print(f"ratio to sr25519 verifications/s: {tps / verify_rate:.3f}")
        if profile_out is not None and profile_out.exists():
            print("\nnode profile (own time, top 25):")
            pstats.Stats(str(profile_out)).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
