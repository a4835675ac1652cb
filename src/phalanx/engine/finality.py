"""The dev engine's finality proof: the dev authority's signature over a block hash.

A dev block is final when the dev authority (its public key is in the genesis configuration)
signed `DOMAIN ++ genesis_hash ++ block_hash`. The justification stored with the block is
`VERSION ++ key_type ++ signature` (1 + 1 + 64 bytes). `verify_dev_justification` is pure and is
what an enclave or light client following a dev chain calls; it raises `InvalidJustification`
on any mismatch, garbage bytes included.
"""

from __future__ import annotations

from dataclasses import dataclass

from phalanx.crypto.keys import Keypair, KeyType, verify_signature
from phalanx.errors import PhalanxError

DOMAIN = b"phalanx/dev-finality/v1"
VERSION = 1
JUSTIFICATION_LENGTH = 66


class InvalidJustification(PhalanxError):
    """A dev block's justification is malformed or not signed by the dev authority."""

    module = "engine.dev"
    code = 1


@dataclass(frozen=True)
class DevAuthority:
    """The public side of the dev authority: what a verifier trusts."""

    key_type: KeyType
    public_key: bytes


def compute_signing_payload(genesis_hash: bytes, block_hash: bytes) -> bytes:
    return DOMAIN + genesis_hash + block_hash


def sign_dev_justification(authority: Keypair, genesis_hash: bytes, block_hash: bytes) -> bytes:
    signature = authority.sign(compute_signing_payload(genesis_hash, block_hash))
    return bytes((VERSION, int(authority.key_type))) + signature


def verify_dev_justification(
    authority: DevAuthority, genesis_hash: bytes, block_hash: bytes, justification: bytes
) -> None:
    """Accept `justification` as the finality proof of `block_hash`, or raise `InvalidJustification`."""
    if len(justification) != JUSTIFICATION_LENGTH:
        raise InvalidJustification(
            f"a dev justification has {JUSTIFICATION_LENGTH} bytes, got {len(justification)}")
    if justification[0] != VERSION:
        raise InvalidJustification(f"unknown dev justification version {justification[0]}")
    if justification[1] != int(authority.key_type):
        raise InvalidJustification("the justification uses another key type than the dev authority's")
    payload = compute_signing_payload(genesis_hash, block_hash)
    if not verify_signature(authority.key_type, authority.public_key, payload, justification[2:]):
        raise InvalidJustification(f"block 0x{block_hash.hex()} is not signed by the dev authority")
