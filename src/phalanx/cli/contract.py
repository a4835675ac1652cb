"""`phalanx contract`: list the confidential contracts deployed on the chain, their keys and workers."""

from __future__ import annotations

import typer
from rich.table import Table

from phalanx.cli.common import DEFAULT_RPC, RpcOption, console, run
from phalanx.client.confidential import ConfidentialClient, ContractRecord
from phalanx.client.rpc import RpcClient
from phalanx.primitives.ss58 import ss58_encode

contract_app = typer.Typer(help="Confidential contracts on the chain.", no_args_is_help=True)


@contract_app.command("list")
def list_contracts(rpc: RpcOption = DEFAULT_RPC) -> None:
    """List deployed contracts: id, name, public account, key, assigned workers, commands so far."""

    async def main() -> list[ContractRecord]:
        async with RpcClient.connect(rpc) as client, ConfidentialClient(client) as confidential:
            return await confidential.get_contracts()

    contracts = run(main())
    table = Table(title="contracts", title_justify="left")
    for column in ("name", "id", "account", "key", "workers", "commands"):
        table.add_column(column, overflow="fold")
    for c in contracts:
        key = "not published" if c.public_key is None else f"gen {c.key_generation} 0x{c.public_key.hex()}"
        workers = "\n".join("0x" + w.hex() for w in c.workers) or "none"
        table.add_row(c.builtin, "0x" + c.contract_id.hex(), ss58_encode(c.account), key, workers,
                      str(c.commands))  # fmt: skip
    console.print(table)
    if not contracts:
        console.print("no contracts deployed")
