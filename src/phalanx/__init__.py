"""phalanx: confidential smart contracts on a proof-of-stake chain with a Substrate-compatible surface."""

__version__ = "0.1.0"
