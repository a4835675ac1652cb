"""One RPC connection: its outgoing queue and its subscriptions.

A websocket session pushes notifications through an asyncio queue drained by one writer task, so
that engine callbacks never block. Work that must follow the answer to the current request (the
first notification of a new subscription) is deferred until that answer is queued. A client that
does not read its notifications is disconnected when its queue overflows.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
from collections.abc import Callable
from typing import Any

MAX_QUEUED_MESSAGES = 65_536

_counter = itertools.count(1)


def new_subscription_id() -> str:
    """A subscription id in Substrate's style: an opaque string, unique within the process."""
    return f"{secrets.token_hex(4)}{next(_counter):08x}"


class Session:
    """Per-connection state. `websocket` is False for HTTP, where subscriptions are refused."""

    def __init__(self, websocket: bool) -> None:
        self.websocket = websocket
        self.outbox: asyncio.Queue[str | None] = asyncio.Queue()
        self.subscriptions: dict[str, Callable[[], None]] = {}
        self._deferred: list[Callable[[], None]] = []
        self.closed = False

    def send_text(self, text: str) -> None:
        if self.closed:
            return
        if self.outbox.qsize() >= MAX_QUEUED_MESSAGES:
            self.close()
            return
        self.outbox.put_nowait(text)

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
        self.outbox.put_nowait(None)
