"""Starting and stopping the long-lived processes of a network, and waiting for them to be ready.

Processes run in their own session (they outlive the command that started them) with output in a
log file. Readiness is a line in that log, awaited with a deadline. Stopping sends SIGTERM to the
process group, then SIGKILL after a grace period; a pid that is gone already is not an error.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from phalanx.localnet.cometbft.errors import ProcessStartFailed

POLL_SECONDS = 0.05


def spawn(argv: Sequence[str], log_path: Path, cwd: Path | None = None,
          env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start `argv` detached (new session), appending stdout and stderr to `log_path`."""
    with open(log_path, "ab") as log:
        return subprocess.Popen(list(argv), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                cwd=cwd, env=env, start_new_session=True)


def is_alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie of ours counts as gone)."""
    if pid <= 0:
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in ("Z", "X")


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def wait_for(predicate: Callable[[], bool], deadline: float, what: str,
             alive: Callable[[], bool] | None = None) -> None:
    """Poll `predicate` until true; ProcessStartFailed when `alive()` turns false or time runs out."""
    while True:
        if predicate():
            return
        if alive is not None and not alive():
            raise ProcessStartFailed(f"process exited while waiting for {what}")
        if time.monotonic() > deadline:
            raise ProcessStartFailed(f"timed out waiting for {what}")
        time.sleep(POLL_SECONDS)


def wait_for_log_line(log_path: Path, pattern: str, deadline: float, pid: int | None = None,
                      offset: int = 0) -> re.Match[str]:
    """Wait until `log_path` (read from byte `offset`) holds a line matching `pattern`."""
    regex = re.compile(pattern)
    found: list[re.Match[str]] = []

    def check() -> bool:
        try:
            with open(log_path, "rb") as f:
                f.seek(offset)
                text = f.read().decode(errors="replace")
        except FileNotFoundError:
            return False
        match = regex.search(text)
        if match:
            found.append(match)
        return match is not None

    def alive() -> bool:
        if pid is None:
            return True
        _reap(pid)
        return is_alive(pid)

    try:
        wait_for(check, deadline, f"{pattern!r} in {log_path}", alive)
    except ProcessStartFailed as exc:
        raise ProcessStartFailed(f"{exc.message}; see {log_path}") from None
    return found[0]


def stop_pid(pid: int, grace: float = 10.0) -> bool:
    """SIGTERM `pid` (and its process group), SIGKILL after `grace` seconds. True if it was running."""
    if not is_alive(pid):
        _reap(pid)
        return False
    _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        _reap(pid)
        if not is_alive(pid):
            return True
        time.sleep(POLL_SECONDS)
    kill_pid(pid)
    return True


def kill_pid(pid: int) -> None:
    """SIGKILL `pid` and its process group at once (a crash, as `kill -9`), and wait until it is gone."""
    _signal(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline:
        _reap(pid)
        if not is_alive(pid):
            return
        time.sleep(POLL_SECONDS)


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
            return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def pids_mentioning(marker: str) -> list[int]:
    """Pids of our user's processes whose command line contains `marker` (e.g. a network's path)."""
    found = []
    me = os.getuid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            if os.stat(f"/proc/{entry}").st_uid != me:
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline and is_alive(int(entry)):
            found.append(int(entry))
    return found
