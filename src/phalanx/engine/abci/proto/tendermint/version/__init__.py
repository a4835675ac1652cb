"""Generated protobuf package phalanx.engine.abci.proto.tendermint.version."""
