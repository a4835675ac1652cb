"""`phalanx net up|status|down`: a local CometBFT network of N validators on loopback ports."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from phalanx.cli.common import console, error_console
from phalanx.engine.cometbft.errors import CometBftError
from phalanx.engine.cometbft.keys import Ed25519Key
from phalanx.engine.cometbft.network import (
    APPS,
    DEFAULT_POWER,
    START_DEADLINE,
    NetworkInfo,
    NetworkOptions,
    create_network,
    network_status,
    start_network,
    stop_network,
)

net_app = typer.Typer(
    name="net", no_args_is_help=True,
    help="Run a local CometBFT network: N validators, each a cometbft process beside a `phalanx node`.")

BasePath = Annotated[Path, typer.Option("--base-path", help="Directory of the network (holds net.json).")]
DEFAULT_BASE = Path(".phalanx/net")


def runtime_app_state(validators: Sequence[Ed25519Key] = (), power: int = DEFAULT_POWER) -> dict[str, Any]:
    """The chain spec of a local network, as genesis.json's app_state. When the runtime's genesis
    carries a validator set, it lists `validators` (the CometBFT genesis validators)."""
    from phalanx.runtime.chain_spec import ChainSpec

    spec = ChainSpec.development()
    state: dict[str, Any] = spec.to_json()
    if validators and hasattr(spec.genesis, "validators"):
        state["genesis"]["validators"] = [["0x" + key.public_key.hex(), power] for key in validators]
    return state


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
) -> None:
    """Create keys, genesis and config for N validators, start them, and wait for the first blocks.

    Writes BASE_PATH/net.json with each validator's pids and RPC URLs. Stop with `phalanx net down`.
    """
    if app not in APPS:
        raise typer.BadParameter(f"--app must be one of {', '.join(APPS)}")
    options = NetworkOptions(timeout_commit=timeout_commit, timeout_propose=timeout_propose)
    try:
        with console.status(f"creating {validators} validators in {base_path}"):
            keys = [Ed25519Key.generate() for _ in range(validators)]
            app_state = runtime_app_state(keys, options.power) if app == "runtime" else None
            info = create_network(base_path, validators, app=app, chain_id=chain_id, app_state=app_state,
                                  options=options, keys=keys)
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
