"""Host side of the enclave boundary: start the enclave as its own OS process and talk to it.

`EnclaveProcess` launches `python -m <ENCLAVE_MODULE>` (the enclave's process entry point, named by
the channel's protocol and never imported here) with stdin/stdout pipes
for request/response frames and collects its stderr log lines. Every read has a deadline; an enclave
that exits or stalls raises `EnclaveUnavailable`. Everything the host receives is recorded in
`transcript` (and the log in `log_lines`): that is the host's whole view of the enclave, which tests
search for secrets that must not be there.

This module is host code: it is not part of the enclave measurement.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from phalanx.attestation import AttestationEvidence, RegistrationInfo, evidence_from_value
from phalanx.tee.platform.errors import EnclaveProtocolError, EnclaveRequestFailed, EnclaveUnavailable
from phalanx.tee.platform.measurement import default_source_root
from phalanx.wire.enclave_protocol import (
    ENCLAVE_MODULE,
    REQUEST_CODEC,
    RESPONSE_CODEC,
    encode_frame,
    read_frame,
)


@dataclass(frozen=True)
class EnclaveStatus:
    initialized: bool
    block_number: int
    block_hash: bytes
    identity_public: bytes
    encryption_public: bytes
    contracts: tuple[tuple[bytes, bool], ...]


@dataclass(frozen=True)
class FedBlock:
    """The enclave's answer to one block: SCALE-encoded `SignedMessage`s to submit, and log lines."""

    block_number: int
    egress: tuple[bytes, ...]
    logs: tuple[tuple[str, ...], ...]


def _status(response: tuple[str, Any]) -> EnclaveStatus:
    f = response[1]
    contracts = tuple((bytes(c), bool(k)) for c, k in f["contracts"])
    return EnclaveStatus(
        f["initialized"], f["block_number"], f["block_hash"], f["identity"], f["encryption"], contracts
    )


class EnclaveProcess:
    """A running SIMULATED enclave process and the host's channel to it."""

    def __init__(
        self,
        platform_dir: Path,
        data_dir: Path,
        *,
        confidence_level: int = 1,
        timeout_s: float = 30.0,
        checkpoint_interval: int = 16,
    ) -> None:
        self.platform_dir = platform_dir
        self.data_dir = data_dir
        self.confidence_level = confidence_level
        self.timeout_s = timeout_s
        self.checkpoint_interval = checkpoint_interval
        self.transcript = bytearray()
        self.log_lines: list[str] = []
        self._proc: subprocess.Popen[bytes] | None = None
        self._selector: selectors.BaseSelector | None = None
        self._log_thread: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self) -> None:
        """Launch the enclave and wait (with the deadline) until it answers a first request."""
        if self._proc is not None:
            raise EnclaveUnavailable("the enclave process is already started")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(default_source_root()), env.get("PYTHONPATH")]))
        env["PYTHONUNBUFFERED"] = "1"
        command = [
            sys.executable, "-m", ENCLAVE_MODULE,
            "--platform-dir", str(self.platform_dir),
            "--data-dir", str(self.data_dir),
            "--confidence-level", str(self.confidence_level),
            "--checkpoint-interval", str(self.checkpoint_interval),
        ]  # fmt: skip
        self._proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        if self._proc.stdout is not None:
            self._selector = selectors.DefaultSelector()  # one for the process's life, not one per read
            self._selector.register(self._proc.stdout.fileno(), selectors.EVENT_READ)
        self._log_thread = threading.Thread(target=self._collect_log, daemon=True)
        self._log_thread.start()
        try:
            self.measurement()
        except BaseException:
            self.kill()
            raise

    def measurement(self) -> bytes:
        _, value = self.request(("Measurement", None))
        return bytes(value)

    def get_info(
        self, endpoint: bytes, operator: bytes | None = None
    ) -> tuple[RegistrationInfo, AttestationEvidence]:
        """The enclave's registration info (public keys only) and the quote that binds it."""
        _, fields = self.request(("GetInfo", {"endpoint": endpoint, "operator": operator}))
        return fields["info"], evidence_from_value(fields["evidence"])

    def seal_roundtrip(self, data: bytes, label: str) -> tuple[bytes, bytes]:
        """Have the enclave seal `data` and unseal it again; returns (sealed blob, unsealed bytes)."""
        _, fields = self.request(("SealRoundtrip", {"data": data, "label": label}))
        return fields["sealed"], fields["unsealed"]

    def init(
        self, genesis_hash: bytes, authority_public: bytes, authority_key_type: int = 1
    ) -> EnclaveStatus:
        """Have the enclave trust a dev chain (it resumes its sealed state if it has one)."""
        fields = {
            "genesis_hash": genesis_hash,
            "authority_public": authority_public,
            "authority_key_type": authority_key_type,
        }
        return _status(self.request(("Init", fields)))

    def init_trust(self, trust_root: bytes) -> EnclaveStatus:
        """Have the enclave trust a chain given as SCALE `phalanx.attestation.TrustRoot` (dev or CometBFT)."""
        return _status(self.request(("InitTrust", {"trust_root": trust_root})))

    def status(self) -> EnclaveStatus:
        return _status(self.request(("Status", None)))

    def feed_block(self, header: bytes, justification: bytes, proofs: bytes) -> FedBlock:
        """Feed the next finalized block; returns the egress to submit and the enclave's log lines."""
        _, fields = self.request(
            ("FeedBlock", {"header": header, "justification": justification, "proofs": proofs})
        )
        return FedBlock(
            fields["block_number"], tuple(fields["egress"]), tuple(tuple(x) for x in fields["logs"])
        )

    def query(self, sealed: bytes) -> bytes:
        """Pass a sealed query in; returns the sealed answer."""
        _, answer = self.request(("Query", sealed))
        return bytes(answer)

    def checkpoint(self) -> int:
        _, number = self.request(("Checkpoint", None))
        return int(number)

    def request(self, request: tuple[str, Any]) -> tuple[str, Any]:
        """Send one request and wait for its response; an `Error` response raises `EnclaveRequestFailed`."""
        proc = self._running()
        if proc.stdin is None:
            raise EnclaveUnavailable("the enclave process has no input pipe")
        try:
            proc.stdin.write(encode_frame(REQUEST_CODEC.encode(request)))
            proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            raise self._unavailable("the enclave process closed its input") from None
        deadline = time.monotonic() + self.timeout_s
        response: tuple[str, Any] = RESPONSE_CODEC.decode(read_frame(lambda n: self._read_exact(n, deadline)))
        if response[0] == "Error":
            fields = response[1]
            raise EnclaveRequestFailed(
                f"the enclave refused {request[0]}: {fields['module']}:{fields['code']} {fields['message']}",
                fields["module"],
                fields["code"],
            )
        return response

    def stop(self) -> int:
        """Ask the enclave to shut down, wait for it (kill it after the deadline); returns its exit code."""
        proc = self._proc
        if proc is None:
            return 0
        if proc.poll() is None:
            with contextlib.suppress(EnclaveUnavailable, EnclaveProtocolError, EnclaveRequestFailed):
                self.request(("Shutdown", None))
        try:
            code = proc.wait(timeout=self.timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        self._close()
        return code

    def kill(self) -> None:
        """Kill the enclave process at once (tests use this for crash-style restarts)."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        self._close()

    def __enter__(self) -> EnclaveProcess:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.stop()
        else:
            self.kill()

    def _running(self) -> subprocess.Popen[bytes]:
        if self._proc is None:
            raise EnclaveUnavailable("the enclave process is not started")
        if self._proc.poll() is not None:
            raise self._unavailable(f"the enclave process exited with code {self._proc.returncode}")
        return self._proc

    def _read_exact(self, n: int, deadline: float) -> bytes:
        proc, selector = self._running(), self._selector
        if proc.stdout is None or selector is None:
            raise EnclaveUnavailable("the enclave process has no output pipe")
        fd = proc.stdout.fileno()
        out = bytearray()
        while len(out) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                raise self._unavailable(f"the enclave did not answer within {self.timeout_s} s")
            chunk = os.read(fd, n - len(out))
            if not chunk:
                raise self._unavailable("the enclave process closed its output")
            out += chunk
        self.transcript += out
        return bytes(out)

    def _collect_log(self) -> None:
        proc = self._proc
        if proc is None or proc.stderr is None:
            return
        for raw in proc.stderr:
            self.log_lines.append(raw.decode(errors="replace").rstrip("\n"))

    def _unavailable(self, message: str) -> EnclaveUnavailable:
        tail = " | ".join(self.log_lines[-3:])
        return EnclaveUnavailable(f"{message}; last log lines: {tail}" if tail else message)

    def _close(self) -> None:
        if self._selector is not None:
            self._selector.close()
            self._selector = None
        proc = self._proc
        if proc is not None:
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()
        if self._log_thread is not None:
            self._log_thread.join(timeout=self.timeout_s)
        if proc is not None and proc.stderr is not None:
            proc.stderr.close()
        self._proc = None
