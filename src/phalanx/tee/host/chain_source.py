"""Fetching what the enclave needs from a node over Substrate JSON-RPC: header bytes, finality proof,
state proofs of the enclave's storage keys.

RPC methods: `chain_getBlockHash`, `chain_getBlock` (header JSON and `justifications`),
`chain_getFinalizedHead`, `chain_subscribeFinalizedHeads`, and `state_getProof(keys, at)`, which
returns `ChainStore.state_proof(keys, at)` as hex (the node serves it for enclaves and light clients).

`NodeSource` follows a dev node (the justification is the dev authority's signature in the block).
`CometBftSource` follows a validator of a CometBFT network: the Substrate block and proofs from its
node, the finality proof of block H from its CometBFT RPC (`/commit?height=H+1`,
`/validators?height=H+1`), so block H is fed only once CometBFT has committed height H+1. Its trust
root comes from CometBFT's `/genesis` (chain id, genesis validators); the host is not trusted for
it: the attestation binds it and the chain's registry compares it with its own.
"""

from __future__ import annotations

import base64
import binascii
import logging
from typing import Any

import aiohttp

from phalanx.client.rpc import RpcClient
from phalanx.codec import encode_compact
from phalanx.errors import PhalanxError
from phalanx.wire.enclave_protocol import PROOF_KEYS, BlockInput, encode_cometbft_justification
from phalanx.wire.errors import MalformedInput
from phalanx.wire.trust import CometBftTrust

MAX_VALIDATORS_PER_PAGE = 100  # CometBFT's largest page
log = logging.getLogger("phalanx.worker")


class CometBftRpcError(PhalanxError):
    """The CometBFT RPC did not answer, or answered with an error or an unexpected shape."""

    module = "worker"
    code = 21


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

    async def describe_wait(self, number: int) -> str:
        """What block `number` waits for, for the host's log."""
        return f"the node's finalized head is #{await NodeSource.finalized_number(self)}"

    async def fetch_block(self, number: int) -> BlockInput:
        block_hash = await self.rpc.request("chain_getBlockHash", [number])
        if block_hash is None:
            raise MalformedInput(f"the node has no block #{number}")
        signed = await self.rpc.request("chain_getBlock", [block_hash])
        header = encode_header_json(signed["block"]["header"])
        justifications = signed.get("justifications") or []
        justification = _unhex(justifications[0][1]) if justifications else b""
        keys = ["0x" + key.hex() for key in PROOF_KEYS]
        proofs = _unhex(await self.rpc.request("state_getProof", [keys, block_hash]))
        return BlockInput(header, justification, proofs)


class CometBftSource(NodeSource):
    """Reads finalized blocks from a validator's node, with CometBFT finality proofs from its RPC."""

    def __init__(self, rpc: RpcClient, cometbft_url: str, session: aiohttp.ClientSession) -> None:
        super().__init__(rpc)
        self.cometbft_url = cometbft_url.rstrip("/")
        self.session = session

    async def call(self, method: str, **params: str) -> Any:
        """GET `URL/method?params`; returns the JSON-RPC `result` or raises `CometBftRpcError`."""
        url = f"{self.cometbft_url}/{method}"
        try:
            async with self.session.get(url, params=params, timeout=aiohttp.ClientTimeout(total=10)) as resp:
                body = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise CometBftRpcError(f"CometBFT RPC {method} failed: {exc}") from None
        if not isinstance(body, dict) or "result" not in body:
            error = body.get("error") if isinstance(body, dict) else body
            raise CometBftRpcError(f"CometBFT RPC {method} {params} answered {error!r:.200}")
        return body["result"]

    async def latest_height(self) -> int:
        status = await self.call("status")
        try:
            return int(status["sync_info"]["latest_block_height"])
        except (KeyError, TypeError, ValueError):
            raise CometBftRpcError("CometBFT /status has no latest_block_height") from None

    async def finalized_number(self) -> int:
        """The newest block whose proof exists: CometBFT must have committed the height after it."""
        substrate = await super().finalized_number()
        latest = await self.latest_height()
        if latest - 1 < substrate:
            log.debug("block #%d waits for CometBFT height %d (latest: %d)", substrate, substrate + 1, latest)
        return min(substrate, latest - 1)

    async def describe_wait(self, number: int) -> str:
        substrate = await super().finalized_number()
        latest = await self.latest_height()
        if substrate < number:
            return f"the node's finalized head is #{substrate} (CometBFT height {latest})"
        return f"its proof is CometBFT's commit of height {number + 1}; CometBFT is at height {latest}"

    async def trust(self, genesis_hash: bytes) -> CometBftTrust:
        """The trust root: this node's genesis hash, CometBFT's chain id and genesis validators."""
        genesis = (await self.call("genesis")).get("genesis", {})
        try:
            validators = [
                (base64.b64decode(v["pub_key"]["value"], validate=True), int(v["power"]))
                for v in genesis["validators"]
                if v["pub_key"]["type"] == "tendermint/PubKeyEd25519"
            ]
            return CometBftTrust.from_validators(genesis_hash, str(genesis["chain_id"]), validators)
        except (KeyError, TypeError, ValueError, binascii.Error):
            raise CometBftRpcError("CometBFT /genesis lacks chain_id or validators") from None

    async def fetch_block(self, number: int) -> BlockInput:
        block = await super().fetch_block(number)
        height = str(number + 1)
        commit = await self.call("commit", height=height)
        validators = await self.call("validators", height=height, per_page=str(MAX_VALIDATORS_PER_PAGE))
        justification = encode_cometbft_justification(commit, validators)
        return BlockInput(block.header, justification, block.proofs)
