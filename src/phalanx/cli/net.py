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
from phalanx.localnet.cometbft.keys import Ed25519Key
from phalanx.localnet.cometbft.network import (
    APPS,
    DEFAULT_POWER,
    START_DEADLINE,
    NetworkInfo,
    NetworkOptions,
    add_node,
    create_network,
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


DEFAULT_STAKE = 1_000 * 10**12
"""Planck each genesis validator's stash bonds under `phalanx net up` (1,000 PHA)."""


def runtime_app_state(
    validators: Sequence[Ed25519Key] = (),
    power: int = DEFAULT_POWER,
    *,
    stake: int | None = None,
    session_length: int | None = None,
    sessions_per_era: int | None = None,
    validator_count: int | None = None,
    chain_id: str | None = None,
    platform_dir: Path | None = None,
) -> dict[str, Any]:
    """The chain spec of a local network (the development chain), as genesis.json's app_state.

    It lists `validators` (the CometBFT genesis validators) with `power` each. With `stake`, validator
    i is also a staking validator: the stash //Alice, //Bob, ... (i < 6) bonds `stake` at genesis and
    has validator i's key as its session key, so from the first era on Staking's elections decide
    the CometBFT set (powers in whole PHA of exposure). Session and era lengths and the number of
    seats are genesis parameters too (None: the chain's defaults). With `platform_dir` and `chain_id`,
    the chain accepts simulated workers of that machine and binds their enclaves to this network's trust
    root (chain id and genesis validator set), as `phalanx worker --cometbft-rpc` needs.
    """
    from dataclasses import replace

    from phalanx.crypto import Keypair
    from phalanx.runtime.chain_spec import DEV_ACCOUNTS, ChainSpec
    from phalanx.runtime.modules.staking import Staker

    spec = ChainSpec.development()
    genesis = replace(spec.genesis, validators=tuple((key.public_key, power) for key in validators))
    economics = genesis.economics
    if stake is not None:
        if len(validators) > len(DEV_ACCOUNTS):
            raise ValueError(f"staking validators need a dev stash each: at most {len(DEV_ACCOUNTS)}")
        stashes = [Keypair.from_suri(f"//{name}").public_key for name in DEV_ACCOUNTS[: len(validators)]]
        economics = replace(
            economics,
            staking=replace(economics.staking, stakers=tuple(Staker(s, stake) for s in stashes)),
            session=replace(economics.session, keys=tuple(zip(stashes, (k.public_key for k in validators),
                                                              strict=True))),
        )
    if session_length is not None:
        economics = replace(economics, session=replace(economics.session, session_length=session_length))
    if sessions_per_era is not None:
        economics = replace(economics, staking=replace(economics.staking, sessions_per_era=sessions_per_era))
    if validator_count is not None:
        economics = replace(economics, staking=replace(economics.staking, validator_count=validator_count))
    spec = replace(spec, genesis=replace(genesis, economics=economics))
    if platform_dir is not None and chain_id is not None:
        from phalanx.localnet.registry import prepare_cometbft_genesis

        spec = prepare_cometbft_genesis(spec, platform_dir, chain_id, list(genesis.validators))
    return spec.to_json()


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

    With the runtime app and --stake, validator i's stash is the dev account //Alice, //Bob, ... (up to
    six validators), bonded and keyed at genesis: Staking's elections drive the CometBFT validator
    set from the first era on. Writes BASE_PATH/net.json with each validator's pids and RPC URLs.
    Workers on this machine follow the network with `phalanx worker --cometbft-rpc URL
    --platform-dir BASE_PATH/machine`. Stop with `phalanx net down`.
    """
    if app not in APPS:
        raise typer.BadParameter(f"--app must be one of {', '.join(APPS)}")
    staked = app == "runtime" and stake > 0
    if staked and validators > 6:
        raise typer.BadParameter("staking validators use the six dev stashes: use --stake 0 above six")
    from phalanx.runtime.modules.validators import POWER_UNIT, power_of

    power = power_of(stake * POWER_UNIT) if staked else DEFAULT_POWER
    options = NetworkOptions(timeout_commit=timeout_commit, timeout_propose=timeout_propose, power=power)
    try:
        with console.status(f"creating {validators} validators in {base_path}"):
            keys = [Ed25519Key.generate() for _ in range(validators)]
            app_state = None
            if app == "runtime":
                app_state = runtime_app_state(
                    keys, options.power, stake=stake * POWER_UNIT if staked else None,
                    session_length=session_length, sessions_per_era=sessions_per_era,
                    validator_count=validator_count, chain_id=chain_id, platform_dir=base_path / "machine")
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


@net_app.command()
def add(base_path: BasePath = DEFAULT_BASE) -> None:
    """Add and start a full node with a fresh consensus key; it follows the chain and becomes a validator
    once its stash bonds, sets this key (`phalanx staking set-keys`), validates and is elected."""
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
