"""Crash safety: a writer process SIGKILLed mid-loop leaves the store at its last whole block."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

from phalanx.storage import Database
from phalanx.storage.trie import compute_root_of

# The child commits blocks forever; block n's content depends on n only, so the parent can
# replay any prefix of the chain. It reports each block on stdout after its commit returned.
CHILD = r"""
import sys
from phalanx.storage import Database

def block_changes(n):
    changes = {b"acct%d" % ((n * 7 + i) % 300): b"%d:%d" % (n, i) * 3 for i in range(60)}
    changes[b"acct%d" % ((n * 13) % 300)] = None
    return changes

db = Database.open(sys.argv[1])
raw = db.read("meta", b"height")
n = int(raw) if raw else 0
while True:
    n += 1
    with db.write() as w:
        root = w.apply_state(block_changes(n), db.state_root)
        w.put("blocks", n.to_bytes(8, "big"), root)
        w.put("meta", b"height", b"%d" % n)
        w.put("bodies", n.to_bytes(8, "big"), bytes(4096))
    print(n, flush=True)
"""


def block_changes(n: int) -> dict[bytes, bytes | None]:
    changes: dict[bytes, bytes | None] = {
        b"acct%d" % ((n * 7 + i) % 300): b"%d:%d" % (n, i) * 3 for i in range(60)
    }
    changes[b"acct%d" % ((n * 13) % 300)] = None
    return changes


def run_until_reported(path: Path, blocks: int, deadline_s: float = 60.0) -> int:
    """Start the writer, wait until it reported `blocks` more commits, SIGKILL it; last reported."""
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[3] / "src"))
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, env=env)
    last = -1
    seen = 0
    try:
        assert proc.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + deadline_s
        while seen < blocks:
            remaining = deadline - time.monotonic()
            assert remaining > 0, "writer did not report commits in time"
            if not selector.select(remaining):
                continue
            line = proc.stdout.readline()
            assert line, f"writer exited early with {proc.poll()}"
            last = int(line)
            seen += 1
        proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()
    return last


def test_sigkill_while_committing_leaves_last_whole_block(tmp_path: Path) -> None:
    path = tmp_path / "node"
    for round_ in range(5):
        reported = run_until_reported(path, blocks=8 + 5 * round_)
        with Database.open(path) as db:
            height = int(db.read("meta", b"height") or b"0")
            # The kill may land after a commit that had not been reported yet, never before one.
            assert height >= reported
            model: dict[bytes, bytes] = {}
            for n in range(1, height + 1):
                for key, value in block_changes(n).items():
                    if value is None:
                        model.pop(key, None)
                    else:
                        model[key] = value
            root = compute_root_of(model.items())
            assert db.state_root == root
            assert db.read("blocks", height.to_bytes(8, "big")) == root
            assert db.read("blocks", (height + 1).to_bytes(8, "big")) is None
            assert db.read("bodies", height.to_bytes(8, "big")) == bytes(4096)
            assert dict(db.iter_prefix(b"")) == model
            first = db.read("blocks", (1).to_bytes(8, "big"))
            assert first is not None
            assert db.get_at(first, b"acct7") == block_changes(1)[b"acct7"]
