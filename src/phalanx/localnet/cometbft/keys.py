"""CometBFT key files: a validator's consensus key and a node's p2p key, in CometBFT's JSON shapes.

Both are ed25519. The validator address is the first 20 bytes of SHA-256 of the public key (upper
hex in JSON); the node id, used in peer addresses `ID@HOST:PORT`, is the same digest in lower hex.
Keys derive from a 32-byte seed, so a test may fix them; `generate` draws a fresh seed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

PUB_KEY_TYPE = "tendermint/PubKeyEd25519"
PRIV_KEY_TYPE = "tendermint/PrivKeyEd25519"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def compute_address(public_key: bytes) -> bytes:
    """CometBFT's address of an ed25519 key: SHA-256(public key)[:20]."""
    return hashlib.sha256(public_key).digest()[:20]


@dataclass(frozen=True)
class Ed25519Key:
    """An ed25519 key pair kept as its seed (private) and public key."""

    seed: bytes
    public_key: bytes

    @classmethod
    def from_seed(cls, seed: bytes) -> Ed25519Key:
        private = Ed25519PrivateKey.from_private_bytes(seed)
        public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return cls(seed=seed, public_key=public)

    @classmethod
    def generate(cls) -> Ed25519Key:
        return cls.from_seed(os.urandom(32))

    @property
    def address(self) -> bytes:
        return compute_address(self.public_key)

    @property
    def node_id(self) -> str:
        """The p2p node id (for a node key)."""
        return self.address.hex()

    def sign(self, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)

    def pub_key_json(self) -> dict[str, str]:
        return {"type": PUB_KEY_TYPE, "value": _b64(self.public_key)}

    def priv_key_json(self) -> dict[str, str]:
        # CometBFT stores seed ++ public key (Go's ed25519.PrivateKey layout).
        return {"type": PRIV_KEY_TYPE, "value": _b64(self.seed + self.public_key)}


def write_validator_key(path: Path, key: Ed25519Key) -> None:
    """Write `priv_validator_key.json`."""
    body = {"address": key.address.hex().upper(), "pub_key": key.pub_key_json(),
            "priv_key": key.priv_key_json()}
    path.write_text(json.dumps(body, indent=2) + "\n")
    path.chmod(0o600)


def write_node_key(path: Path, key: Ed25519Key) -> None:
    """Write `node_key.json`."""
    path.write_text(json.dumps({"priv_key": key.priv_key_json()}, indent=2) + "\n")
    path.chmod(0o600)


def read_key_file(path: Path) -> Ed25519Key:
    """Read either key file back (both hold `priv_key` as base64 seed ++ public key)."""
    raw = json.loads(path.read_text())
    data = base64.b64decode(raw["priv_key"]["value"])
    return Ed25519Key.from_seed(data[:32])
