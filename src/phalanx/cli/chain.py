"""`phalanx chain`: read the best header and blocks."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from phalanx.cli.common import DEFAULT_RPC, RpcOption, console, run
from phalanx.client.rpc import RpcClient

app = typer.Typer(help="Read headers and blocks.", no_args_is_help=True)


def _header_table(title: str, block_hash: str, header: dict[str, Any], finalized: str | None = None) -> Table:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    table.add_row("number", str(int(header["number"], 16)))
    table.add_row("hash", block_hash)
    table.add_row("parent", header["parentHash"])
    table.add_row("state root", header["stateRoot"])
    table.add_row("extrinsics root", header["extrinsicsRoot"])
    if finalized is not None:
        table.add_row("finalized head", finalized)
    return table


@app.command()
def head(rpc: RpcOption = DEFAULT_RPC) -> None:
    """Show the best block's header and the finalized head."""

    async def main() -> tuple[str, dict[str, Any], str]:
        async with RpcClient.connect(rpc) as client:
            best = await client.request("chain_getBlockHash")
            header = await client.request("chain_getHeader", [best])
            finalized = await client.request("chain_getFinalizedHead")
            return best, header, finalized

    best, header, finalized = run(main())
    console.print(_header_table("best block", best, header, finalized))


@app.command()
def block(
    number: Annotated[int, typer.Argument(help="Block number.", min=0)],
    rpc: RpcOption = DEFAULT_RPC,
) -> None:
    """Show a block: its header, extrinsics and whether it carries a finality proof."""

    async def main() -> tuple[str | None, dict[str, Any] | None]:
        async with RpcClient.connect(rpc) as client:
            block_hash = await client.request("chain_getBlockHash", [number])
            if block_hash is None:
                return None, None
            return block_hash, await client.request("chain_getBlock", [block_hash])

    block_hash, signed = run(main())
    if block_hash is None or signed is None:
        console.print(f"[red]no block #{number}[/red]")
        raise typer.Exit(1)
    console.print(_header_table(f"block #{number}", block_hash, signed["block"]["header"]))
    extrinsics = signed["block"]["extrinsics"]
    proof = "yes" if signed.get("justifications") else "no"
    console.print(f"{len(extrinsics)} extrinsic(s); finality proof: {proof}")
    for index, xt in enumerate(extrinsics):
        console.print(f"  [{index}] {xt[:66]}{'…' if len(xt) > 66 else ''} ({(len(xt) - 2) // 2} bytes)")
