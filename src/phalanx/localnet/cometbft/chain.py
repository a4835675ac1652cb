"""The chain a local CometBFT network runs: its chain spec (genesis.json's `app_state`) and its creation.

- `runtime_app_state(validators, power, stake=...)`: the development chain with the network's genesis
  validators, optionally bonded by the dev stashes so that Staking's elections drive the validator
  set, and optionally accepting this machine's simulated workers.
- `create_local_network(base_path, validators, ...)`: what `phalanx net up` creates before it starts
  anything: fresh consensus keys, that chain spec (for the runtime app), genesis and config.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from phalanx.crypto import Keypair
from phalanx.localnet.cometbft.keys import Ed25519Key
from phalanx.localnet.cometbft.network import DEFAULT_POWER, NetworkInfo, NetworkOptions, create_network
from phalanx.localnet.registry import prepare_cometbft_genesis
from phalanx.runtime.chain_spec import DEV_ACCOUNTS, ChainSpec
from phalanx.runtime.modules.staking import Staker
from phalanx.runtime.modules.validators import POWER_UNIT, power_of

MACHINE_DIR = "machine"
"""The platform directory of this machine's simulated workers, under the network's base path."""


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
        spec = prepare_cometbft_genesis(spec, platform_dir, chain_id, list(genesis.validators))
    return spec.to_json()


def create_local_network(
    base_path: Path,
    validators: int,
    *,
    app: str = "runtime",
    chain_id: str = "phalanx-local",
    options: NetworkOptions | None = None,
    stake_pha: int = 0,
    session_length: int | None = None,
    sessions_per_era: int | None = None,
    validator_count: int | None = None,
) -> NetworkInfo:
    """Write fresh keys, genesis and config for `validators` validators of `app`; starts nothing.

    With the runtime app and `stake_pha` > 0, validator i's stash (//Alice, //Bob, ...) bonds that many
    PHA at genesis and every validator starts with the voting power of that stake; otherwise the
    validator set is fixed at `options.power`. The runtime chain accepts simulated workers whose
    platform directory is `BASE_PATH/machine` and that follow this network's CometBFT finality.
    """
    options = options or NetworkOptions()
    staked = app == "runtime" and stake_pha > 0
    if staked:
        options = replace(options, power=power_of(stake_pha * POWER_UNIT))
    keys = [Ed25519Key.generate() for _ in range(validators)]
    app_state = None
    if app == "runtime":
        app_state = runtime_app_state(
            keys, options.power, stake=stake_pha * POWER_UNIT if staked else None,
            session_length=session_length, sessions_per_era=sessions_per_era,
            validator_count=validator_count, chain_id=chain_id, platform_dir=base_path / MACHINE_DIR,
        )  # fmt: skip
    return create_network(base_path, validators, app=app, chain_id=chain_id, app_state=app_state,
                          options=options, keys=keys)
