"""Unit tests of the network orchestration pieces: config.toml editing, key files, genesis, net.json."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from phalanx.localnet.cometbft.config import configure, free_ports, toml_str
from phalanx.localnet.cometbft.errors import ConfigKeyMissing, NetworkNotFound
from phalanx.localnet.cometbft.genesis import GenesisValidator, build_genesis
from phalanx.localnet.cometbft.keys import Ed25519Key, read_key_file, write_node_key, write_validator_key
from phalanx.localnet.cometbft.network import NetworkInfo, ValidatorNode

CONFIG = """# top comment
proxy_app = "tcp://127.0.0.1:26658"
moniker = "x"

[rpc]
laddr = "tcp://127.0.0.1:26657"
# laddr = "commented"

[p2p]
laddr = "tcp://0.0.0.0:26656"
"""


def test_configure_sets_keys_in_their_sections_only() -> None:
    out = configure(CONFIG, {("", "moniker"): toml_str("v0"), ("p2p", "laddr"): toml_str("tcp://127.0.0.1:1")})
    assert 'moniker = "v0"' in out
    assert 'laddr = "tcp://127.0.0.1:26657"' in out
    assert 'laddr = "tcp://127.0.0.1:1"' in out
    assert '# laddr = "commented"' in out


def test_configure_refuses_unknown_keys() -> None:
    with pytest.raises(ConfigKeyMissing):
        configure(CONFIG, {("rpc", "no_such_key"): "1"})


def test_free_ports_are_distinct() -> None:
    ports = free_ports(8)
    assert len(set(ports)) == 8


def test_key_files_round_trip_in_cometbft_shape(tmp_path: Path) -> None:
    key = Ed25519Key.from_seed(bytes(range(32)))
    assert key.address == hashlib.sha256(key.public_key).digest()[:20]
    write_validator_key(tmp_path / "pv.json", key)
    write_node_key(tmp_path / "node.json", key)
    raw = json.loads((tmp_path / "pv.json").read_text())
    assert raw["address"] == key.address.hex().upper()
    assert base64.b64decode(raw["pub_key"]["value"]) == key.public_key
    assert base64.b64decode(raw["priv_key"]["value"]) == key.seed + key.public_key
    assert read_key_file(tmp_path / "pv.json") == key
    assert read_key_file(tmp_path / "node.json") == key
    assert key.node_id == key.address.hex()


def test_genesis_lists_validators_and_app_state() -> None:
    keys = [Ed25519Key.from_seed(bytes([i]) * 32) for i in range(2)]
    genesis = build_genesis({"consensus_params": {"block": {}}}, "chain-x",
                            [GenesisValidator(f"v{i}", k, 10) for i, k in enumerate(keys)], {"spec": 1},
                            genesis_time="2026-01-01T00:00:00Z")
    assert genesis["chain_id"] == "chain-x" and genesis["app_state"] == {"spec": 1}
    assert genesis["consensus_params"] == {"block": {}}
    assert [v["power"] for v in genesis["validators"]] == ["10", "10"]
    assert genesis["validators"][1]["address"] == keys[1].address.hex().upper()


def test_net_json_round_trips(tmp_path: Path) -> None:
    node = ValidatorNode(name="validator-0", index=0, dir=str(tmp_path / "validator-0"), node_id="ab",
                         validator_address="CD", abci_port=1, p2p_port=2, cometbft_rpc_port=3,
                         substrate_rpc_port=4, app_pid=5, cometbft_pid=6)
    info = NetworkInfo(base_path=str(tmp_path), chain_id="c", app="kvstore", cometbft="/bin/true",
                       validators=(node,))
    info.save()
    raw = json.loads((tmp_path / "net.json").read_text())
    assert raw["validators"][0]["substrate_rpc_url"] == "ws://127.0.0.1:4"
    assert raw["validators"][0]["cometbft_rpc_url"] == "http://127.0.0.1:3"
    assert NetworkInfo.load(tmp_path) == info
    with pytest.raises(NetworkNotFound):
        NetworkInfo.load(tmp_path / "elsewhere")
