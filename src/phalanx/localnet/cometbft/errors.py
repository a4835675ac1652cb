"""Typed errors of local CometBFT networks: the binary, config.toml, the processes and RPC calls.

They share the CometBFT engine's module and base class (`phalanx.engine.cometbft.errors`), so their
codes stay unique within "cometbft".
"""

from __future__ import annotations

from phalanx.engine.cometbft.errors import CometBftError


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
