"""A small blocking JSON-RPC client for CometBFT's RPC and the node's Substrate RPC (HTTP POST).

Used by `phalanx net`, tests and benchmarks, not by the node's event loop (which uses aiohttp).
"""

from __future__ import annotations

import base64
import itertools
import json
import urllib.error
import urllib.request
from typing import Any

from phalanx.localnet.cometbft.errors import RpcFailed

_ids = itertools.count(1)


def call(url: str, method: str, params: dict[str, Any] | list[Any] | None = None,
         timeout: float = 10.0) -> Any:
    """Call `method` at the HTTP JSON-RPC endpoint `url`; returns `result`, raises RpcFailed."""
    body = json.dumps({"jsonrpc": "2.0", "id": next(_ids), "method": method,
                       "params": params if params is not None else {}}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            reply = json.load(answer)
    except (OSError, urllib.error.URLError, json.JSONDecodeError) as exc:
        raise RpcFailed(f"{method} at {url}: {exc}") from None
    if not isinstance(reply, dict):
        raise RpcFailed(f"{method} at {url}: the answer is not a JSON-RPC object")
    if reply.get("error") is not None:
        raise RpcFailed(f"{method} at {url}: {reply['error']}")
    return reply.get("result")


class CometRpc:
    """Typed helpers over CometBFT's RPC at `url` (http://HOST:PORT)."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url
        self.timeout = timeout

    def call(self, method: str, **params: Any) -> Any:
        return call(self.url, method, params, self.timeout)

    def status(self) -> dict[str, Any]:
        result: dict[str, Any] = self.call("status")
        return result

    def latest_height(self) -> int:
        return int(self.status()["sync_info"]["latest_block_height"])

    def net_info(self) -> dict[str, Any]:
        result: dict[str, Any] = self.call("net_info")
        return result

    def app_hash_at(self, height: int) -> bytes:
        """The app hash this node's application returned from FinalizeBlock at `height`."""
        result = self.call("block_results", height=str(height))
        return base64.b64decode(result.get("app_hash") or "")  # a protobuf bytes field: base64 in JSON

    def header_app_hash(self, height: int) -> bytes:
        """The app hash committed in header `height` (the result of block `height - 1`)."""
        result = self.call("header", height=str(height))
        return bytes.fromhex(result["header"]["app_hash"])

    def block_id_hash(self, height: int) -> bytes:
        """The hash of block `height` (its header hash)."""
        result = self.commit(height)
        return bytes.fromhex(result["signed_header"]["commit"]["block_id"]["hash"])

    def broadcast_tx_sync(self, tx: bytes) -> dict[str, Any]:
        result: dict[str, Any] = self.call("broadcast_tx_sync", tx=base64.b64encode(tx).decode())
        return result

    def check_tx(self, tx: bytes) -> dict[str, Any]:
        result: dict[str, Any] = self.call("check_tx", tx=base64.b64encode(tx).decode())
        return result

    def commit(self, height: int) -> dict[str, Any]:
        result: dict[str, Any] = self.call("commit", height=str(height))
        return result

    def validators(self, height: int) -> dict[str, Any]:
        result: dict[str, Any] = self.call("validators", height=str(height), per_page="100")
        return result
