"""CometBFT ABCI 2.0: socket server, typed Application interface, generated protobuf messages."""
