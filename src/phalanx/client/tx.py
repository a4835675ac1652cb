"""Sign Substrate extrinsics for a phalanx node and hand them to its pool (`Chain.submit` follows them).

Signed extrinsic (version 4): `compact(len) ++ 0x84 ++ MultiAddress::Id(0x00 ++ account) ++
MultiSignature(key type ++ 64-byte signature) ++ era ++ compact(nonce) ++ compact(tip) ++ call`.
The signed payload is `call ++ era ++ compact(nonce) ++ compact(tip) ++ spec_version (u32) ++
transaction_version (u32) ++ genesis_hash ++ era_block_hash`, hashed with blake2_256 when longer
than 256 bytes. Transactions here are immortal (era 0x00, era block hash = genesis hash).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from phalanx.client.rpc import RpcClient
from phalanx.codec.compact import encode_compact
from phalanx.crypto.hashing import blake2_256
from phalanx.crypto.keys import Keypair
from phalanx.primitives.ss58 import ss58_encode

IMMORTAL_ERA = b"\x00"
EXTRINSIC_VERSION_SIGNED = 0x84


@dataclass(frozen=True)
class ChainContext:
    """What signing needs from the chain."""

    genesis_hash: bytes
    spec_version: int
    transaction_version: int


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
