"""The CometBFT engine: the runtime as an ABCI 2.0 application, and local multi-validator networks.

Public API:
- `RuntimeApplication` (`app.py`): the chain runtime behind CometBFT's ABCI (Info, InitChain,
  CheckTx, PrepareProposal, ProcessProposal, FinalizeBlock, Commit, Query).
- network orchestration (`network.py`): `create_network`, `start_network`, `start_validator`,
  `stop_validator`, `stop_network`, `network_status`, `wait_for_height`, `NetworkInfo` (net.json),
  `NetworkOptions`, `ValidatorNode`.
- `CometRpc` (`rpc.py`): a blocking client for CometBFT's RPC.
- keys, genesis and config.toml helpers (`keys.py`, `genesis.py`, `config.py`).
"""
