"""Compose, sign and submit Substrate extrinsics to a phalanx node.

Signed extrinsic (version 4): `compact(len) ++ 0x84 ++ MultiAddress::Id(0x00 ++ account) ++
MultiSignature(key type ++ 64-byte signature) ++ era ++ compact(nonce) ++ compact(tip) ++ call`.
The signed payload is `call ++ era ++ compact(nonce) ++ compact(tip) ++ spec_version (u32) ++
transaction_version (u32) ++ genesis_hash ++ era_block_hash`, hashed with blake2_256 when longer
than 256 bytes. Transactions here are immortal (era 0x00, era block hash = genesis hash).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from phalanx.client.rpc import ClientError, RpcClient
from phalanx.codec.compact import encode_compact
from phalanx.crypto.hashing import blake2_256
from phalanx.crypto.keys import Keypair
from phalanx.primitives.ss58 import ss58_encode

IMMORTAL_ERA = b"\x00"
EXTRINSIC_VERSION_SIGNED = 0x84


class TransactionFailed(ClientError):
    """The transaction was refused by the pool or dropped before finalization."""

    code = 10


@dataclass(frozen=True)
class ChainContext:
    """What signing needs from the chain."""

    genesis_hash: bytes
    spec_version: int
    transaction_version: int


@dataclass(frozen=True)
class Finalized:
    """A finalized extrinsic: its hash, the block that holds it, and its index in that block."""

    extrinsic_hash: bytes
    block_hash: bytes
    index: int | None


def compute_signing_payload(call: bytes, nonce: int, tip: int, chain: ChainContext) -> bytes:
    payload = (
        call + IMMORTAL_ERA + encode_compact(nonce) + encode_compact(tip)
        + chain.spec_version.to_bytes(4, "little") + chain.transaction_version.to_bytes(4, "little")
        + chain.genesis_hash + chain.genesis_hash
    )
    return blake2_256(payload) if len(payload) > 256 else payload


def compose_signed_extrinsic(signer: Keypair, call: bytes, nonce: int, chain: ChainContext, tip: int = 0,
                             sign: Callable[[bytes], bytes] | None = None) -> bytes:
    """The encoded extrinsic (with its length prefix) of `call` signed by `signer`.

    `sign` replaces the signer's signing function (tests use it to forge signatures)."""
    signature = (sign or signer.sign)(compute_signing_payload(call, nonce, tip, chain))
    body = (
        bytes((EXTRINSIC_VERSION_SIGNED, 0x00)) + signer.public_key
        + bytes((int(signer.key_type),)) + signature
        + IMMORTAL_ERA + encode_compact(nonce) + encode_compact(tip) + call
    )
    return encode_compact(len(body)) + body


def encode_transfer_call(pallet_index: int, call_index: int, dest: bytes, amount: int) -> bytes:
    """`Balances.transfer_*(dest: MultiAddress::Id, value: Compact<u128>)`."""
    return bytes((pallet_index, call_index, 0x00)) + dest + encode_compact(amount)


async def fetch_chain_context(rpc: RpcClient) -> ChainContext:
    genesis = await rpc.request("chain_getBlockHash", [0])
    version = await rpc.request("state_getRuntimeVersion")
    return ChainContext(bytes.fromhex(genesis[2:]), int(version["specVersion"]),
                        int(version["transactionVersion"]))


async def next_nonce(rpc: RpcClient, account: bytes) -> int:
    return int(await rpc.request("system_accountNextIndex", [ss58_encode(account)]))


async def submit(rpc: RpcClient, xt: bytes) -> bytes:
    """Submit without waiting; returns the extrinsic hash."""
    result = await rpc.request("author_submitExtrinsic", ["0x" + xt.hex()])
    return bytes.fromhex(str(result)[2:])


async def submit_and_wait_finalized(rpc: RpcClient, xt: bytes, timeout: float = 120.0) -> Finalized:
    """Submit, follow the status updates, return at `finalized`; raise TransactionFailed when the
    transaction is refused, dropped, invalid or usurped."""
    async def follow() -> Finalized:
        async with rpc.subscribe("author_submitAndWatchExtrinsic", ["0x" + xt.hex()],
                                 "author_unwatchExtrinsic") as updates:
            async for status in updates:
                if isinstance(status, dict) and "finalized" in status:
                    block_hash = bytes.fromhex(status["finalized"][2:])
                    block = await rpc.request("chain_getBlock", [status["finalized"]])
                    extrinsics: list[Any] = block["block"]["extrinsics"] if block else []
                    hex_xt = "0x" + xt.hex()
                    index = extrinsics.index(hex_xt) if hex_xt in extrinsics else None
                    return Finalized(blake2_256(xt), block_hash, index)
                if status in ("dropped", "invalid") or (isinstance(status, dict) and "usurped" in status):
                    what = status if isinstance(status, str) else "usurped"
                    raise TransactionFailed(f"the transaction was {what}")
        raise TransactionFailed("the status stream ended before finalization")

    return await asyncio.wait_for(follow(), timeout)
