"""What the Registry tells other modules: who listens for workers registered for the first time.

`phalanx.runtime.assembly` wires the listeners (Contracts gives a new worker the contracts that lack
replicas), so the Registry imports none of the modules that build on it.
"""

from __future__ import annotations

from collections.abc import Callable

from phalanx.runtime.framework import Context

WorkerListener = Callable[[Context, bytes], None]
"""`listener(ctx, worker)` runs in the call that registered `worker` (its enclave identity)."""

_WORKER_LISTENERS: list[WorkerListener] = []


def on_worker_registered(listener: WorkerListener) -> WorkerListener:
    """Register `listener`; registering the same function twice is a no-op."""
    if listener not in _WORKER_LISTENERS:
        _WORKER_LISTENERS.append(listener)
    return listener


def notify_worker_registered(ctx: Context, worker: bytes) -> None:
    for listener in _WORKER_LISTENERS:
        listener(ctx, worker)
