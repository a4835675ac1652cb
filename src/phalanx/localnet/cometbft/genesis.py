"""CometBFT's genesis.json for a network: chain id, validators with their powers, and app state.

Consensus parameters are taken from the file `cometbft init` wrote (CometBFT's own defaults); the
app state is whatever the application reads in InitChain (for the runtime: its chain spec JSON).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from phalanx.localnet.cometbft.keys import Ed25519Key


@dataclass(frozen=True)
class GenesisValidator:
    name: str
    key: Ed25519Key
    power: int


def rfc3339_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def build_genesis(
    template: dict[str, Any],
    chain_id: str,
    validators: Sequence[GenesisValidator],
    app_state: object,
    genesis_time: str | None = None,
) -> dict[str, Any]:
    """A genesis document from `template` (an init-generated genesis.json) with our fields set."""
    genesis = dict(template)
    genesis["genesis_time"] = genesis_time or rfc3339_now()
    genesis["chain_id"] = chain_id
    genesis["initial_height"] = "1"
    genesis["app_hash"] = ""
    genesis["app_state"] = app_state
    genesis["validators"] = [
        {"address": v.key.address.hex().upper(), "pub_key": v.key.pub_key_json(), "power": str(v.power),
         "name": v.name}
        for v in validators
    ]
    return genesis


def write_genesis(path: Path, genesis: dict[str, Any]) -> None:
    path.write_text(json.dumps(genesis, indent=2) + "\n")
