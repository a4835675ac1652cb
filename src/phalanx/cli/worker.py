"""`phalanx worker`: run a worker (enclave process + untrusted host) against a node.

The enclave runs as a SIMULATED TEE process (no hardware isolation) unless a real platform backend
is configured. On a dev chain the host account pays the fees of registration and egress; the
development accounts (//Alice, //Bob, ...) are endowed at genesis, so `--account //Bob` works there.

This is the one worker command line: `phalanx dev` and the tests start workers as
`python -m phalanx.cli.main worker ...`. Once the enclave follows the chain and its registration is
submitted (or already current) it prints one line on stdout,
`phalanx worker ready: identity=0x... encryption=0x... query=URL block=N`, then logs to stderr.
SIGTERM or SIGINT stops it cleanly (the enclave seals its state).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from phalanx.cli.common import DEFAULT_RPC, RpcOption, console, run
from phalanx.client.confidential import ConfidentialClient, WorkerRecord
from phalanx.client.rpc import RpcClient
from phalanx.crypto import Keypair
from phalanx.crypto.errors import CryptoError
from phalanx.errors import PhalanxError
from phalanx.primitives.ss58 import ss58_encode
from phalanx.tee.host import WorkerConfig, WorkerHost

READY_PREFIX = "phalanx worker ready:"

log = logging.getLogger("phalanx.worker")

worker_app = typer.Typer(no_args_is_help=False)


class LogLevel(StrEnum):
    """The log levels a worker accepts for its lines on stderr."""

    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


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


@worker_app.callback(invoke_without_command=True)
def worker(
    ctx: typer.Context,
    node: Annotated[str, typer.Option("--node", help="Websocket URL of the node.")] = "ws://127.0.0.1:9944",
    base_path: Annotated[
        Path, typer.Option("--base-path", help="Where the sealed state, keys and outbox live.")
    ] = Path("phalanx-worker"),
    account: Annotated[
        str, typer.Option("--account", help="Secret URI of the account that pays fees.")
    ] = "//Bob",
    dev_authority: Annotated[
        str, typer.Option("--dev-authority", help="Dev authority public key (0x hex, or a secret URI).")
    ] = "//Alice",
    gatekeeper: Annotated[
        bool, typer.Option("--gatekeeper", help="Expect governance to register this worker as a gatekeeper.")
    ] = False,
    query_port: Annotated[
        int, typer.Option("--query-port", help="HTTP port of the query endpoint (0: any free port).")
    ] = 0,
    query_host: Annotated[
        str, typer.Option("--query-host", help="Address the query endpoint binds.")
    ] = "127.0.0.1",
    platform_dir: Annotated[
        Path | None,
        typer.Option("--platform-dir", help="The machine's platform directory (default: BASE_PATH/machine)."),
    ] = None,
    cometbft_rpc: Annotated[
        str,
        typer.Option(
            "--cometbft-rpc",
            help="CometBFT RPC URL of the validator behind --node (http://HOST:PORT): follow a CometBFT "
            "network, verifying its commits, instead of a dev chain.",
        ),
    ] = "",
    checkpoint_interval: Annotated[
        int, typer.Option("--checkpoint-interval", help="Seal the enclave state every N blocks.")
    ] = 16,
    log_level: Annotated[
        LogLevel, typer.Option("--log-level", help="Log level of the host's lines on stderr.")
    ] = LogLevel.INFO,
) -> None:
    """Run a confidential-contract worker (enclave + host): start the enclave, register it on chain, follow finalized blocks, serve encrypted queries.

    Prints `phalanx worker ready: identity=0x... encryption=0x... query=URL block=N` once it follows the chain; stops cleanly on Ctrl-C or SIGTERM. `phalanx worker list` lists the workers registered on a chain instead.
    """  # noqa: E501
    if ctx.invoked_subcommand is not None:
        return
    logging.basicConfig(stream=sys.stderr, level=log_level.value.upper(),
                        format="%(name)s %(levelname)s %(message)s")  # fmt: skip
    try:
        payer = Keypair.from_suri(account)
        authority = (
            bytes.fromhex(dev_authority[2:])
            if dev_authority.startswith("0x")
            else Keypair.from_suri(dev_authority).public_key
        )
    except (CryptoError, ValueError) as exc:
        raise typer.BadParameter(f"bad key: {exc}") from None
    if gatekeeper:
        log.info(
            "gatekeeper mode: the worker becomes a gatekeeper once governance calls "
            "Registry.force_register_gatekeeper for its identity"
        )
    config = WorkerConfig(
        node, base_path, payer, authority, query_host, query_port,
        checkpoint_interval=checkpoint_interval, platform_dir=platform_dir, cometbft_rpc=cometbft_rpc,
    )  # fmt: skip
    try:
        asyncio.run(serve(config))
    except PhalanxError as exc:
        log.error("worker stopped: %s:%d %s", exc.module, exc.code, exc.message)
        raise typer.Exit(1) from None


@worker_app.command("list")
def list_workers(rpc: RpcOption = DEFAULT_RPC) -> None:
    """List registered workers: identity, role, attestation, query endpoint, host account."""

    async def main() -> list[WorkerRecord]:
        async with RpcClient.connect(rpc) as client, ConfidentialClient(client) as confidential:
            return await confidential.get_workers()

    workers = run(main())
    table = Table(title="workers", title_justify="left")
    for column in ("identity", "role", "attestation", "endpoint", "host", "since"):
        table.add_column(column, overflow="fold")
    for w in workers:
        role = "gatekeeper" if w.is_gatekeeper else "worker"
        attestation = f"{w.provider} (confidence {w.confidence_level})"
        table.add_row("0x" + w.identity.hex(), role, attestation, w.endpoint, ss58_encode(w.host),
                      f"#{w.registered_at}")  # fmt: skip
    console.print(table)
    if not workers:
        console.print("no workers registered")
