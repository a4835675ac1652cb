"""The SIMULATED platform: a TEE stand-in for machines without SGX. It provides NO real isolation.

The enclave runs as an ordinary OS process; anyone with the machine's user or root rights can read its
memory, its platform secret directory and its keys. What it does provide is the same interface and
the same data flow as a real TEE, so the rest of the system runs unchanged:

- measurement: a hash over the enclave's code files (`measurement.compute_code_measurement`).
- quote: a `SimulatedQuote` (measurement, report data, a simulated confidence level, timestamp) signed
  by the devnet attestation key, an ed25519 key kept in the machine's platform secret directory
  (file `attestation_key`, a 32-byte seed). Its public key goes in the chain's genesis; the key never
  enters the enclave's sealed state.
- seal/unseal: AES-256-GCM with a key HKDF-SHA256-derived from the machine's platform secret (file
  `platform_secret`, 32 random bytes) and the measurement, so another machine or another code build
  cannot unseal. Blob layout: `0x01 ++ nonce (12) ++ ciphertext ++ tag (16)`; the label is bound as
  associated data (`0x01 ++ label`).

Both secret files are created with mode 0600 (directory 0700) on first use; a file readable by group or
others is refused with `PlatformSecretError`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from phalanx.attestation import (
    PROVIDER_SIMULATED,
    REPORT_DATA_LEN,
    SimulatedEvidence,
    SimulatedQuote,
    compute_simulated_quote_payload,
)
from phalanx.crypto import DecryptionError, Keypair, KeyType
from phalanx.crypto.box import NONCE_LEN, TAG_LEN, aead_decrypt, aead_encrypt, hkdf_sha256
from phalanx.tee.platform.errors import InvalidReportData, PlatformSecretError, UnsealError
from phalanx.tee.platform.measurement import compute_code_measurement

log = logging.getLogger(__name__)

PLATFORM_SECRET_FILE = "platform_secret"
ATTESTATION_KEY_FILE = "attestation_key"
SECRET_LEN = 32
SEAL_FORMAT = 0x01
_SEAL_INFO = b"phalanx/simulated-seal/v1"


def load_or_create_secret(path: Path) -> bytes:
    """Read a 32-byte machine secret, creating it (mode 0600, atomically) if it does not exist yet."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mkstemp creates 0600
        try:
            os.write(fd, secrets.token_bytes(SECRET_LEN))
            os.fsync(fd)
            os.close(fd)
            with contextlib.suppress(FileExistsError):  # another process won the race: use its secret
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except OSError as exc:
        raise PlatformSecretError(f"cannot read platform secret {path.name}: {exc.strerror}") from None
    if mode & 0o077:
        raise PlatformSecretError(f"platform secret {path.name} is readable by other users; chmod 600 it")
    if len(data) != SECRET_LEN:
        raise PlatformSecretError(f"platform secret {path.name} holds {len(data)} bytes, not {SECRET_LEN}")
    return data


def load_devnet_attestation_key(platform_dir: Path) -> Keypair:
    """The machine's devnet attestation key (ed25519), created on first use. SIMULATED attestation only."""
    return Keypair.from_seed(load_or_create_secret(platform_dir / ATTESTATION_KEY_FILE), KeyType.ED25519)


def devnet_attestation_public_key(platform_dir: Path) -> bytes:
    """The public key to configure at genesis so that the chain accepts this machine's simulated quotes."""
    return load_devnet_attestation_key(platform_dir).public_key


class SimulatedPlatform:
    """SIMULATED TEE platform (no hardware isolation): code-hash measurement, devnet-key-signed quotes,
    AES-256-GCM sealing bound to a per-machine secret file and the measurement."""

    def __init__(
        self,
        platform_dir: Path,
        measurement: bytes | None = None,
        *,
        confidence_level: int = 1,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not 1 <= confidence_level <= 5:
            raise ValueError(f"confidence level must be 1..5, got {confidence_level}")
        self._measurement = measurement if measurement is not None else compute_code_measurement()
        if len(self._measurement) != 32:
            raise ValueError("a measurement is 32 bytes")
        self._confidence_level = confidence_level
        self._clock = clock
        self._attestation_key = load_devnet_attestation_key(platform_dir)
        platform_secret = load_or_create_secret(platform_dir / PLATFORM_SECRET_FILE)
        self._seal_key = hkdf_sha256(platform_secret, _SEAL_INFO, salt=self._measurement)
        log.info(
            "SIMULATED platform (no hardware isolation): measurement %s, quotes signed by devnet key %s",
            self._measurement.hex(),
            self._attestation_key.public_key.hex(),
        )

    @property
    def name(self) -> str:
        return PROVIDER_SIMULATED

    def measurement(self) -> bytes:
        """The SIMULATED measurement: a hash of the enclave's code files."""
        return self._measurement

    def attestation_public_key(self) -> bytes:
        """The devnet attestation public key that signs this machine's SIMULATED quotes."""
        return self._attestation_key.public_key

    def quote(self, report_data: bytes) -> SimulatedEvidence:
        """A SIMULATED quote over `report_data`, signed by the devnet attestation key."""
        if len(report_data) != REPORT_DATA_LEN:
            raise InvalidReportData(f"report data is {REPORT_DATA_LEN} bytes, got {len(report_data)}")
        timestamp_s = int(self._clock())
        quote = SimulatedQuote(self._measurement, bytes(report_data), self._confidence_level, timestamp_s)
        signature = self._attestation_key.sign(compute_simulated_quote_payload(quote))
        return SimulatedEvidence(quote, signature)

    def seal(self, data: bytes, label: str) -> bytes:
        """SIMULATED sealing: AES-256-GCM under the machine-and-measurement key, label as associated data."""
        nonce = secrets.token_bytes(NONCE_LEN)
        header = bytes([SEAL_FORMAT])
        return header + nonce + aead_encrypt(self._seal_key, nonce, data, header + label.encode())

    def unseal(self, blob: bytes, label: str) -> bytes:
        """Open a SIMULATED sealed blob; `UnsealError` unless this machine and code sealed it as `label`."""
        if len(blob) < 1 + NONCE_LEN + TAG_LEN:
            raise UnsealError(f"a sealed blob is at least {1 + NONCE_LEN + TAG_LEN} bytes, got {len(blob)}")
        if blob[0] != SEAL_FORMAT:
            raise UnsealError(f"unknown sealed blob format {blob[0]}")
        nonce, body = blob[1 : 1 + NONCE_LEN], blob[1 + NONCE_LEN :]
        try:
            return aead_decrypt(self._seal_key, nonce, body, blob[:1] + label.encode())
        except DecryptionError:
            raise UnsealError(
                f"sealed blob {label!r} does not open: tampered, or sealed by another machine or code build"
            ) from None
