"""Per-block cost of the state commitment on a small and a large state, side by side.

Builds a state of N keys (in batches), then commits blocks that each change K keys (mostly
updates of existing accounts, some new ones, as transfers do) and reports the median time to
compute the new root and to commit the block (one synced LMDB transaction), for N = 10k and
N = 1M (`--quick`: 100k). The ratio between the two sizes shows that the cost follows the keys
changed and the trie depth, not the size of the state. Raw blake2b-256 hashes/s are measured in
the same run for context.

    python bench/state_commitment.py [--quick] [--changes 2000] [--blocks 5]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from hashlib import blake2b

from phalanx.storage import Database

PREFIX = bytes(range(32))  # stands in for twox128("System") ++ twox128("Account")


def account_key(rng: random.Random) -> bytes:
    account = rng.randbytes(32)
    return PREFIX + blake2b(account, digest_size=16).digest() + account


def hashes_per_second(seconds: float = 1.0) -> float:
    data = bytes(65)
    count = 0
    start = time.perf_counter()
    while True:
        for _ in range(10_000):
            blake2b(data, digest_size=32).digest()
        count += 10_000
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


def build_state(db: Database, size: int, batch: int, rng: random.Random) -> list[bytes]:
    keys: list[bytes] = []
    root = db.state_root
    while len(keys) < size:
        chunk = [account_key(rng) for _ in range(min(batch, size - len(keys)))]
        with db.write() as w:
            root = w.apply_state({key: rng.randbytes(80) for key in chunk}, root)
        keys.extend(chunk)
    return keys


def measure(size: int, changes: int, blocks: int, batch: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    with Database.temporary() as db:
        start = time.perf_counter()
        keys = build_state(db, size, batch, rng)
        build_s = time.perf_counter() - start
        compute: list[float] = []
        commit: list[float] = []
        nodes: list[int] = []
        for _ in range(blocks):
            new = changes // 10
            block = {key: rng.randbytes(80) for key in rng.sample(keys, changes - new)}
            fresh = [account_key(rng) for _ in range(new)]
            block.update({key: rng.randbytes(80) for key in fresh})
            keys.extend(fresh)
            t0 = time.perf_counter()
            update = db.compute_root(db.state_root, block)
            t1 = time.perf_counter()
            with db.write() as w:
                w.apply_update(update)
            t2 = time.perf_counter()
            compute.append(t1 - t0)
            commit.append(t2 - t1)
            nodes.append(len(update.nodes))
    return {
        "size": size,
        "build_s": build_s,
        "compute_ms": statistics.median(compute) * 1e3,
        "commit_ms": statistics.median(commit) * 1e3,
        "nodes": statistics.median(nodes),
        "depth": math.log2(size),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="large state of 100k keys instead of 1M")
    parser.add_argument("--small", type=int, default=10_000, help="keys in the small state")
    parser.add_argument("--large", type=int, default=0, help="keys in the large state (default 1M)")
    parser.add_argument("--changes", type=int, default=2_000, help="keys changed per block")
    parser.add_argument("--blocks", type=int, default=5, help="blocks measured per state size")
    parser.add_argument("--batch", type=int, default=100_000, help="keys per batch when building")
    args = parser.parse_args()
    large = args.large or (100_000 if args.quick else 1_000_000)

    hps = hashes_per_second()
    rows = [
        measure(size, args.changes, args.blocks, args.batch, seed)
        for seed, size in enumerate((args.small, large))
    ]

    print(f"blake2b-256 of 65 bytes: {hps:,.0f} hashes/s ({1e6 / hps:.2f} us each)")
    print(f"blocks changing {args.changes} keys (90% updates, 10% new); median of {args.blocks} blocks")
    print()
    header = (
        f"{'state keys':>11} {'log2 N':>7} {'build s':>8} {'root ms':>8} {'commit ms':>10} "
        f"{'total ms':>9} {'nodes':>7} {'us/key':>7} {'us/node':>8}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        total = row["compute_ms"] + row["commit_ms"]
        print(
            f"{int(row['size']):>11,} {row['depth']:>7.1f} {row['build_s']:>8.1f} {row['compute_ms']:>8.1f} "
            f"{row['commit_ms']:>10.1f} {total:>9.1f} {int(row['nodes']):>7,} "
            f"{total * 1e3 / args.changes:>7.1f} {total * 1e3 / row['nodes']:>8.2f}"
        )
    small, big = rows
    size_ratio = big["size"] / small["size"]
    time_ratio = (big["compute_ms"] + big["commit_ms"]) / (small["compute_ms"] + small["commit_ms"])
    print()
    print(f"state size ratio  {size_ratio:,.0f}x")
    print(f"block time ratio  {time_ratio:.2f}x (root {big['compute_ms'] / small['compute_ms']:.2f}x)")
    print(f"nodes ratio       {big['nodes'] / small['nodes']:.2f}x (changed keys x depth below shared top)")
    print(f"depth ratio       {big['depth'] / small['depth']:.2f}x")


if __name__ == "__main__":
    main()
