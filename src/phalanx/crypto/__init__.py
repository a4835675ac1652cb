"""Cryptography used by phalanx: hashing, account keys and signatures, and authenticated encryption.

Everything here wraps well-kept libraries (`hashlib`, `xxhash`, the sr25519 / ed25519-zebra / bip39
bindings used across the Substrate ecosystem, and `cryptography`); nothing is hand-rolled.
"""

from phalanx.crypto.errors import CryptoError, DecryptionError, InvalidKey, InvalidSecretUri
from phalanx.crypto.hashing import (
    blake2_128,
    blake2_128_concat,
    blake2_256,
    identity,
    twox_64,
    twox_64_concat,
    twox_128,
    twox_256,
)
from phalanx.crypto.keys import Keypair, KeyType, generate_mnemonic, verify_signature

__all__ = [
    "CryptoError",
    "DecryptionError",
    "InvalidKey",
    "InvalidSecretUri",
    "KeyType",
    "Keypair",
    "blake2_128",
    "blake2_128_concat",
    "blake2_256",
    "generate_mnemonic",
    "identity",
    "twox_64",
    "twox_64_concat",
    "twox_128",
    "twox_256",
    "verify_signature",
]
