"""The synthetic dev chain for enclave tests (shared with the worker tests, see `support`)."""

from support.synthetic_chain import SyntheticChain

__all__ = ["SyntheticChain"]
