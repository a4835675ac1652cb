"""A local CometBFT network: N validators on loopback ports, each a cometbft process beside a `phalanx node`.

Public API:
- `network.py`: `create_network`, `add_node`, `start_network`, `start_validator`, `stop_validator`,
  `stop_network`, `network_status`, `wait_for_height`, `NetworkInfo` (net.json), `NetworkOptions`,
  `ValidatorNode`, `find_cometbft`.
- `chain.py`: `runtime_app_state` (the chain spec as genesis.json's app_state) and
  `create_local_network` (what `phalanx net up` creates).
- `rpc.py`: `CometRpc`, a blocking client for CometBFT's RPC (and `call` for the node's HTTP RPC).
- `keys.py`, `genesis.py`, `config.py`, `process.py`: key files, genesis.json, config.toml editing,
  and starting, waiting for and stopping processes.
- `errors.py`: the typed errors of all of the above (module "cometbft").
"""
