"""CometBFT v0.38.26 protobuf messages, made by tools/gen-abci-proto.sh (libprotoc 35.1)."""
