"""`phalanx dev`: run the one-process development chain."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path
from typing import Annotated

import typer

from phalanx.cli.common import error_console
from phalanx.errors import PhalanxError
from phalanx.node.config import DEFAULT_BASE_PATH, DEFAULT_RPC_PORT, DevConfig
from phalanx.node.service import DevNode


async def _serve(config: DevConfig) -> None:
    node = DevNode(config)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, node.stop)
    try:
        await node.start()
        backend = node.backend
        genesis = "0x" + backend.genesis_hash.hex() if backend is not None else ""
        print(f"phalanx dev ready: rpc={node.rpc_url} genesis={genesis}", flush=True)
        await node.wait_stopped()
    finally:
        await node.close()


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
) -> None:
    """Run a development chain in this process: seals blocks, finalizes them at once, serves JSON-RPC.

    Prints one line `phalanx dev ready: rpc=ws://HOST:PORT genesis=0x...` when it serves.

    Stops cleanly on Ctrl-C or SIGTERM; restarted on the same --base-path it continues where it stopped.
    """
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
    try:
        asyncio.run(_serve(config))
    except PhalanxError as error:
        error_console.print(f"[red]error:[/red] {error.message}")
        raise typer.Exit(1) from None
    except OSError as error:
        error_console.print(f"[red]error:[/red] cannot serve JSON-RPC: {error}")
        raise typer.Exit(1) from None
