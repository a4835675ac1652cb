"""Fetching what the enclave needs from a node over Substrate JSON-RPC: header bytes, finality proof,
state proofs of the enclave's storage keys.

RPC methods: `chain_getBlockHash`, `chain_getBlock` (header JSON and `justifications`),
`chain_getFinalizedHead`, `chain_subscribeFinalizedHeads`, and `state_getProof(keys, at)`, which
returns `Runtime.state_proof(keys, at)` as hex (the node serves it for enclaves and light clients).
"""

from __future__ import annotations

from typing import Any

from phalanx.client.rpc import RpcClient
from phalanx.codec import encode_compact
from phalanx.tee.enclave.chain import REQUIRED_KEYS, BlockInput
from phalanx.tee.enclave.errors import MalformedInput


def _unhex(value: Any) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise MalformedInput(f"expected a 0x-prefixed hex string, got {value!r:.60}")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise MalformedInput(f"not hex: {value!r:.60}") from None


def encode_header_json(header: dict[str, Any]) -> bytes:
    """The SCALE bytes of a header from its Substrate RPC JSON (the enclave recomputes its hash)."""
    number = int(str(header["number"]), 16)
    logs = [_unhex(item) for item in header["digest"]["logs"]]
    return b"".join(
        (
            _unhex(header["parentHash"]),
            encode_compact(number),
            _unhex(header["stateRoot"]),
            _unhex(header["extrinsicsRoot"]),
            encode_compact(len(logs)),
            *logs,
        )
    )


class NodeSource:
    """Reads finalized blocks for the enclave from one node."""

    def __init__(self, rpc: RpcClient) -> None:
        self.rpc = rpc

    async def finalized_number(self) -> int:
        head = await self.rpc.request("chain_getFinalizedHead")
        header = await self.rpc.request("chain_getHeader", [head])
        return int(str(header["number"]), 16)

    async def genesis_hash(self) -> bytes:
        return _unhex(await self.rpc.request("chain_getBlockHash", [0]))

    async def fetch_block(self, number: int) -> BlockInput:
        block_hash = await self.rpc.request("chain_getBlockHash", [number])
        if block_hash is None:
            raise MalformedInput(f"the node has no block #{number}")
        signed = await self.rpc.request("chain_getBlock", [block_hash])
        header = encode_header_json(signed["block"]["header"])
        justifications = signed.get("justifications") or []
        justification = _unhex(justifications[0][1]) if justifications else b""
        keys = ["0x" + key.hex() for key in REQUIRED_KEYS]
        proofs = _unhex(await self.rpc.request("state_getProof", [keys, block_hash]))
        return BlockInput(header, justification, proofs)
