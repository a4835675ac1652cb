"""Errors raised on formats that cross a trust boundary, under the stable (module, code) of who reports them.

The enclave reports a query or input it cannot read as module "enclave" (codes 1 and 10), the
platform a malformed host-enclave frame as module "platform" (code 4): those codes are what clients
and hosts already see, so they stay. The other codes of both modules are defined in
`phalanx.tee.enclave.errors` and `phalanx.tee.platform.errors`, which build on the bases here.
"""

from __future__ import annotations

from phalanx.errors import PhalanxError


class EnclaveError(PhalanxError):
    """Base of the errors of module "enclave" (the rest are in `phalanx.tee.enclave.errors`)."""

    module = "enclave"
    code = 0


class MalformedInput(EnclaveError):
    """A block, proof bundle, query or request does not decode."""

    code = 1


class InvalidQuery(EnclaveError):
    """A query is not sealed to this worker, or its signature does not verify."""

    code = 10


class PlatformError(PhalanxError):
    """Base of the errors of module "platform" (the rest are in `phalanx.tee.platform.errors`)."""

    module = "platform"
    code = 0


class EnclaveProtocolError(PlatformError):
    """A frame on the host-enclave channel is malformed or too large."""

    code = 4
