"""Authenticated encryption between parties: X25519 key agreement, HKDF-SHA256, AES-256-GCM.

A *sealed box* is how a user encrypts a command to a contract, how an enclave answers a query and
how a gatekeeper hands a key to a worker: the sender makes an ephemeral X25519 key, derives an AES key
from the shared secret with HKDF (salt: both public keys; info: a purpose label), and encrypts with
AES-256-GCM binding the caller's associated data (contract id, sender, topic). Layout:

    ephemeral_public (32) ++ nonce (12) ++ ciphertext ++ tag (16)

Where several parties must produce byte-identical ciphertexts (gatekeepers), the caller passes the
ephemeral secret and nonce, both derived deterministically from secret material it holds.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from phalanx.crypto.errors import DecryptionError, InvalidKey

NONCE_LEN = 12
TAG_LEN = 16
KEY_LEN = 32
SEALED_OVERHEAD = 32 + NONCE_LEN + TAG_LEN
_BOX_INFO = b"phalanx/box/v1"


def hkdf_sha256(ikm: bytes, info: bytes, length: int = 32, salt: bytes | None = None) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def aead_encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes = b"") -> bytes:
    if len(key) != KEY_LEN or len(nonce) != NONCE_LEN:
        raise InvalidKey("AES-256-GCM takes a 32-byte key and a 12-byte nonce")
    return AESGCM(key).encrypt(nonce, plaintext, aad)


def aead_decrypt(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes = b"") -> bytes:
    if len(key) != KEY_LEN or len(nonce) != NONCE_LEN:
        raise InvalidKey("AES-256-GCM takes a 32-byte key and a 12-byte nonce")
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    except InvalidTag:
        raise DecryptionError(
            "authentication failed: wrong key, wrong context or tampered ciphertext"
        ) from None


@dataclass(frozen=True)
class X25519Keypair:
    secret: bytes = field(repr=False)
    public_key: bytes
    # The parsed private key, kept so that every agreement does not parse the secret again.
    _private: X25519PrivateKey | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_secret(cls, secret: bytes) -> X25519Keypair:
        if len(secret) != 32:
            raise InvalidKey(f"an X25519 secret is 32 bytes, got {len(secret)}")
        private = X25519PrivateKey.from_private_bytes(secret)
        public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return cls(secret, public, private)

    @classmethod
    def generate(cls) -> X25519Keypair:
        return cls.from_secret(os.urandom(32))

    def shared_secret(self, peer_public: bytes) -> bytes:
        if len(peer_public) != 32:
            raise InvalidKey(f"an X25519 public key is 32 bytes, got {len(peer_public)}")
        private = self._private or X25519PrivateKey.from_private_bytes(self.secret)
        try:
            return private.exchange(X25519PublicKey.from_public_bytes(peer_public))
        except ValueError:
            raise InvalidKey("X25519 agreement with a low-order public key") from None


def _box_key(shared: bytes, sender_public: bytes, recipient_public: bytes, info: bytes) -> bytes:
    return hkdf_sha256(shared, _BOX_INFO + b"/" + info, salt=sender_public + recipient_public)


def seal(
    recipient_public: bytes,
    plaintext: bytes,
    aad: bytes = b"",
    *,
    info: bytes = b"",
    ephemeral_secret: bytes | None = None,
    nonce: bytes | None = None,
) -> bytes:
    """Encrypt `plaintext` to `recipient_public`; only the holder of its secret can open it."""
    ephemeral = X25519Keypair.from_secret(ephemeral_secret) if ephemeral_secret else X25519Keypair.generate()
    nonce = nonce if nonce is not None else os.urandom(NONCE_LEN)
    key = _box_key(ephemeral.shared_secret(recipient_public), ephemeral.public_key, recipient_public, info)
    return ephemeral.public_key + nonce + aead_encrypt(key, nonce, plaintext, aad)


def open_sealed(recipient: X25519Keypair, sealed: bytes, aad: bytes = b"", *, info: bytes = b"") -> bytes:
    """Decrypt a sealed box; raises `DecryptionError` for anything not sealed to `recipient` with `aad`."""
    if len(sealed) < SEALED_OVERHEAD:
        raise DecryptionError(f"a sealed box is at least {SEALED_OVERHEAD} bytes, got {len(sealed)}")
    ephemeral_public, nonce, body = sealed[:32], sealed[32 : 32 + NONCE_LEN], sealed[32 + NONCE_LEN :]
    try:
        shared = recipient.shared_secret(ephemeral_public)
    except InvalidKey:
        raise DecryptionError("the sealed box carries an invalid ephemeral key") from None
    key = _box_key(shared, ephemeral_public, recipient.public_key, info)
    return aead_decrypt(key, nonce, body, aad)


def sealed_sender_public(sealed: bytes) -> bytes:
    """The ephemeral public key a sealed box was made with (an answer is encrypted back to it)."""
    if len(sealed) < SEALED_OVERHEAD:
        raise DecryptionError("not a sealed box")
    return sealed[:32]
