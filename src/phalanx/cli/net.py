"""`phalanx net up|add|status|down`: a local CometBFT network of N validators on loopback ports.

The commands are thin over `phalanx.localnet.cometbft`, which creates, starts and stops the network."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from phalanx.cli.common import console, error_console
from phalanx.engine.cometbft.errors import CometBftError
from phalanx.localnet.cometbft.chain import create_local_network
from phalanx.localnet.cometbft.network import (
    APPS,
    START_DEADLINE,
    NetworkInfo,
    NetworkOptions,
    add_node,
    network_status,
    start_network,
    start_validator,
    stop_network,
)

net_app = typer.Typer(
    name="net", no_args_is_help=True,
    help="Run a local CometBFT network: N validators, each a cometbft process beside a `phalanx node`.")

BasePath = Annotated[Path, typer.Option("--base-path", help="Directory of the network (holds net.json).")]
DEFAULT_BASE = Path(".phalanx/net")


def _fail(error: CometBftError) -> typer.Exit:
    error_console.print(f"[red]error:[/red] {error.message}")
    return typer.Exit(1)


@net_app.command()
def up(
    validators: Annotated[int, typer.Option("--validators", "-n", min=1, max=64, help="Validators.")]
    = 4,
    base_path: BasePath = DEFAULT_BASE,
    chain_id: Annotated[str, typer.Option(help="CometBFT chain id.")] = "phalanx-local",
    app: Annotated[str, typer.Option(help=f"Application behind CometBFT: {' or '.join(APPS)}.")] = "runtime",
    timeout_commit: Annotated[str, typer.Option(help="CometBFT's pause after each commit, e.g. 200ms.")]
    = "200ms",
    timeout_propose: Annotated[str, typer.Option(help="How long to wait for a proposal, e.g. 1s.")] = "1s",
    stake: Annotated[int, typer.Option(help="PHA each validator's stash (//Alice, //Bob, ...) bonds at "
                                            "genesis; 0: no staking, a fixed validator set.")] = 1_000,
    session_length: Annotated[int | None, typer.Option(help="Blocks per session.")] = None,
    sessions_per_era: Annotated[int | None, typer.Option(help="Sessions per staking era.")] = None,
    validator_count: Annotated[int | None, typer.Option(help="Validators elected each era.")] = None,
) -> None:
    """Create keys, genesis and config for N validators, start them, and wait for the first blocks.

    With the runtime app and --stake, validator i's stash is the dev account //Alice, //Bob, ... (up to six validators), bonded and keyed at genesis: Staking's elections drive the CometBFT validator set from the first era on. Writes BASE_PATH/net.json with each validator's pids and RPC URLs. Workers on this machine follow the network with `phalanx worker --cometbft-rpc URL --platform-dir BASE_PATH/machine`. Stop with `phalanx net down`.
    """  # noqa: E501
    if app not in APPS:
        raise typer.BadParameter(f"--app must be one of {', '.join(APPS)}")
    if app == "runtime" and stake > 0 and validators > 6:
        raise typer.BadParameter("staking validators use the six dev stashes: use --stake 0 above six")
    options = NetworkOptions(timeout_commit=timeout_commit, timeout_propose=timeout_propose)
    try:
        with console.status(f"creating {validators} validators in {base_path}"):
            info = create_local_network(
                base_path, validators, app=app, chain_id=chain_id, options=options, stake_pha=stake,
                session_length=session_length, sessions_per_era=sessions_per_era,
                validator_count=validator_count,
            )  # fmt: skip
        with console.status("starting validators and waiting for the first block"):
            deadline = time.monotonic() + START_DEADLINE + 10 * validators
            try:
                info = start_network(info, deadline)
            except CometBftError:
                stop_network(base_path)
                raise
    except CometBftError as error:
        raise _fail(error) from None
    console.print(f"[green]network {info.chain_id} is producing blocks[/green] ({base_path / 'net.json'})")
    _print_nodes(info)


@net_app.command()
def add(base_path: BasePath = DEFAULT_BASE) -> None:
    """Add and start a full node with a fresh consensus key; it follows the chain and becomes a validator once its stash bonds, sets this key (`phalanx staking set-keys`), validates and is elected."""  # noqa: E501
    try:
        info = add_node(NetworkInfo.load(base_path))
        node = info.validators[-1]
        with console.status(f"starting {node.name}"):
            info = start_validator(info, node.index)
    except CometBftError as error:
        raise _fail(error) from None
    key_file = node.home / "config" / "priv_validator_key.json"
    console.print(f"{node.name} started; consensus key file {key_file}")
    _print_nodes(info)


def _print_nodes(info: NetworkInfo) -> None:
    table = Table("validator", "app pid", "cometbft pid", "Substrate RPC", "CometBFT RPC")
    for node in info.validators:
        table.add_row(node.name, str(node.app_pid or "-"), str(node.cometbft_pid or "-"),
                      node.substrate_rpc_url, node.cometbft_rpc_url)
    console.print(table)


@net_app.command()
def status(base_path: BasePath = DEFAULT_BASE) -> None:
    """Show each validator's processes, height, app hash and peers."""
    try:
        info = NetworkInfo.load(base_path)
    except CometBftError as error:
        raise _fail(error) from None
    table = Table("validator", "app", "cometbft", "height", "app hash", "peers", "syncing",
                  title=f"{info.chain_id} ({info.app})")
    for s in network_status(info):
        table.add_row(
            s.name, _up(s.app_running), _up(s.cometbft_running), "-" if s.height is None else str(s.height),
            "-" if s.app_hash is None else s.app_hash[:16] + "…", "-" if s.peers is None else str(s.peers),
            "-" if s.catching_up is None else ("yes" if s.catching_up else "no"))
    console.print(table)


def _up(running: bool) -> str:
    return "[green]up[/green]" if running else "[red]down[/red]"


@net_app.command()
def down(base_path: BasePath = DEFAULT_BASE) -> None:
    """Stop every process of the network (also strays); safe to run twice."""
    stopped = stop_network(base_path)
    console.print(f"stopped {len(stopped)} process(es)" if stopped else "nothing was running")
