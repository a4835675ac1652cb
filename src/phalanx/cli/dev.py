"""`phalanx dev`: run the development chain, with a gatekeeper and two workers beside it by default.

The chain runs in this process; each gatekeeper and worker runs as its own processes (host + enclave,
SIMULATED TEE) supervised by `phalanx.localnet.dev`."""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from phalanx.cli.common import error_console
from phalanx.errors import PhalanxError
from phalanx.localnet.dev import Devnet, DevnetConfig, serve_dev_network
from phalanx.node.config import DEFAULT_BASE_PATH, DEFAULT_RPC_PORT, DevConfig


def dev(
    base_path: Annotated[
        Path, typer.Option(help="Directory of the chain's LMDB store; reused on restart.")
    ] = DEFAULT_BASE_PATH,
    tmp: Annotated[bool, typer.Option("--tmp", help="Use a throwaway store, removed at exit.")] = False,
    rpc_port: Annotated[int, typer.Option(help="JSON-RPC port (websocket and HTTP); 0 picks a free one.")]
    = DEFAULT_RPC_PORT,
    rpc_external: Annotated[
        bool, typer.Option("--rpc-external", help="Listen on all interfaces, not only 127.0.0.1.")] = False,
    block_time: Annotated[float, typer.Option(help="Seconds between blocks.")] = 1.0,
    instant_seal: Annotated[
        bool, typer.Option("--instant-seal", help="Seal a block as soon as transactions are ready.")] = False,
    authority: Annotated[str, typer.Option(help="Secret URI of the dev authority that signs every block.")]
    = "//Alice",
    chain_spec: Annotated[
        Path | None, typer.Option(help="Chain spec JSON (genesis balances, keys); default: the dev spec.")
    ] = None,
    log_level: Annotated[str, typer.Option(help="Log level: debug, info, warning, error.")] = "warning",
    gatekeepers: Annotated[int, typer.Option(help="Gatekeeper processes to run beside the chain (0: none).")]
    = 1,
    workers: Annotated[int, typer.Option(help="Worker processes to run beside the chain (0: none).")] = 2,
) -> None:
    """Run a development chain in this process: seals blocks, finalizes them at once, serves JSON-RPC.

    Beside the chain it runs --gatekeepers gatekeepers and --workers workers, each as its own host and enclave processes (SIMULATED TEE: no hardware isolation) under BASE/workers, and waits until the token contract's key is on the workers. Then it writes BASE/dev.json (RPC URL; per worker its process id and query endpoint) and prints one line `phalanx dev ready: rpc=ws://HOST:PORT genesis=0x...`.

    Stops everything it started on Ctrl-C or SIGTERM; restarted on the same --base-path it continues where it stopped (the workers from their sealed state).
    """  # noqa: E501
    logging.basicConfig(level=getattr(logging, log_level.upper(), logging.WARNING),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = DevConfig(
        base_path=None if tmp else base_path,
        rpc_host="0.0.0.0" if rpc_external else "127.0.0.1",
        rpc_port=rpc_port,
        block_time=block_time,
        instant_seal=instant_seal,
        authority_suri=authority,
        chain_spec=chain_spec,
    )
    temporary = Path(tempfile.mkdtemp(prefix="phalanx-dev-")) if tmp else None
    devnet = Devnet(DevnetConfig(temporary or base_path, gatekeepers, workers, authority_suri=authority))
    try:
        asyncio.run(serve_dev_network(config, devnet))
    except PhalanxError as error:
        error_console.print(f"[red]error:[/red] {error.message}")
        raise typer.Exit(1) from None
    except OSError as error:
        error_console.print(f"[red]error:[/red] cannot serve JSON-RPC: {error}")
        raise typer.Exit(1) from None
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
