"""The `phalanx` CLI against a running dev node (real processes)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.support.dev_nodes import DevProcess

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]


def phalanx(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "phalanx.cli.main", *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "COLUMNS": "200"})


def test_cli_against_a_dev_node(dev_node: DevProcess) -> None:
    rpc = ("--rpc", dev_node.url)
    balance = phalanx("account", "balance", "//Alice", *rpc)
    assert balance.returncode == 0, balance.stderr
    assert "1,000,000 PHA" in balance.stdout

    done = phalanx("transfer", "--from", "//Alice", "--to", "//Bob", "1.5", "--keep-alive", *rpc)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "finalized in block" in done.stdout
    assert "Balances.Transfer" in done.stdout and "1500000000000" in done.stdout

    bob = phalanx("account", "balance", "//Bob", *rpc)
    assert "1,000,001.5 PHA" in bob.stdout

    too_much = phalanx("transfer", "--from", "//Dave", "--to", "//Bob", "999999999", *rpc)
    assert too_much.returncode == 0, too_much.stdout + too_much.stderr  # included, the call failed
    assert "System.ExtrinsicFailed" in too_much.stdout

    head = phalanx("chain", "head", *rpc)
    assert head.returncode == 0 and "finalized head" in head.stdout
    block = phalanx("chain", "block", "1", *rpc)
    assert block.returncode == 0 and "block #1" in block.stdout and "finality proof: yes" in block.stdout
    missing = phalanx("chain", "block", "99999999", *rpc)
    assert missing.returncode == 1

    bad_key = phalanx("transfer", "--from", "not a uri at all", "--to", "//Bob", "1", *rpc)
    assert bad_key.returncode != 0
