"""A `phalanx dev` process writing to a log file: waiting for its ready line and stopping it."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from pathlib import Path

READY = re.compile(r"phalanx dev ready: rpc=(?P<url>ws://\S+) genesis=(?P<genesis>0x[0-9a-f]{64})")


def ready_lines(log_path: Path) -> int:
    """How many ready lines `log_path` holds (a restart appends to the same log)."""
    return len(READY.findall(log_path.read_text(errors="replace"))) if log_path.exists() else 0


def wait_ready(log_path: Path, process: subprocess.Popen[bytes], deadline_s: float, seen: int = 0) -> str:
    """The websocket URL of the first ready line after the `seen` ones; an error if `process` exits or
    `deadline_s` passes first."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        text = log_path.read_text(errors="replace") if log_path.exists() else ""
        matches = list(READY.finditer(text))
        if len(matches) > seen:
            return matches[seen]["url"]
        if process.poll() is not None:
            raise RuntimeError(f"phalanx dev exited with {process.returncode}:\n{text[-4000:]}")
        time.sleep(0.2)
    raise TimeoutError(f"phalanx dev was not ready in {deadline_s:.0f} s")


def stop_process(process: subprocess.Popen[bytes], signum: int = signal.SIGTERM,
                 grace_s: float = 60.0) -> int:
    """Send `signum` and wait for the exit, SIGKILL after `grace_s`; returns the exit code."""
    if process.poll() is None:
        process.send_signal(signum)
    try:
        return process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait(timeout=30)
