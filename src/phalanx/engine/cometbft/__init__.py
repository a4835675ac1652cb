"""The CometBFT engine: the runtime as an ABCI 2.0 application.

Public API:
- `RuntimeApplication` (`app.py`): the chain runtime behind CometBFT's ABCI (Info, InitChain,
  CheckTx, PrepareProposal, ProcessProposal, FinalizeBlock, Commit, Query).
- `validator_updates_from_events` (`validators.py`): the runtime's validator-set changes as CometBFT
  validator updates.
- `CometBftError`, `InvalidGenesis` (`errors.py`).

Local networks of CometBFT validators (keys, genesis, config.toml, processes, RPC) are set up by
`phalanx.localnet.cometbft`, above the node.
"""
