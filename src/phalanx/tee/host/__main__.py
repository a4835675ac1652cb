"""Run one worker (SIMULATED enclave process + host) against a node: `python -m phalanx.tee.host`.

Prints one line `phalanx worker ready: identity=0x... encryption=0x... query=URL block=N` once the
enclave follows the chain and its registration is submitted (or already current), then logs to
stderr. SIGTERM or SIGINT stops it cleanly (the enclave seals its state). This is the process that
`phalanx worker` and development networks start.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from phalanx.crypto import Keypair
from phalanx.errors import PhalanxError
from phalanx.tee.host.worker import WorkerConfig, WorkerHost

READY_PREFIX = "phalanx worker ready:"


def _public_key(text: str) -> bytes:
    return bytes.fromhex(text[2:]) if text.startswith("0x") else Keypair.from_suri(text).public_key


def parse_config(argv: list[str] | None = None) -> tuple[WorkerConfig, str]:
    """The worker's configuration and the log level from the command line."""
    parser = argparse.ArgumentParser(prog="python -m phalanx.tee.host", description=__doc__)
    parser.add_argument("--node", default="ws://127.0.0.1:9944", help="websocket URL of the node")
    parser.add_argument("--base-path", type=Path, required=True, help="the worker's sealed state and outbox")
    parser.add_argument(
        "--platform-dir",
        type=Path,
        default=None,
        help="the machine's platform directory (default: BASE_PATH/machine)",
    )
    parser.add_argument("--account", default="//Bob", help="secret URI of the account that pays fees")
    parser.add_argument(
        "--dev-authority", default="//Alice", help="dev authority public key (0x hex) or secret URI"
    )
    parser.add_argument(
        "--cometbft-rpc",
        default="",
        help="CometBFT RPC URL of the validator behind --node: follow CometBFT finality (default: dev node)",
    )
    parser.add_argument("--query-host", default="127.0.0.1")
    parser.add_argument("--query-port", type=int, default=0, help="0: any free port")
    parser.add_argument("--checkpoint-interval", type=int, default=16, help="seal the state every N blocks")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"],
                        help="log level of the host's lines on stderr")  # fmt: skip
    args = parser.parse_args(argv)
    config = WorkerConfig(
        node_url=args.node,
        base_path=args.base_path,
        account=Keypair.from_suri(args.account),
        dev_authority=_public_key(args.dev_authority),
        query_host=args.query_host,
        query_port=args.query_port,
        checkpoint_interval=args.checkpoint_interval,
        platform_dir=args.platform_dir,
        cometbft_rpc=args.cometbft_rpc,
    )
    return config, str(args.log_level).upper()


async def serve(config: WorkerConfig) -> None:
    """Run the worker until SIGTERM/SIGINT; print the ready line once."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    config.base_path.mkdir(parents=True, exist_ok=True)
    host = WorkerHost(config)
    task = asyncio.create_task(host.run(stop))
    ready = asyncio.create_task(host.ready.wait())
    await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
    if host.ready.is_set() and host.status is not None:
        status = host.status
        print(f"{READY_PREFIX} identity=0x{status.identity_public.hex()} "
              f"encryption=0x{status.encryption_public.hex()} query={host.query_url} "
              f"block={status.block_number}", flush=True)  # fmt: skip
    ready.cancel()
    await task


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(name)s %(levelname)s %(message)s")
    try:
        config, level = parse_config(argv)
        logging.getLogger().setLevel(level)
        asyncio.run(serve(config))
    except PhalanxError as exc:
        logging.getLogger("phalanx.worker").error(
            "worker stopped: %s:%d %s", exc.module, exc.code, exc.message
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
