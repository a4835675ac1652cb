"""Local networks for development and tests, above the node and the worker host.

- `dev.py`: the one-process dev chain of `phalanx dev` with its gatekeeper and worker processes
  (`serve_dev_network`, `Devnet`, `DevnetConfig`; writes `BASE/dev.json`).
- `registry.py`: the Registry side of SIMULATED workers: a genesis that accepts this machine's
  workers (`prepare_dev_genesis`, `prepare_cometbft_genesis`) and the governance steps a dev chain
  needs (`force_register_gatekeeper`, `wait_worker_registered`, `wait_master_key`).
- `cometbft/`: a local CometBFT network of N validators for `phalanx net` (keys, genesis.json,
  config.toml, processes, the chain spec it runs, a blocking RPC client; writes `BASE/net.json`).

Nothing under `phalanx.node`, `phalanx.engine` or `phalanx.tee` imports this package.
"""
