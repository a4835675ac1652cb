"""Commands per second of the private coin contract alone, beside the costs around it.

The enclave will open each command's sealed box, then call `handle_command`; this bench measures
the second part with no crypto, as a baseline for the enclave bench, and puts beside it in the same
run: decoding alone (the codec floor), the sealed-box opening the enclave will add per command, and
the checkpoint costs (snapshot, state hash, restore) at the resulting state size.

The command mix is drawn once from a seeded generator over `--accounts` accounts: 20% deposits
(chain origin), 65% transfers with a short memo, 15% withdrawals; a few are refused (insufficient
balance), as in real traffic. Usage: `python bench/contracts.py [--commands N] [--accounts K]
[--seed S]`.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from phalanx.contracts import ContractContext, ContractError, Origin, execute_command
from phalanx.contracts.token import COMMANDS, Deposit, Token, Transfer, Withdraw
from phalanx.crypto import blake2_256
from phalanx.crypto.box import X25519Keypair, open_sealed, seal

CONTRACT_ID = blake2_256(b"phalanx/contract/builtin/token")
COMMANDS_PER_BLOCK = 100


def build_stream(count: int, accounts: int, seed: int) -> list[tuple[str, Origin, bytes]]:
    rng = random.Random(seed)
    ids = [blake2_256(seed.to_bytes(8, "little") + i.to_bytes(4, "little")) for i in range(accounts)]
    out: list[tuple[str, Origin, bytes]] = []
    for _ in range(count):
        who, other = rng.choice(ids), rng.choice(ids)
        roll = rng.random()
        if roll < 0.20:
            out.append(("deposit", Origin.chain(who), COMMANDS.encode(Deposit(who, rng.randint(1, 10**14)))))
        elif roll < 0.85:
            memo = f"invoice {rng.randint(1, 99_999)}"
            out.append(
                (
                    "transfer",
                    Origin.signed(who),
                    COMMANDS.encode(Transfer(other, rng.randint(1, 10**12), memo)),
                )
            )
        else:
            out.append(("withdraw", Origin.signed(who), COMMANDS.encode(Withdraw(rng.randint(1, 10**12)))))
    return out


def apply_stream(
    token: Token, stream: list[tuple[str, Origin, bytes]]
) -> tuple[float, dict[str, list[float]]]:
    """Apply all commands block by block; returns total seconds and per-kind durations."""
    per_kind: dict[str, list[float]] = {"deposit": [], "transfer": [], "withdraw": [], "refused": []}
    clock = time.perf_counter
    total_start = clock()
    ctx = ContractContext(CONTRACT_ID, 1, 6_000, blake2_256(b"1"))
    for i, (kind, origin, command) in enumerate(stream):
        if i and i % COMMANDS_PER_BLOCK == 0:
            token.on_block_end(ctx)
            ctx.egress.drain()
            number = ctx.block_number + 1
            ctx = ContractContext(
                CONTRACT_ID, number, 6_000 * number, blake2_256(number.to_bytes(8, "little"))
            )
        start = clock()
        try:
            execute_command(token, ctx, origin, command)
        except ContractError:
            per_kind["refused"].append(0.0)
        per_kind[kind].append(clock() - start)
    return clock() - total_start, per_kind


def rate(work: Callable[[], object], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        work()
    return repeat / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commands", type=int, default=50_000)
    parser.add_argument("--accounts", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    stream = build_stream(args.commands, args.accounts, args.seed)
    payloads = [command for _, _, command in stream]

    start = time.perf_counter()
    for data in payloads:
        COMMANDS.decode(data)
    decode_rate = len(payloads) / (time.perf_counter() - start)

    token = Token()
    seconds, per_kind = apply_stream(token, stream)
    apply_rate = len(stream) / seconds

    enclave_key = X25519Keypair.generate()
    sealed = seal(enclave_key.public_key, payloads[0], CONTRACT_ID)
    open_rate = rate(lambda: open_sealed(enclave_key, sealed, CONTRACT_ID), 2_000)

    snapshot = token.snapshot()
    snapshot_rate = rate(token.snapshot, 5)
    hash_rate = rate(token.state_hash, 5)
    restore_rate = rate(lambda: Token().restore(snapshot), 5)

    print(f"token contract: {len(stream):,} commands over {args.accounts:,} accounts, seed {args.seed}")
    print()
    print(f"{'what':<40} {'per second':>14} {'us each':>10}")
    print("-" * 66)
    rows = [
        ("decode a command (codec floor)", decode_rate),
        ("apply a command (decode + logic)", apply_rate),
    ]
    for kind, durations in per_kind.items():
        if durations and kind != "refused":
            rows.append((f"  {kind} ({len(durations):,})", len(durations) / sum(durations)))
    rows.append(("open a sealed box (enclave adds this)", open_rate))
    for name, per_second in rows:
        print(f"{name:<40} {per_second:>14,.0f} {1e6 / per_second:>10.1f}")
    print()
    entries = sum(map(len, token.histories.values()))
    print(f"{len(per_kind['refused']):,} commands refused (insufficient balance)")
    print(f"state: {len(token.balances):,} balances, {entries:,} history entries")
    print(f"snapshot {len(snapshot) / 1024:,.0f} KiB: encode {1e3 / snapshot_rate:.1f} ms, state hash "
          f"{1e3 / hash_rate:.1f} ms, restore {1e3 / restore_rate:.1f} ms")  # fmt: skip
    print()
    print(f"logic over codec floor      {decode_rate / apply_rate:.2f}x the time of decoding alone")
    print(f"with decryption (estimate)  {1 / (1 / apply_rate + 1 / open_rate):,.0f} commands/s")


if __name__ == "__main__":
    main()
