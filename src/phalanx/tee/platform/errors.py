"""Typed errors of the TEE platform layer and of the enclave process boundary (module "platform").

The base and `EnclaveProtocolError` (4), raised on the host-enclave frames, are defined in
`phalanx.wire.errors` and re-exported here.
"""

from __future__ import annotations

from phalanx.wire.errors import EnclaveProtocolError, PlatformError

__all__ = [
    "EnclaveProtocolError", "EnclaveRequestFailed", "EnclaveUnavailable", "InvalidReportData",
    "PlatformError", "PlatformSecretError", "UnsealError",
]  # fmt: skip


class UnsealError(PlatformError):
    """A sealed blob that this platform and measurement cannot open: tampered, truncated, sealed by
    another machine or another enclave build, or under another label."""

    code = 1


class PlatformSecretError(PlatformError):
    """The machine's platform secret directory holds a file that is unreadable, malformed or readable
    by other users (it must be mode 0600)."""

    code = 2


class InvalidReportData(PlatformError):
    """Report data for a quote must be exactly 64 bytes."""

    code = 3


class EnclaveUnavailable(PlatformError):
    """The enclave process is not running, exited, or did not answer before its deadline."""

    code = 5


class EnclaveRequestFailed(PlatformError):
    """The enclave refused a request; `remote_module` and `remote_code` name its typed error."""

    code = 6

    def __init__(self, message: str, remote_module: str = "", remote_code: int = 0) -> None:
        super().__init__(message)
        self.remote_module = remote_module
        self.remote_code = remote_code
