"""What one RPC server lets its clients hold: connections, request and answer sizes, unread answers,
subscriptions and watched storage keys.

Every limit is per server (the node) unless its name says per connection. A request past a limit gets
a JSON-RPC error that names the limit; a client that does not read its answers is disconnected once
`max_outbox_bytes` of them wait for it. The error codes are jsonrpsee's, which Substrate nodes answer
with for the same conditions.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from phalanx.node.errors import ConfigError

MIB = 1024 * 1024

TOO_MANY_SUBSCRIPTIONS = -32006
"""jsonrpsee's code for a subscription (or watched key) past a cap."""
BATCH_ANSWER_TOO_LARGE = -32011
"""jsonrpsee's code for a batch whose answers together exceed the answer size limit."""


@dataclass(frozen=True)
class RpcLimits:
    """The limits of one RPC server; the defaults are those of `phalanx dev` (docs/architecture.md)."""

    max_connections: int = 256
    max_request_bytes: int = 15 * MIB
    max_batch_calls: int = 1024
    max_batch_answer_bytes: int = 15 * MIB
    """A batch whose answers add up to more is answered with one BATCH_ANSWER_TOO_LARGE error."""
    max_outbox_bytes: int = 32 * MIB
    """Answers and notifications queued for one connection that its client has not read yet."""
    max_outbox_messages: int = 65_536
    max_subscriptions_per_connection: int = 1024
    max_subscriptions: int = 16_384
    max_storage_keys_per_connection: int = 16_384
    """Storage keys one connection's `state_subscribeStorage` subscriptions watch together."""
    max_storage_keys: int = 262_144

    def check(self) -> None:
        """Raise ConfigError naming the first unusable limit."""
        for item in fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"the RPC limit {item.name} must be a positive integer, got {value!r}")
        if self.max_outbox_bytes < self.max_batch_answer_bytes:
            raise ConfigError("the RPC outbox of a connection must hold at least one full batch answer "
                              f"({self.max_batch_answer_bytes} bytes), got {self.max_outbox_bytes}")
