"""The synthetic dev chain for worker tests (shared with the enclave unit tests, see `support`)."""

from support.synthetic_chain import SyntheticChain

__all__ = ["SyntheticChain"]
