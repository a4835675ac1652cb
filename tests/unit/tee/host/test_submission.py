"""The submitter backs off between attempts (the chain API names a failed call's error: test_chain)."""

from __future__ import annotations

from phalanx.tee.host.submission import RetryPolicy


def test_the_backoff_doubles_up_to_its_ceiling() -> None:
    policy = RetryPolicy(attempts=6, backoff_s=1.0, max_backoff_s=5.0)
    assert [policy.delay(attempt) for attempt in range(1, 7)] == [0.0, 1.0, 2.0, 4.0, 5.0, 5.0]
