"""`phalanx dev` with a gatekeeper and two workers: ready line, dev.json, the listing commands, a clean
stop, a restart that resumes (same worker identities, private balances kept) and no orphans after a
kill -9 of the supervisor."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.dev_process import ready_lines, stop_process, wait_ready

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

DEADLINE_S = 180.0
ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "400"}


class Dev:
    def __init__(self, base: Path, log: Path) -> None:
        self.base = base
        self.log = log
        seen = ready_lines(log)
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "phalanx.cli.main", "dev", "--base-path", str(base), "--rpc-port", "0",
                 "--gatekeepers", "1", "--workers", "2"],
                stdout=out, stderr=subprocess.STDOUT, env=ENV,
            )  # fmt: skip
        self.url = wait_ready(log, self.process, DEADLINE_S, seen)

    def phalanx(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "-m", "phalanx.cli.main", *args, "--rpc", self.url],
                              capture_output=True, text=True, timeout=180, env=ENV)  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    def stop(self, signum: int = signal.SIGTERM) -> int:
        return stop_process(self.process, signum, grace_s=90.0)


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
