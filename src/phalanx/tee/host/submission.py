"""Submitting the host account's extrinsics and following each one until the chain decided it.

`Submitter.submit(compose, what)` signs with a fresh nonce, submits with
`author_submitAndWatchExtrinsic`, and follows the status updates to `finalized`. Then it reads the
block's `System.Events` for the extrinsic's index and tells whether the call succeeded
(`Included.failure is None`) or failed (`System.ExtrinsicFailed`: `failure` names the error,
e.g. `Registry.MeasurementNotAllowed`). A transaction that the pool refuses, or that ends
`dropped`, `invalid` or `usurped`, or that no block takes within `RetryPolicy.inclusion_timeout_s`,
is submitted again with a fresh nonce after a backoff, at most `RetryPolicy.attempts` times; the
caller's `settled()` check runs before every attempt, so an effect that reached the chain by
another way (a replica's copy, a slow block) is not paid for twice.

Submissions of one account are serialised up to the moment the pool accepted them (the nonce comes
from `system_accountNextIndex`, which counts the pool's transactions), then followed concurrently.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from phalanx.client.rpc import ClientError, RpcClient
from phalanx.client.tx import compose_signed_extrinsic, fetch_chain_context, next_nonce
from phalanx.crypto import Keypair, blake2_256
from phalanx.errors import PhalanxError
from phalanx.runtime.assembly import MODULES_BY_INDEX
from phalanx.runtime.modules.system import declarations as system_d
from phalanx.runtime.runtime import decode_events

log = logging.getLogger("phalanx.worker")

FINAL_STATUSES = ("dropped", "invalid")


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


@dataclass(frozen=True)
class Included:
    """Where the chain put an extrinsic, and whether its call succeeded (`failure` is None) or failed."""

    block_hash: bytes
    block_number: int
    index: int
    failure: str | None


class Lost(Exception):
    """One attempt ended without inclusion (internal: the submitter retries)."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def describe_dispatch_error(error: Any) -> str:
    """`Registry.MeasurementNotAllowed: <its doc line>` for a module error; the variant's name otherwise."""
    if isinstance(error, tuple) and len(error) == 2 and error[0] == "Module" and isinstance(error[1], dict):
        index, code = int(error[1].get("index", -1)), bytes(error[1].get("error", b"\xff"))[:1]
        module = MODULES_BY_INDEX.get(index)
        found = module.error_by_index(code[0]) if module is not None and code else None
        if module is None or found is None:
            return f"module error {code.hex()} of pallet {index}"
        doc = (found.__doc__ or "").strip().splitlines()
        return f"{module.name}.{found.__name__}" + (f": {doc[0].strip()}" if doc else "")
    if isinstance(error, tuple) and error:
        return str(error[0]) if error[1] is None else f"{error[0]} {error[1]!r}"
    return repr(error)


def compute_extrinsic_failure(events: list[Any], index: int) -> str | None:
    """The named dispatch error if extrinsic `index` failed (`System.ExtrinsicFailed`), else None."""
    for event in events:
        if event.phase == ("ApplyExtrinsic", index) and (event.module, event.name) == (
            "System", "ExtrinsicFailed"
        ):
            return describe_dispatch_error(event.fields.get("dispatch_error"))
    return None


class Submitter:
    """Signs, submits and follows the extrinsics of one account on one node connection."""

    def __init__(self, rpc: RpcClient, account: Keypair, policy: RetryPolicy | None = None) -> None:
        self.rpc = rpc
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
    ) -> Included | None:
        """Get the call `call()` returns (asked anew for each attempt) into a finalized block.

        Returns where it landed (check `failure`), or None when `settled()` said before an attempt
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
                included = await self._attempt(await call(), what, accept)
            except Lost as lost:
                reasons.append(lost.why)
                log.warning("%s: %s", what, lost.why)
                continue
            failure = included.failure
            if failure is not None and failure.split(":")[0] in retry_failures:
                reasons.append(f"failed in block #{included.block_number}: {failure}")
                log.warning("%s failed in block #%d: %s", what, included.block_number, failure)
                continue
            return included
        attempts = self.policy.attempts
        raise SubmissionFailed(f"{what}: no block took it in {attempts} attempts ({'; '.join(reasons)})")

    async def _attempt(self, call: bytes, what: str, on_accepted: Callable[[], None]) -> Included:
        async with contextlib.AsyncExitStack() as stack:
            async with self._lock:  # one nonce per transaction: the pool must hold it before the next asks
                try:
                    chain = await fetch_chain_context(self.rpc)
                    nonce = await next_nonce(self.rpc, self.account.public_key)
                    xt = compose_signed_extrinsic(self.account, call, nonce, chain)
                    updates = await stack.enter_async_context(self.rpc.subscribe(
                        "author_submitAndWatchExtrinsic", ["0x" + xt.hex()], "author_unwatchExtrinsic"
                    ))  # fmt: skip
                except (ClientError, TimeoutError) as exc:
                    reason = exc.message if isinstance(exc, ClientError) else "no answer"
                    raise Lost(f"the pool did not accept it: {reason}") from None
            log.debug("%s: extrinsic 0x%s with nonce %d is in the pool", what, blake2_256(xt).hex(), nonce)
            on_accepted()
            timeout = self.policy.inclusion_timeout_s
            try:
                block_hash = await asyncio.wait_for(self._until_finalized(updates), timeout)
            except TimeoutError:
                raise Lost(f"no block took it (nonce {nonce}) within {timeout:.0f} s") from None
        return await self._outcome(xt, block_hash)

    async def _until_finalized(self, updates: Any) -> bytes:
        try:
            async for status in updates:
                if isinstance(status, dict) and "finalized" in status:
                    return bytes.fromhex(str(status["finalized"])[2:])
                if status in FINAL_STATUSES:
                    raise Lost(f"the pool reported the transaction {status}")
                if isinstance(status, dict) and "usurped" in status:
                    raise Lost("another transaction of the account took its nonce (usurped)")
        except ClientError as exc:
            raise Lost(f"the status stream failed: {exc.message}") from None
        raise Lost("the status stream ended before finalization")

    async def _outcome(self, xt: bytes, block_hash: bytes) -> Included:
        at = "0x" + block_hash.hex()
        block = await self.rpc.request("chain_getBlock", [at])
        extrinsics: list[str] = list(block["block"]["extrinsics"]) if block else []
        number = int(str(block["block"]["header"]["number"]), 16) if block else -1
        hex_xt = "0x" + xt.hex()
        if hex_xt not in extrinsics:
            raise Lost(f"block {at} was reported to hold the transaction, but does not")
        index = extrinsics.index(hex_xt)
        raw = await self.rpc.request("state_getStorage", ["0x" + system_d.Events.key.hex(), at])
        events = decode_events(bytes.fromhex(raw[2:])) if raw else []
        return Included(block_hash, number, index, compute_extrinsic_failure(events, index))
