"""Local networks for development and tests: the dev chain with its workers, and CometBFT networks."""
