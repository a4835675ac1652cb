"""`phalanx dev` processes on loopback ports for integration tests: one process, and a set killed at teardown.

`DevProcess` starts `phalanx dev` with the given options and waits (with a deadline) for its ready line;
`DevNodes` starts them and kills every one it started (the `dev_nodes` fixture in
`tests/integration/conftest.py` calls `kill_all` at teardown, also when the test fails).
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

READY = re.compile(r"^phalanx dev ready: rpc=(?P<url>ws://\S+) genesis=(?P<genesis>0x[0-9a-f]{64})$")
START_DEADLINE = 60.0


class DevProcess:
    """One `phalanx dev` process; `url` and `genesis` are known once it is ready."""

    def __init__(self, args: list[str]) -> None:
        self.args = args
        self.url = ""
        self.genesis = ""
        self.lines: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "phalanx.cli.main", "dev", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        threading.Thread(target=self._pump, daemon=True).start()
        self._wait_ready()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_DEADLINE
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                output = "\n".join(self.lines)
                raise TimeoutError(f"phalanx dev was not ready in {START_DEADLINE}s:\n{output}")
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                self.process.wait()
                output = "\n".join(self.lines)
                raise RuntimeError(f"phalanx dev exited with {self.process.returncode}:\n{output}")
            match = READY.match(line)
            if match:
                self.url, self.genesis = match["url"], match["genesis"]
                return

    @property
    def http_url(self) -> str:
        return self.url.replace("ws://", "http://")

    def kill(self, signum: int = signal.SIGKILL) -> int:
        """Send `signum` and wait for the exit; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(timeout=30)


class DevNodes:
    """Starts dev nodes and remembers them, to kill them all at teardown."""

    def __init__(self) -> None:
        self.started: list[DevProcess] = []

    def start(self, *options: str, base_path: Path | None = None) -> DevProcess:
        """A bare dev chain: no gatekeeper or workers unless `options` ask for them."""
        bare = ["--gatekeepers", "0", "--workers", "0"]
        defaults = [] if {"--workers", "--gatekeepers"} & set(options) else bare
        args = ["--rpc-port", "0", *defaults, *options]
        args += ["--base-path", str(base_path)] if base_path is not None else ["--tmp"]
        node = DevProcess(args)
        self.started.append(node)
        return node

    def kill_all(self) -> None:
        for node in self.started:
            node.kill()
            print(f"--- phalanx dev {' '.join(node.args)} (last lines) ---")  # shown when a test fails
            print("\n".join(node.lines[-40:]))
