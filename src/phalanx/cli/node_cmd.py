"""`phalanx node`: one validator's application process behind CometBFT (`phalanx.node.cometbft`).

It opens the LMDB store and the runtime from the chain spec in CometBFT's genesis.json (app_state),
serves the runtime to CometBFT over ABCI, and serves the same Substrate JSON-RPC as the dev node.

Prints `abci listening on tcp://HOST:PORT` and `rpc listening on ws://HOST:PORT` once it serves;
`phalanx net up` waits for the first line before it starts cometbft.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path
from typing import Annotated

import typer

from phalanx.cli.common import error_console
from phalanx.errors import PhalanxError
from phalanx.node.cometbft import CometNode


async def _serve(node: CometNode) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, node.stop)
    try:
        await node.start()
        await node.wait_stopped()
    finally:
        await node.close()


def node(
    base_path: Annotated[Path, typer.Option(help="Directory of this validator's LMDB store.")],
    genesis: Annotated[Path, typer.Option(help="CometBFT genesis.json whose app_state is the chain spec.")],
    abci: Annotated[str, typer.Option(help="ABCI listen address for CometBFT's proxy_app.")]
    = "tcp://127.0.0.1:26658",
    rpc_port: Annotated[int, typer.Option(help="Substrate JSON-RPC port (websocket and HTTP).")] = 9944,
    rpc_external: Annotated[bool, typer.Option("--rpc-external", help="Listen on all interfaces.")] = False,
    cometbft_rpc: Annotated[str, typer.Option(help="CometBFT RPC URL, for broadcasting extrinsics.")]
    = "http://127.0.0.1:26657",
    log_level: Annotated[str, typer.Option(help="Log level: debug, info, warning, error.")] = "info",
) -> None:
    """Run one validator's application: the runtime behind CometBFT (ABCI) plus Substrate JSON-RPC.

    Start it before its cometbft process (`phalanx net up` does both). Restarted on the same --base-path it reports its last committed block and CometBFT replays the rest.
    """  # noqa: E501
    logging.basicConfig(level=getattr(logging, log_level.upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    service = CometNode(base_path, genesis, abci, "0.0.0.0" if rpc_external else "127.0.0.1", rpc_port,
                        cometbft_rpc)
    try:
        asyncio.run(_serve(service))
    except PhalanxError as error:
        error_console.print(f"[red]error:[/red] {error.message}")
        raise typer.Exit(1) from None
    except OSError as error:
        error_console.print(f"[red]error:[/red] cannot listen: {error}")
        raise typer.Exit(1) from None


if __name__ == "__main__":
    typer.run(node)
