"""Fixtures that run real `phalanx dev` processes on loopback ports.

`dev_node` starts `phalanx dev --tmp --rpc-port 0`, waits (with a deadline) for its ready line and
yields its websocket URL; `dev_nodes` is a factory for tests that need their own options, a base
path, or to kill and restart a node (`tests.support.dev_nodes`). Every process started here is killed
at teardown, also when the test fails.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.dev_nodes import DevNodes, DevProcess


@pytest.fixture
def dev_nodes() -> Iterator[DevNodes]:
    nodes = DevNodes()
    try:
        yield nodes
    finally:
        nodes.kill_all()


@pytest.fixture
def dev_node(dev_nodes: DevNodes) -> DevProcess:
    """A fresh dev chain with 1 s blocks and a throwaway store."""
    return dev_nodes.start("--block-time", "0.5")
