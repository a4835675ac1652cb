"""One RPC connection: its outgoing queue and its subscriptions.

A websocket session pushes notifications through an asyncio queue drained by one writer task, so
that engine callbacks never block. Work that must follow the answer to the current request (the
first notification of a new subscription) is deferred until that answer is queued. The queue is
bounded in bytes and in messages (`RpcLimits.max_outbox_bytes`, `max_outbox_messages`): a client
that does not read what it asked for is disconnected once that much waits for it, and what was
queued for it is let go at once.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import secrets
from collections.abc import Callable
from typing import Any

from phalanx.node.rpc.limits import RpcLimits

_counter = itertools.count(1)

log = logging.getLogger(__name__)


def new_subscription_id() -> str:
    """A subscription id in Substrate's style: an opaque string, unique within the process."""
    return f"{secrets.token_hex(4)}{next(_counter):08x}"


class Session:
    """Per-connection state. `websocket` is False for HTTP, where subscriptions are refused.

    `abort` (websocket only) drops the connection without a closing handshake: the server's way
    to disconnect a client that does not read."""

    def __init__(self, websocket: bool, limits: RpcLimits | None = None,
                 abort: Callable[[], None] | None = None) -> None:
        self.websocket = websocket
        self.limits = limits or RpcLimits()
        self.outbox: asyncio.Queue[str | None] = asyncio.Queue()
        self.outbox_bytes = 0
        self.subscriptions: dict[str, Callable[[], None]] = {}
        self.watched_keys = 0  # storage keys this session's storage subscriptions watch
        self._deferred: list[Callable[[], None]] = []
        self._abort = abort
        self.closed = False

    def send_text(self, text: str) -> None:
        if self.closed:
            return
        size = len(text)  # json.dumps writes ASCII: characters are bytes
        if (self.outbox_bytes + size > self.limits.max_outbox_bytes
                or self.outbox.qsize() >= self.limits.max_outbox_messages):
            self.disconnect(f"{self.outbox_bytes + size} bytes of answers unread "
                            f"(the limit is {self.limits.max_outbox_bytes})")
            return
        self.outbox_bytes += size
        self.outbox.put_nowait(text)

    def take(self, text: str | None) -> None:
        """Account for `text` leaving the outbox (the writer took it)."""
        if text is not None:
            self.outbox_bytes -= len(text)

    def notify(self, method: str, subscription: str, result: Any) -> None:
        params = {"subscription": subscription, "result": result}
        message = {"jsonrpc": "2.0", "method": method, "params": params}
        self.send_text(json.dumps(message))

    def defer(self, action: Callable[[], None]) -> None:
        """Run `action` once the answer to the request being handled is queued."""
        self._deferred.append(action)

    def run_deferred(self) -> None:
        actions, self._deferred = self._deferred, []
        for action in actions:
            action()

    def add_subscription(self, subscription: str, cancel: Callable[[], None]) -> None:
        self.subscriptions[subscription] = cancel

    def cancel_subscription(self, subscription: str) -> bool:
        cancel = self.subscriptions.pop(subscription, None)
        if cancel is None:
            return False
        cancel()
        return True

    def close(self) -> None:
        """Cancel every subscription and stop the writer."""
        if self.closed:
            return
        self.closed = True
        for cancel in list(self.subscriptions.values()):
            cancel()
        self.subscriptions.clear()
        self._deferred.clear()
        self.outbox.put_nowait(None)

    def disconnect(self, why: str) -> None:
        """Close the session, let go of its unread answers and drop the connection."""
        if self.closed:
            return
        log.warning("RPC client disconnected: %s", why)
        while not self.outbox.empty():
            self.outbox.get_nowait()
        self.outbox_bytes = 0
        self.close()
        if self._abort is not None:
            self._abort()
