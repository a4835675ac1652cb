"""The enclave's guard against replayed queries: each nonce once, timestamps near the enclave's clock."""

from __future__ import annotations

from phalanx.tee.enclave.errors import QueryReplayed
from phalanx.wire.query import QUERY_WINDOW_MS, Query


class ReplayGuard:
    """Refuses a query nonce twice, and timestamps outside the window of the enclave's clock.

    Not part of any state transition: the clock is the enclave's, passed in by the caller. Nonces
    live in memory only, so queries stamped before `started_ms` are refused (no replay after a restart).
    """

    def __init__(self, started_ms: int, window_ms: int = QUERY_WINDOW_MS) -> None:
        self.started_ms = started_ms
        self.window_ms = window_ms
        self._seen: dict[tuple[bytes, bytes], int] = {}

    def check(self, query: Query, now_ms: int) -> None:
        if query.timestamp_ms < self.started_ms or abs(query.timestamp_ms - now_ms) > self.window_ms:
            raise QueryReplayed(
                f"query timestamp {query.timestamp_ms} is outside the accepted window around {now_ms}"
            )
        key = (query.account, query.nonce)
        if key in self._seen:
            raise QueryReplayed("this query nonce was already used")
        if len(self._seen) > 4096:
            horizon = now_ms - 2 * self.window_ms
            self._seen = {k: t for k, t in self._seen.items() if t >= horizon}
        self._seen[key] = query.timestamp_ms
