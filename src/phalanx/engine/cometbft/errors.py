"""Typed errors of the CometBFT engine: network orchestration and the runtime application."""

from __future__ import annotations

from phalanx.errors import PhalanxError


class CometBftError(PhalanxError):
    """Base class of the CometBFT engine's errors."""

    module = "cometbft"
    code = 0


class CometBftNotFound(CometBftError):
    """No cometbft binary: set COMETBFT, run tools/install-cometbft.sh, or put it on PATH."""

    code = 1


class ConfigKeyMissing(CometBftError):
    """A setting to change is not in the CometBFT config.toml (a different CometBFT version?)."""

    code = 2


class NetworkExists(CometBftError):
    """The base path already holds a network; stop it and remove the directory, or choose another."""

    code = 3


class NetworkNotFound(CometBftError):
    """The base path holds no net.json: `phalanx net up` was not run there."""

    code = 4


class ProcessStartFailed(CometBftError):
    """A validator process exited or did not become ready before its deadline."""

    code = 5


class RpcFailed(CometBftError):
    """A CometBFT or Substrate RPC call failed (unreachable, or it answered with an error)."""

    code = 6


class InvalidGenesis(CometBftError):
    """InitChain's validators or app state do not match the chain spec this node was started with."""

    code = 7


class NotStarted(CometBftError):
    """The network did not produce the first blocks before the deadline."""

    code = 8
