"""Consensus engines: the dev engine, the CometBFT ABCI application, light-client finality proofs."""
