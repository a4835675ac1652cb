"""The enclave process on the SIMULATED platform (no real isolation): pRuntime behind a framed channel.

Run as `python -m phalanx.tee.enclave.process_main --platform-dir DIR --data-dir DIR` (what
`phalanx.tee.platform.process.EnclaveProcess` launches); it reads request frames on stdin and writes
response frames on stdout (see `phalanx.wire.enclave_protocol`), and logs to stderr.

Inside the process, `phalanx.tee.enclave.runtime.PRuntime` generates the worker's sr25519 identity
key and X25519 encryption key, seals them to `<data-dir>/identity.sealed` (host-visible disk; only
this machine running this measurement can open it), answers `GetInfo` with the public keys and a
quote binding them, follows the chain it is initialised with (`Init`, `FeedBlock`), seals its state
to `<data-dir>/state.sealed`, and answers sealed queries. Secret keys, contract state and
plaintexts never leave the process except sealed. A sealed file that does not unseal is refused,
never replaced: the host must remove it on purpose to make the enclave start over.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any, BinaryIO

from phalanx.attestation import evidence_to_value
from phalanx.attestation.registration import decode_trust_root
from phalanx.crypto import KeyType
from phalanx.errors import PhalanxError
from phalanx.tee.enclave.runtime import (
    IDENTITY_FILE,
    IDENTITY_LABEL,
    STATE_FILE,
    STATE_LABEL,
    PRuntime,
    Status,
)
from phalanx.tee.platform.base import Platform
from phalanx.tee.platform.simulated import SimulatedPlatform
from phalanx.wire.enclave_protocol import REQUEST_CODEC, RESPONSE_CODEC, BlockInput, encode_frame, read_frame
from phalanx.wire.errors import EnclaveProtocolError
from phalanx.wire.trust import DevTrust, trust_from_root

log = logging.getLogger("phalanx.tee.enclave")

__all__ = [
    "IDENTITY_FILE",
    "IDENTITY_LABEL",
    "STATE_FILE",
    "STATE_LABEL",
    "SimulatedEnclave",
    "main",
    "serve",
]


class SimulatedEnclave:
    """Request handler of the enclave process. Holds the secret keys; answers only with public data."""

    def __init__(self, platform: Platform, data_dir: Path, *, checkpoint_interval: int = 16) -> None:
        self._platform = platform
        self.runtime = PRuntime(platform, data_dir, checkpoint_interval=checkpoint_interval)

    def handle(self, request: tuple[str, Any]) -> tuple[str, Any]:
        """Answer one decoded request; typed errors become an `Error` response."""
        kind, fields = request
        try:
            return self._dispatch(kind, fields)
        except PhalanxError as exc:
            log.warning("SIMULATED enclave refused %s: %s:%d %s", kind, exc.module, exc.code, exc.message)
            return ("Error", {"module": exc.module, "code": exc.code, "message": exc.message})

    def _dispatch(self, kind: str, fields: Any) -> tuple[str, Any]:
        runtime = self.runtime
        if kind == "Measurement":
            return ("Measurement", self._platform.measurement())
        if kind == "GetInfo":
            info, evidence = runtime.get_info(fields["endpoint"], fields["operator"])
            return ("Info", {"info": info, "evidence": evidence_to_value(evidence)})
        if kind == "SealRoundtrip":
            sealed = self._platform.seal(fields["data"], fields["label"])
            unsealed = self._platform.unseal(sealed, fields["label"])
            return ("Sealed", {"sealed": sealed, "unsealed": unsealed})
        if kind == "Init":
            trust = DevTrust(
                fields["genesis_hash"], fields["authority_public"], _key_type(fields["authority_key_type"])
            )
            return _status(runtime.init(trust))
        if kind == "InitTrust":
            return _status(runtime.init(trust_from_root(decode_trust_root(fields["trust_root"]))))
        if kind == "FeedBlock":
            result = runtime.feed_block(
                BlockInput(fields["header"], fields["justification"], fields["proofs"])
            )
            egress = [signed.encode() for signed in result.egress]
            return ("Fed", {"block_number": result.block_number, "egress": egress, "logs": list(result.logs)})
        if kind == "Query":
            return ("Answer", runtime.query(fields, int(time.time() * 1000)))
        if kind == "Checkpoint":
            return ("Checkpointed", runtime.checkpoint())
        if kind == "Status":
            return _status(runtime.status())
        if kind == "Shutdown":
            if runtime.status().initialized:
                runtime.checkpoint()
            return ("Done", None)
        raise EnclaveProtocolError(f"unknown request {kind!r}")


def _key_type(value: int) -> KeyType:
    if value not in (KeyType.ED25519, KeyType.SR25519):
        raise EnclaveProtocolError(f"unknown key type {value}")
    return KeyType(value)


def _status(status: Status) -> tuple[str, Any]:
    return (
        "Status",
        {
            "initialized": status.initialized,
            "block_number": status.block_number,
            "block_hash": status.block_hash,
            "identity": status.identity_public,
            "encryption": status.encryption_public,
            "contracts": list(status.contracts),
        },
    )


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="SIMULATED phalanx enclave process (no real isolation)")
    parser.add_argument("--platform-dir", type=Path, required=True, help="machine secret directory")
    parser.add_argument("--data-dir", type=Path, required=True, help="where sealed state is stored")
    parser.add_argument("--confidence-level", type=int, default=1, choices=range(1, 6))
    parser.add_argument("--checkpoint-interval", type=int, default=16, help="seal the state every N blocks")
    args = parser.parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(name)s %(levelname)s %(message)s")
    try:
        platform = SimulatedPlatform(args.platform_dir, confidence_level=args.confidence_level)
    except PhalanxError as exc:
        log.error("SIMULATED enclave cannot start: %s:%d %s", exc.module, exc.code, exc.message)
        return 2
    log.info("SIMULATED enclave ready (pid %d)", os.getpid())
    enclave = SimulatedEnclave(platform, args.data_dir, checkpoint_interval=args.checkpoint_interval)
    serve(enclave, sys.stdin.buffer, sys.stdout.buffer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
