"""Python client of phalanx: JSON-RPC connection, composing, signing and submitting extrinsics."""
