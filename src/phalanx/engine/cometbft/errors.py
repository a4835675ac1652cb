"""Typed errors of the CometBFT engine: the runtime application behind CometBFT.

The errors of local CometBFT networks (binary, config, processes, RPC) subclass `CometBftError` too
and live in `phalanx.localnet.cometbft.errors`.
"""

from __future__ import annotations

from phalanx.errors import PhalanxError


class CometBftError(PhalanxError):
    """Base class of the CometBFT engine's errors."""

    module = "cometbft"
    code = 0


class InvalidGenesis(CometBftError):
    """InitChain's validators or app state do not match the chain spec this node was started with."""

    code = 7
