"""Submitting the host account's extrinsics and following each one until the chain decided it.

`Submitter.submit(compose, what)` signs with a fresh nonce, submits and follows the extrinsic to
its finalized block with `phalanx.client.chain.Chain` (`watch`, then `Watched.finalized`), which
returns a `Receipt` telling whether the call succeeded (`Receipt.error is None`) or failed
(`System.ExtrinsicFailed`: `error` names it, e.g. `Registry.MeasurementNotAllowed`). A transaction
that the pool refuses, or that ends `dropped`, `invalid` or `usurped`, or that no block takes within
`RetryPolicy.inclusion_timeout_s`, is submitted again with a fresh nonce after a backoff, at most
`RetryPolicy.attempts` times; the caller's `settled()` check runs before every attempt, so an effect
that reached the chain by another way (a replica's copy, a slow block) is not paid for twice.

Submissions of one account are serialised up to the moment the pool accepted them (the nonce comes
from `system_accountNextIndex`, which counts the pool's transactions), then followed concurrently.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from phalanx.client.chain import Chain, Receipt, TransactionFailed, Watched
from phalanx.client.rpc import ClientError, RpcClient
from phalanx.crypto import Keypair
from phalanx.errors import PhalanxError

log = logging.getLogger("phalanx.worker")

LOST_BECAUSE = {
    "dropped": "the pool reported the transaction dropped",
    "invalid": "the pool reported the transaction invalid",
    "usurped": "another transaction of the account took its nonce (usurped)",
}
"""How the host's log names a transaction that did not reach a block (by `TransactionFailed.outcome`)."""


class SubmissionFailed(PhalanxError):
    """The host could not get an extrinsic into a block: every attempt was refused, dropped or lost."""

    module = "worker"
    code = 22


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a submission is retried (the delay doubles up to `max_backoff_s`)."""

    attempts: int = 5
    inclusion_timeout_s: float = 60.0
    backoff_s: float = 1.0
    max_backoff_s: float = 15.0

    def delay(self, attempt: int) -> float:
        """The pause before attempt `attempt` (1-based; the first attempt waits for nothing)."""
        return 0.0 if attempt <= 1 else min(self.max_backoff_s, self.backoff_s * 2 ** (attempt - 2))


class Lost(Exception):
    """One attempt ended without inclusion (internal: the submitter retries)."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class Submitter:
    """Signs, submits and follows the extrinsics of one account on one node connection."""

    def __init__(self, rpc: RpcClient, account: Keypair, policy: RetryPolicy | None = None) -> None:
        self.rpc = rpc
        self.chain = Chain(rpc)
        self.account = account
        self.policy = policy or RetryPolicy()
        self._lock = asyncio.Lock()

    async def submit(
        self,
        call: Callable[[], Awaitable[bytes]],
        what: str,
        *,
        settled: Callable[[], Awaitable[bool]] | None = None,
        retry_failures: tuple[str, ...] = (),
        on_accepted: Callable[[], None] | None = None,
    ) -> Receipt | None:
        """Get the call `call()` returns (asked anew for each attempt) into a finalized block.

        Returns its receipt (check `error`), or None when `settled()` said before an attempt
        that the chain holds the effect already. A call that failed with an error named in
        `retry_failures` (e.g. `"Mq.OutOfOrder"`) is tried again like a lost one. `on_accepted` runs
        once, when the pool first accepted a transaction. Raises `SubmissionFailed` after
        `policy.attempts` attempts."""
        accepted = on_accepted is None

        def accept() -> None:
            nonlocal accepted
            if not accepted and on_accepted is not None:
                accepted = True
                on_accepted()

        reasons: list[str] = []
        for attempt in range(1, self.policy.attempts + 1):
            delay = self.policy.delay(attempt)
            if delay:
                log.info("%s: attempt %d of %d in %.0f s", what, attempt, self.policy.attempts, delay)
                await asyncio.sleep(delay)
            if settled is not None and await settled():
                return None
            try:
                receipt = await self._attempt(await call(), what, accept)
            except Lost as lost:
                reasons.append(lost.why)
                log.warning("%s: %s", what, lost.why)
                continue
            if receipt.events_error is not None:
                raise SubmissionFailed(f"{what}: the events of block #{receipt.block_number} do not decode: "
                                       f"{receipt.events_error}")  # fmt: skip
            error = receipt.error
            if error is not None and error.qualified_name in retry_failures:
                reasons.append(f"failed in block #{receipt.block_number}: {error}")
                log.warning("%s failed in block #%d: %s", what, receipt.block_number, error)
                continue
            return receipt
        attempts = self.policy.attempts
        raise SubmissionFailed(f"{what}: no block took it in {attempts} attempts ({'; '.join(reasons)})")

    async def _attempt(self, call: bytes, what: str, on_accepted: Callable[[], None]) -> Receipt:
        async with contextlib.AsyncExitStack() as stack:
            async with self._lock:  # one nonce per transaction: the pool must hold it before the next asks
                try:
                    watched = await stack.enter_async_context(self.chain.watch(self.account, call))
                except (ClientError, TimeoutError) as exc:
                    reason = exc.message if isinstance(exc, ClientError) else "no answer"
                    raise Lost(f"the pool did not accept it: {reason}") from None
            log.debug("%s: extrinsic 0x%s with nonce %d is in the pool", what, watched.extrinsic_hash.hex(),
                      watched.nonce)  # fmt: skip
            on_accepted()
            timeout = self.policy.inclusion_timeout_s
            try:
                return await asyncio.wait_for(self._until_finalized(watched), timeout)
            except TimeoutError:
                raise Lost(f"no block took it (nonce {watched.nonce}) within {timeout:.0f} s") from None

    async def _until_finalized(self, watched: Watched) -> Receipt:
        try:
            return await watched.finalized()
        except TransactionFailed as exc:
            raise Lost(LOST_BECAUSE.get(exc.outcome, exc.message)) from None
        except ClientError as exc:
            raise Lost(f"the status stream failed: {exc.message}") from None
