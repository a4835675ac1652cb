"""Local CometBFT networks: N validators, each a cometbft process beside a `phalanx node`."""
