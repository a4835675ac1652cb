"""Attacks on a real dev node's RPC limits, on loopback.

One client asking for 1,000 storage subscriptions of 1,000 keys is refused past the per-connection
caps, while it holds the most it may the chain goes on and its notifications are right. A client that
sends and never reads is disconnected once its unread answers pass the byte bound, and the node keeps
serving the others; a batch whose answers would pass the answer cap gets one error.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import re
import socket
import struct
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import aiohttp
import pytest

from phalanx.crypto.keys import Keypair
from phalanx.engine.dev import TIMESTAMP_NOW_KEY
from phalanx.node.rpc.limits import BATCH_ANSWER_TOO_LARGE, TOO_MANY_SUBSCRIPTIONS, RpcLimits
from phalanx.runtime.assembly import CALLS
from phalanx.runtime.extrinsic import sign_extrinsic
from phalanx.runtime.modules.system import declarations as system_d
from phalanx.runtime.version import SPEC_VERSION, TRANSACTION_VERSION
from tests.support.rpc_socket import RpcSocket, request

if TYPE_CHECKING:
    from tests.support.dev_nodes import DevProcess

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

LIMITS = RpcLimits()  # what `phalanx dev` runs with
KEYS_PER_SUBSCRIPTION = 1000


def idle_keys(count: int, salt: int) -> list[str]:
    """Storage keys nothing writes."""
    return [hexed(b"idle" + salt.to_bytes(4, "big") + index.to_bytes(4, "big")) for index in range(count)]


def hexed(data: bytes) -> str:
    return "0x" + data.hex()


def test_storage_subscriptions_past_the_caps_are_refused_and_blocks_go_on(dev_node: DevProcess) -> None:
    alice, bob = Keypair.from_suri("//Alice"), Keypair.from_suri("//Bob")
    bob_key = hexed(system_d.Account.key(bob.public_key))
    now_key = hexed(TIMESTAMP_NOW_KEY)

    async def main() -> None:
        async with RpcSocket.connect(dev_node.url) as attacker, RpcSocket.connect(dev_node.url) as other:
            # The attack: 1,000 subscriptions of 1,000 keys, in batches. Only the first 16,384 keys
            # are watched; every subscription past the cap is refused.
            watched = [now_key, bob_key, *idle_keys(KEYS_PER_SUBSCRIPTION - 2, 0)]
            subscriptions: list[str] = []
            refusals: list[dict[str, Any]] = []
            for first in range(0, 1000, 100):
                calls = [("state_subscribeStorage", [idle_keys(KEYS_PER_SUBSCRIPTION, n) if n else watched])
                         for n in range(first, first + 100)]
                for answer in await attacker.batch(calls):
                    if "result" in answer:
                        subscriptions.append(answer["result"])
                    else:
                        refusals.append(answer["error"])
            full = LIMITS.max_storage_keys_per_connection // KEYS_PER_SUBSCRIPTION
            assert len(subscriptions) == full and len(refusals) == 1000 - full
            assert {error["code"] for error in refusals} == {TOO_MANY_SUBSCRIPTIONS}
            assert f"may watch {LIMITS.max_storage_keys_per_connection} storage keys" in refusals[0]["data"]
            left = LIMITS.max_storage_keys_per_connection - full * KEYS_PER_SUBSCRIPTION
            subscriptions.append(await attacker.result("state_subscribeStorage", idle_keys(left, 5000)))
            refused = await attacker.call("state_subscribeStorage", idle_keys(1, 5001))
            assert refused["error"]["code"] == TOO_MANY_SUBSCRIPTIONS
            # Then head subscriptions up to the per-connection cap of subscriptions.
            room = LIMITS.max_subscriptions_per_connection - len(subscriptions)
            answers = await attacker.batch([("chain_subscribeNewHeads", [])] * room)
            heads = [answer["result"] for answer in answers]
            refused = await attacker.call("chain_subscribeNewHeads")
            assert refused["error"]["code"] == TOO_MANY_SUBSCRIPTIONS
            assert f"{LIMITS.max_subscriptions_per_connection} subscriptions" in refused["error"]["data"]

            # Every storage subscription got its initial value, as before.
            await attacker.until(lambda: all(attacker.notifications.get(s) for s in subscriptions),
                                 "the initial values of every storage subscription")
            initial = attacker.notifications[subscriptions[0]][0]
            assert [change[0] for change in initial["changes"]] == watched
            assert dict(initial["changes"])[now_key] == await other.result("state_getStorage", now_key,
                                                                           initial["block"])

            # While the attacker holds all that, the chain goes on and another client is served.
            start = int((await other.result("chain_getHeader"))["number"], 16)
            call = CALLS.encode(CALLS.call("Balances", "transfer_keep_alive", dest=("Id", bob.public_key),
                                           value=10**12))
            nonce = await other.result("system_accountNextIndex", alice.ss58_address())
            xt = sign_extrinsic(alice, call, nonce, genesis_hash=bytes.fromhex(dev_node.genesis[2:]),
                                spec_version=SPEC_VERSION, transaction_version=TRANSACTION_VERSION)
            await other.result("author_submitExtrinsic", hexed(xt))
            target = start + 5

            def top(subscription: str) -> int:
                return max((int(h["number"], 16) for h in attacker.notifications.get(subscription, [])),
                           default=0)

            await attacker.until(lambda: top(heads[-1]) >= target, f"block #{target} while under attack")
            assert min(top(h) for h in heads) >= target  # every head subscription was told
            assert await other.result("system_health") == {"peers": 0, "isSyncing": False,
                                                          "shouldHavePeers": False}

            # Notifications come from what the blocks changed: the timestamp every block, Bob's
            # account once, with the value the chain holds; never an idle key.
            def bob_changes() -> list[Any]:
                return [(n["block"], value) for n in attacker.notifications[subscriptions[0]][1:]
                        for key, value in n["changes"] if key == bob_key]

            await attacker.until(lambda: bool(bob_changes()), "a notification of Bob's account")
            [(block, value)] = bob_changes()
            assert value == await other.result("state_getStorage", bob_key, block)
            updates = attacker.notifications[subscriptions[0]][1:]
            assert len(updates) >= target - start - 1
            assert all(change[0] in (now_key, bob_key) for n in updates for change in n["changes"])
            assert all(len(attacker.notifications[s]) == 1 for s in subscriptions[1:])  # idle keys

            # Giving subscriptions back makes room again.
            assert await attacker.result("state_unsubscribeStorage", subscriptions[-1]) is True
            assert isinstance(await attacker.result("state_subscribeStorage", idle_keys(1, 5002)), str)

    asyncio.run(main())


class SilentWebsocket:
    """A raw websocket client that sends masked text frames and never reads what comes back."""

    def __init__(self, url: str) -> None:
        address = urlparse(url)
        assert address.hostname is not None and address.port is not None
        self.sock = socket.create_connection((address.hostname, address.port), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET / HTTP/1.1\r\nHost: {address.hostname}:{address.port}\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        handshake = b""
        while b"\r\n\r\n" not in handshake:  # the only bytes it ever reads
            chunk = self.sock.recv(1)
            if not chunk:
                raise ConnectionError("the server closed during the handshake")
            handshake += chunk
        assert handshake.startswith(b"HTTP/1.1 101"), handshake

    def send(self, text: str, opcode: int = 0x1) -> None:
        payload, mask = text.encode(), os.urandom(4)
        length = len(payload)
        head = bytes([0x80 | opcode])
        head += bytes([0x80 | length]) if length < 126 else bytes([0x80 | 126]) + struct.pack(">H", length)
        self.sock.sendall(head + mask + bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload)))

    async def dropped(self, deadline_s: float = 60.0) -> bool:
        """Whether the server drops the connection within `deadline_s`: pings (never read) until a
        send fails."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + deadline_s
        while loop.time() < deadline:
            try:
                self.send("", opcode=0x9)
            except OSError:
                return True
            await asyncio.sleep(0.1)
        return False

    def close(self) -> None:
        self.sock.close()


def peak_memory_bytes(pid: int) -> int | None:
    """The process's peak resident memory (VmHWM), where /proc tells it."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return None


async def logged(node: DevProcess, text: str, deadline_s: float = 30.0) -> list[str]:
    """The node's log lines holding `text`, once there is one (its output is read by a thread)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + deadline_s
    while not (lines := [line for line in node.lines if text in line]):
        if loop.time() > deadline:
            raise TimeoutError(f"the node did not log {text!r} within {deadline_s:.0f} s")
        await asyncio.sleep(0.1)
    return lines


def test_a_client_that_never_reads_is_disconnected_at_the_byte_bound(dev_node: DevProcess) -> None:
    async def main() -> None:
        async with RpcSocket.connect(dev_node.url) as other:
            heads = await other.result("chain_subscribeNewHeads")
            metadata = await other.result("state_getMetadata")
            metadata_answer = len(json.dumps({"jsonrpc": "2.0", "result": metadata, "id": 5999}))
            # The attack: 6,000 state_getMetadata and never a read (it grew the node by 283 MB).
            peak_before = peak_memory_bytes(dev_node.process.pid)
            silent = SilentWebsocket(dev_node.url)
            try:
                with contextlib.suppress(OSError):  # dropped by the node while sending
                    for index in range(6000):
                        silent.send(json.dumps(request(index, "state_getMetadata", [])))
                assert await silent.dropped(), "the node did not disconnect a client that does not read"
            finally:
                silent.close()
            [disconnected] = await logged(dev_node, "RPC client disconnected")
            found = re.search(r"disconnected: (\d+) bytes of answers unread", disconnected)
            assert found is not None, disconnected
            unread = int(found[1])
            assert f"the limit is {LIMITS.max_outbox_bytes}" in disconnected
            assert LIMITS.max_outbox_bytes < unread <= LIMITS.max_outbox_bytes + metadata_answer
            peak_after = peak_memory_bytes(dev_node.process.pid)
            if peak_before is not None and peak_after is not None:  # far from the 6,000 answers' bytes
                assert peak_after - peak_before < 6000 * metadata_answer // 3, (peak_before, peak_after)

            # The other client is still served, and told of new blocks.
            seen = len(other.notifications.get(heads, []))
            await other.until(lambda: len(other.notifications.get(heads, [])) >= seen + 2, "two more heads")
            assert (await other.result("state_getMetadata")).startswith("0x")

            # A batch whose answers would pass the cap gets one error; a smaller one is answered.
            async with aiohttp.ClientSession() as http:
                async def post(calls: int) -> Any:
                    body = [request(i, "state_getMetadata", []) for i in range(calls)]
                    async with http.post(dev_node.http_url, json=body) as response:
                        return await response.json(content_type=None)

                answer = await post(LIMITS.max_batch_calls)
                assert answer["id"] is None and answer["error"]["code"] == BATCH_ANSWER_TOO_LARGE, answer
                assert f"may take {LIMITS.max_batch_answer_bytes} bytes" in answer["error"]["data"]
                fits = LIMITS.max_batch_answer_bytes // (metadata_answer + 2) - 1
                answers = await post(fits)
                assert [a["id"] for a in answers] == list(range(fits))
                batch = [request(i, "state_getMetadata", []) for i in range(LIMITS.max_batch_calls)]
                await other.ws.send_json(batch)
                await other.until(lambda: None in other.answers, "the answer to an over-large batch")
                assert other.answers.pop(None)["error"]["code"] == BATCH_ANSWER_TOO_LARGE
                assert await other.result("system_name") == "phalanx"

    asyncio.run(main())
