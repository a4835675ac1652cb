"""The TEE platform abstraction (`Platform`) and its SIMULATED backend (no real isolation).

See `base` for the protocol and what a Gramine-SGX backend would implement, `simulated` for the
simulated backend's trust model, `measurement` for exactly which files the simulated measurement
covers, and `process` for starting an enclave as its own OS process.
"""

from phalanx.tee.platform.base import Platform
from phalanx.tee.platform.errors import (
    EnclaveProtocolError,
    EnclaveRequestFailed,
    EnclaveUnavailable,
    InvalidReportData,
    PlatformError,
    PlatformSecretError,
    UnsealError,
)
from phalanx.tee.platform.measurement import compute_code_measurement, list_enclave_code_files
from phalanx.tee.platform.simulated import (
    SimulatedPlatform,
    devnet_attestation_public_key,
    load_devnet_attestation_key,
)

__all__ = [
    "EnclaveProtocolError",
    "EnclaveRequestFailed",
    "EnclaveUnavailable",
    "InvalidReportData",
    "Platform",
    "PlatformError",
    "PlatformSecretError",
    "SimulatedPlatform",
    "UnsealError",
    "compute_code_measurement",
    "devnet_attestation_public_key",
    "list_enclave_code_files",
    "load_devnet_attestation_key",
]
