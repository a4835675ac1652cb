"""A minimal enclave process on the SIMULATED platform (no real isolation): keys, quote, sealing.

Run as `python -m phalanx.tee.platform.simulated_enclave --platform-dir DIR --data-dir DIR`; it reads
request frames on stdin and writes response frames on stdout (see `protocol`), and logs to stderr.

Inside the process it generates the worker's sr25519 identity key and X25519 encryption key, seals
them to `<data-dir>/identity.sealed` (host-visible disk; only this machine running this measurement
can open it), and answers `GetInfo` with the public keys and a quote binding them. Secret keys never
leave the process except sealed. A sealed file that does not unseal is refused, never replaced: the
host must remove it on purpose to make the enclave start over with new keys.

This is the seed of the enclave runtime (pRuntime); the block loop and contracts will grow here.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from phalanx.attestation import RegistrationInfo, compute_report_data, evidence_to_value
from phalanx.codec import FixedBytes, Struct, field_
from phalanx.crypto import Keypair, KeyType
from phalanx.crypto.box import X25519Keypair
from phalanx.errors import PhalanxError
from phalanx.tee.platform.base import Platform
from phalanx.tee.platform.errors import EnclaveProtocolError
from phalanx.tee.platform.protocol import REQUEST_CODEC, RESPONSE_CODEC, encode_frame, read_frame
from phalanx.tee.platform.simulated import SimulatedPlatform

log = logging.getLogger("phalanx.tee.enclave")

ENCLAVE_VERSION = 1
IDENTITY_FILE = "identity.sealed"
IDENTITY_LABEL = "phalanx/enclave/identity/v1"

_SEALED_KEYS_CODEC = Struct(
    ("phalanx", "tee", "SealedKeys"),
    [field_("identity_seed", FixedBytes(32)), field_("encryption_secret", FixedBytes(32))],
)


@dataclass(frozen=True)
class EnclaveKeys:
    identity: Keypair
    encryption: X25519Keypair


class SimulatedEnclave:
    """Request handler of the enclave process. Holds the secret keys; answers only with public data."""

    def __init__(self, platform: Platform, data_dir: Path) -> None:
        self._platform = platform
        self._data_dir = data_dir
        self._keys: EnclaveKeys | None = None

    def handle(self, request: tuple[str, Any]) -> tuple[str, Any]:
        """Answer one decoded request; typed errors become an `Error` response."""
        kind, fields = request
        try:
            if kind == "Measurement":
                return ("Measurement", self._platform.measurement())
            if kind == "GetInfo":
                return self._get_info(fields["endpoint"], fields["operator"])
            if kind == "SealRoundtrip":
                sealed = self._platform.seal(fields["data"], fields["label"])
                unsealed = self._platform.unseal(sealed, fields["label"])
                return ("Sealed", {"sealed": sealed, "unsealed": unsealed})
            if kind == "Shutdown":
                return ("Done", None)
            raise EnclaveProtocolError(f"unknown request {kind!r}")
        except PhalanxError as exc:
            log.warning("SIMULATED enclave refused %s: %s:%d %s", kind, exc.module, exc.code, exc.message)
            return ("Error", {"module": exc.module, "code": exc.code, "message": exc.message})

    def _get_info(self, endpoint: bytes, operator: bytes | None) -> tuple[str, Any]:
        keys = self._load_keys()
        info = RegistrationInfo(
            identity_public=keys.identity.public_key,
            encryption_public=keys.encryption.public_key,
            provider=self._platform.name,
            operator=operator,
            endpoint=endpoint,
            version=ENCLAVE_VERSION,
        )
        evidence = self._platform.quote(compute_report_data(info))
        return ("Info", {"info": info, "evidence": evidence_to_value(evidence)})

    def _load_keys(self) -> EnclaveKeys:
        if self._keys is not None:
            return self._keys
        path = self._data_dir / IDENTITY_FILE
        if path.exists():
            plain = self._platform.unseal(path.read_bytes(), IDENTITY_LABEL)
            fields = _SEALED_KEYS_CODEC.decode(plain)
            identity_seed, encryption_secret = fields["identity_seed"], fields["encryption_secret"]
            log.info("SIMULATED enclave unsealed its keys from %s", IDENTITY_FILE)
        else:
            identity_seed, encryption_secret = secrets.token_bytes(32), secrets.token_bytes(32)
            plain = _SEALED_KEYS_CODEC.encode(
                {"identity_seed": identity_seed, "encryption_secret": encryption_secret}
            )
            _write_atomically(path, self._platform.seal(plain, IDENTITY_LABEL))
            log.info("SIMULATED enclave generated new keys and sealed them to %s", IDENTITY_FILE)
        self._keys = EnclaveKeys(
            Keypair.from_seed(identity_seed, KeyType.SR25519), X25519Keypair.from_secret(encryption_secret)
        )
        return self._keys


def serve(enclave: SimulatedEnclave, reader: BinaryIO, writer: BinaryIO) -> None:
    """Answer request frames from `reader` until `Shutdown` or end of input."""

    def read_exact(n: int) -> bytes:
        data = reader.read(n)
        if len(data) != n:
            raise EOFError
        return data

    while True:
        try:
            payload = read_frame(read_exact)
        except EOFError:
            log.info("SIMULATED enclave: the host closed the channel")
            return
        except EnclaveProtocolError as exc:  # the stream cannot be resynchronised after a bad header
            log.error("SIMULATED enclave closing the channel: %s", exc.message)
            return
        try:
            request = REQUEST_CODEC.decode(payload)
        except PhalanxError as exc:
            response: tuple[str, Any] = (
                "Error",
                {"module": "platform", "code": EnclaveProtocolError.code, "message": exc.message},
            )
            request = ("Invalid", None)
        else:
            response = enclave.handle(request)
        writer.write(encode_frame(RESPONSE_CODEC.encode(response)))
        writer.flush()
        if request[0] == "Shutdown":
            log.info("SIMULATED enclave shutting down")
            return


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="SIMULATED phalanx enclave process (no real isolation)")
    parser.add_argument("--platform-dir", type=Path, required=True, help="machine secret directory")
    parser.add_argument("--data-dir", type=Path, required=True, help="where sealed state is stored")
    parser.add_argument("--confidence-level", type=int, default=1, choices=range(1, 6))
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(name)s %(levelname)s %(message)s")
    try:
        platform = SimulatedPlatform(args.platform_dir, confidence_level=args.confidence_level)
    except PhalanxError as exc:
        log.error("SIMULATED enclave cannot start: %s:%d %s", exc.module, exc.code, exc.message)
        return 2
    log.info("SIMULATED enclave ready (pid %d)", os.getpid())
    serve(SimulatedEnclave(platform, args.data_dir), sys.stdin.buffer, sys.stdout.buffer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
