"""The `phalanx` command line: `phalanx --help` lists everything."""

from __future__ import annotations

import typer

from phalanx.cli import account, chain
from phalanx.cli.contract import contract_app
from phalanx.cli.dev import dev
from phalanx.cli.net import net_app
from phalanx.cli.node_cmd import node
from phalanx.cli.staking import gov_app, staking_app, treasury_app
from phalanx.cli.token import token_app
from phalanx.cli.transfer import transfer
from phalanx.cli.worker import worker_app

app = typer.Typer(
    name="phalanx",
    help="phalanx: confidential smart contracts on a proof-of-stake chain, Substrate-compatible.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command()(dev)
app.command()(transfer)
app.add_typer(account.app, name="account")
app.add_typer(chain.app, name="chain")
app.command()(node)
app.add_typer(net_app, name="net")
app.add_typer(worker_app, name="worker")
app.add_typer(token_app, name="token")
app.add_typer(contract_app, name="contract")
app.add_typer(staking_app, name="staking")
app.add_typer(gov_app, name="gov")
app.add_typer(treasury_app, name="treasury")

if __name__ == "__main__":
    app()
