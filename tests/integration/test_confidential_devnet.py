"""`phalanx dev` with a gatekeeper and two workers: ready line, dev.json, the listing commands, a clean
stop, a restart that resumes (same worker identities, private balances kept) and no orphans after a
kill -9 of the supervisor."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

READY = re.compile(r"phalanx dev ready: rpc=(?P<url>ws://\S+) genesis=(?P<genesis>0x[0-9a-f]{64})")
DEADLINE_S = 180.0
ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "400"}


class Dev:
    def __init__(self, base: Path, log: Path) -> None:
        self.base = base
        self.log = log
        self.seen = len(READY.findall(log.read_text(errors="replace"))) if log.exists() else 0
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "phalanx.cli.main", "dev", "--base-path", str(base), "--rpc-port", "0",
                 "--gatekeepers", "1", "--workers", "2"],
                stdout=out, stderr=subprocess.STDOUT, env=ENV,
            )  # fmt: skip
        self.url = self._wait_ready()

    def _wait_ready(self) -> str:
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            text = self.log.read_text(errors="replace")
            matches = list(READY.finditer(text))
            if len(matches) > self.seen:  # this run's ready line (a restart appends to the same log)
                return matches[-1]["url"]
            if self.process.poll() is not None:
                raise RuntimeError(f"phalanx dev exited with {self.process.returncode}:\n{text[-3000:]}")
            time.sleep(0.2)
        raise TimeoutError("phalanx dev was not ready in time")

    def phalanx(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "-m", "phalanx.cli.main", *args, "--rpc", self.url],
                              capture_output=True, text=True, timeout=180, env=ENV)  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    def stop(self, signum: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(timeout=30)


def _processes_under(base: Path) -> list[int]:
    """Processes whose command line names `base` (the workers' hosts and enclaves)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if str(base).encode() in cmdline:
            found.append(int(entry.name))
    return found


def _wait_no_processes(base: Path) -> None:
    deadline = time.monotonic() + 60
    while _processes_under(base):
        assert time.monotonic() < deadline, f"processes left running: {_processes_under(base)}"
        time.sleep(0.2)


@pytest.fixture
def started(tmp_path: Path) -> Iterator[list[Dev]]:
    devs: list[Dev] = []
    yield devs
    for dev in devs:
        dev.stop(signal.SIGKILL)
    for pid in _processes_under(tmp_path):
        os.kill(pid, signal.SIGKILL)


def test_dev_network_starts_lists_stops_and_resumes(tmp_path: Path, started: list[Dev]) -> None:
    base, log = tmp_path / "dev", tmp_path / "dev.log"
    dev = Dev(base, log)
    started.append(dev)
    info = json.loads((base / "dev.json").read_text())
    assert info["rpc"] == dev.url
    assert len(info["workers"]) == 2 and len(info["gatekeepers"]) == 1
    for worker in info["workers"]:
        os.kill(worker["pid"], 0)  # alive
        assert worker["query"].startswith("http://127.0.0.1:")
    identities = sorted(w["identity"] for w in info["workers"])

    workers = dev.phalanx("worker", "list").stdout
    assert workers.count("gatekeeper") == 1 and all(i in workers for i in identities)
    contracts = dev.phalanx("contract", "list").stdout
    assert "token" in contracts and "not published" not in contracts
    assert all(i in contracts for i in identities)

    dev.phalanx("token", "deposit", "5", "--from", "//Eve")
    assert dev.stop() == 0
    _wait_no_processes(base)

    dev = Dev(base, log)
    started.append(dev)
    again = json.loads((base / "dev.json").read_text())
    assert sorted(w["identity"] for w in again["workers"]) == identities  # resumed, not new enclaves
    assert "5 PHA" in dev.phalanx("token", "balance", "--as", "//Eve").stdout

    assert dev.stop(signal.SIGKILL) == -signal.SIGKILL
    _wait_no_processes(base)  # the workers die with their supervisor
