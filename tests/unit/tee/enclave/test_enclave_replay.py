"""The enclave's query replay guard: each (account, nonce) once, timestamps within the window."""

from __future__ import annotations

import pytest

from phalanx.tee.enclave.errors import QueryReplayed
from phalanx.tee.enclave.replay import ReplayGuard
from phalanx.wire.query import Query

STARTED = 1_700_000_000_000


def query(nonce: bytes, timestamp_ms: int) -> Query:
    return Query(b"\x01" * 32, b"\x02" * 32, 0, nonce, timestamp_ms, b"")


def test_a_nonce_is_accepted_once() -> None:
    guard = ReplayGuard(STARTED)
    guard.check(query(b"\x03" * 16, STARTED + 1), STARTED + 2)
    with pytest.raises(QueryReplayed, match="already used"):
        guard.check(query(b"\x03" * 16, STARTED + 1), STARTED + 3)
    guard.check(query(b"\x04" * 16, STARTED + 1), STARTED + 3)


@pytest.mark.parametrize("timestamp_ms", [STARTED - 1, STARTED + 200_000])
def test_timestamps_before_the_start_or_outside_the_window_are_refused(timestamp_ms: int) -> None:
    guard = ReplayGuard(STARTED, window_ms=60_000)
    with pytest.raises(QueryReplayed, match="outside the accepted window"):
        guard.check(query(b"\x05" * 16, timestamp_ms), STARTED + 100_000)
