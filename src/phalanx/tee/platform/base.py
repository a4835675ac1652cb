"""The `Platform` protocol: the four things enclave code asks of its TEE.

    measurement() -> bytes              the identity of the code that runs (32 bytes)
    quote(report_data) -> evidence      a statement, verifiable on chain, that this code produced
                                        these 64 bytes of report data
    seal(data, label) -> blob           encrypt for this machine and this measurement only
    unseal(blob, label) -> data         the inverse; `UnsealError` for anything else

Backends:
- `SimulatedPlatform` (this package): a separate OS process with NO real isolation; see its module.
- A Gramine-SGX backend would implement the same four methods inside the enclave:
  * measurement(): MRENCLAVE, read from the SGX report in `/dev/attestation/report` (bytes 64..96 of
    the report body), fixed by the Gramine manifest, which also measures the Python interpreter and
    every trusted file (the simulated measurement only hashes phalanx's own code files).
  * quote(report_data): write the 64 bytes to `/dev/attestation/user_report_data`, read the DCAP
    quote from `/dev/attestation/quote`, and return `DcapEvidence(quote, collateral)`; the collateral
    is fetched by the untrusted host from a PCCS (it is signed by Intel, so the host cannot forge it).
  * seal/unseal: AES-256-GCM under a key derived from the MRENCLAVE-bound sealing key
    `/dev/attestation/keys/_sgx_mrenclave` (EGETKEY) instead of the platform secret file, with the same
    blob layout and label binding.
  The chain side changes only by policy: `allow_simulated = False` and MRENCLAVE values in the
  measurement allowlist.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from phalanx.attestation import AttestationEvidence


@runtime_checkable
class Platform(Protocol):
    """A TEE as seen from inside the enclave. `name` is its attestation provider ("simulated", "dcap")."""

    @property
    def name(self) -> str: ...

    def measurement(self) -> bytes:
        """The 32-byte measurement of the running enclave code."""
        ...

    def quote(self, report_data: bytes) -> AttestationEvidence:
        """Evidence that this enclave produced `report_data` (exactly 64 bytes)."""
        ...

    def seal(self, data: bytes, label: str) -> bytes:
        """Encrypt `data` so that only this platform running this measurement can unseal it under `label`."""
        ...

    def unseal(self, blob: bytes, label: str) -> bytes:
        """Decrypt a blob made by `seal` with the same label; raises `UnsealError` otherwise."""
        ...
