"""`phalanx worker`: run a worker (enclave process + untrusted host) against a node.

The enclave runs as a SIMULATED TEE process (no hardware isolation) unless a real platform backend
is configured. On a dev chain the host account pays the fees of registration and egress; the
development accounts (//Alice, //Bob, ...) are endowed at genesis, so `--account //Bob` works there.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from phalanx.cli.common import DEFAULT_RPC, RpcOption, console, run
from phalanx.client.confidential import ConfidentialClient, WorkerRecord
from phalanx.client.rpc import RpcClient
from phalanx.crypto import Keypair
from phalanx.crypto.errors import CryptoError
from phalanx.primitives.ss58 import ss58_encode
from phalanx.tee.host import WorkerConfig, WorkerHost

worker_app = typer.Typer(help="Run a confidential-contract worker (enclave + host).", no_args_is_help=False)


@worker_app.callback(invoke_without_command=True)
def worker(
    ctx: typer.Context,
    node: Annotated[str, typer.Option("--node", help="websocket URL of the node")] = "ws://127.0.0.1:9944",
    base_path: Annotated[
        Path, typer.Option("--base-path", help="where the sealed state and keys live")
    ] = Path("phalanx-worker"),
    account: Annotated[
        str, typer.Option("--account", help="secret URI of the account that pays fees")
    ] = "//Bob",
    dev_authority: Annotated[
        str, typer.Option("--dev-authority", help="dev authority public key (0x hex, or a secret URI)")
    ] = "//Alice",
    gatekeeper: Annotated[
        bool, typer.Option("--gatekeeper", help="expect governance to register this worker as a gatekeeper")
    ] = False,
    query_port: Annotated[
        int, typer.Option("--query-port", help="HTTP port of the query endpoint (0: any)")
    ] = 0,
    query_host: Annotated[
        str, typer.Option("--query-host", help="address the query endpoint binds")
    ] = "127.0.0.1",
    platform_dir: Annotated[
        Path | None,
        typer.Option("--platform-dir", help="the machine's platform directory (default: BASE_PATH/machine)"),
    ] = None,
    cometbft_rpc: Annotated[
        str,
        typer.Option(
            "--cometbft-rpc",
            help="CometBFT RPC URL of a validator (http://HOST:PORT): follow a CometBFT network, "
            "verifying its commits, instead of a dev chain",
        ),
    ] = "",
) -> None:
    """Start the enclave, register it on chain, follow finalized blocks, serve encrypted queries.

    `phalanx worker list` lists the workers registered on a chain instead."""
    if ctx.invoked_subcommand is not None:
        return
    logging.basicConfig(level=logging.INFO, format="%(name)s %(levelname)s %(message)s")
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
        logging.getLogger("phalanx.worker").info(
            "gatekeeper mode: the worker becomes a gatekeeper once governance calls "
            "Registry.force_register_gatekeeper for its identity"
        )
    config = WorkerConfig(
        node, base_path, payer, authority, query_host, query_port, platform_dir=platform_dir,
        cometbft_rpc=cometbft_rpc,
    )
    base_path.mkdir(parents=True, exist_ok=True)
    asyncio.run(WorkerHost(config).run())


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
