"""Sealed boxes (X25519 + HKDF-SHA256 + AES-256-GCM): RFC vectors, the layout, and tamper detection."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import given, settings
from hypothesis import strategies as st

from phalanx.crypto import DecryptionError, InvalidKey
from phalanx.crypto.box import (
    NONCE_LEN,
    SEALED_OVERHEAD,
    X25519Keypair,
    aead_decrypt,
    aead_encrypt,
    hkdf_sha256,
    open_sealed,
    seal,
    sealed_sender_public,
)

# --- RFC 7748 §6.1 -----------------------------------------------------------------------------------

ALICE_SECRET = bytes.fromhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
ALICE_PUBLIC = bytes.fromhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
BOB_SECRET = bytes.fromhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
BOB_PUBLIC = bytes.fromhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
SHARED = bytes.fromhex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")


def test_x25519_rfc7748_vector() -> None:
    alice, bob = X25519Keypair.from_secret(ALICE_SECRET), X25519Keypair.from_secret(BOB_SECRET)
    assert alice.public_key == ALICE_PUBLIC
    assert bob.public_key == BOB_PUBLIC
    assert alice.shared_secret(BOB_PUBLIC) == bob.shared_secret(ALICE_PUBLIC) == SHARED
    assert "secret" not in repr(alice).replace("secret_", "")


def test_x25519_refuses_bad_keys() -> None:
    with pytest.raises(InvalidKey):
        X25519Keypair.from_secret(bytes(31))
    alice = X25519Keypair.from_secret(ALICE_SECRET)
    with pytest.raises(InvalidKey):
        alice.shared_secret(bytes(31))
    with pytest.raises(InvalidKey):
        alice.shared_secret(bytes(32))  # a low-order point gives the all-zero secret


# --- RFC 5869 appendix A ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ikm", "salt", "info", "length", "okm"),
    [
        (  # A.1
            "0b" * 22, "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9", 42,
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
        ),
        (  # A.2
            bytes(range(0x00, 0x50)).hex(), bytes(range(0x60, 0xB0)).hex(),
            bytes(range(0xB0, 0x100)).hex(), 82,
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09"
            "da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87",
        ),
        (  # A.3
            "0b" * 22, "", "", 42,
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
        ),
    ],
)  # fmt: skip
def test_hkdf_rfc5869_vectors(ikm: str, salt: str, info: str, length: int, okm: str) -> None:
    derived = hkdf_sha256(bytes.fromhex(ikm), bytes.fromhex(info), length, salt=bytes.fromhex(salt) or None)
    assert derived.hex() == okm


# --- AES-256-GCM ------------------------------------------------------------------------------------------


def test_aead_round_trip_and_refusals() -> None:
    key, nonce = bytes(range(32)), bytes(12)
    sealed = aead_encrypt(key, nonce, b"plain", b"aad")
    assert len(sealed) == 5 + 16
    assert aead_decrypt(key, nonce, sealed, b"aad") == b"plain"
    for bad in (
        (key, nonce, sealed, b"other"),
        (bytes(32), nonce, sealed, b"aad"),
        (key, b"\x01" * 12, sealed, b"aad"),
    ):
        with pytest.raises(DecryptionError):
            aead_decrypt(*bad)
    with pytest.raises(InvalidKey):
        aead_encrypt(bytes(16), nonce, b"x")
    with pytest.raises(InvalidKey):
        aead_decrypt(key, bytes(8), sealed)


# --- sealed boxes --------------------------------------------------------------------------------

RECIPIENT = X25519Keypair.from_secret(BOB_SECRET)
EPHEMERAL = bytes(range(1, 33))
NONCE = bytes(range(100, 112))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=600), st.binary(max_size=64), st.binary(max_size=24))
def test_seal_round_trip(plaintext: bytes, aad: bytes, info: bytes) -> None:
    sealed = seal(RECIPIENT.public_key, plaintext, aad, info=info)
    assert len(sealed) == len(plaintext) + SEALED_OVERHEAD
    assert open_sealed(RECIPIENT, sealed, aad, info=info) == plaintext
    assert sealed != seal(RECIPIENT.public_key, plaintext, aad, info=info)  # fresh ephemeral key and nonce


def test_wrong_context_or_key_fails() -> None:
    sealed = seal(RECIPIENT.public_key, b"secret command", b"contract-1", info=b"command")
    assert open_sealed(RECIPIENT, sealed, b"contract-1", info=b"command") == b"secret command"
    with pytest.raises(DecryptionError):
        open_sealed(RECIPIENT, sealed, b"contract-2", info=b"command")
    with pytest.raises(DecryptionError):
        open_sealed(RECIPIENT, sealed, b"contract-1", info=b"query")
    with pytest.raises(DecryptionError):
        open_sealed(RECIPIENT, sealed, b"", info=b"command")
    with pytest.raises(DecryptionError):
        open_sealed(X25519Keypair.from_secret(ALICE_SECRET), sealed, b"contract-1", info=b"command")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40), st.data())
def test_any_flipped_bit_fails(plaintext: bytes, data: st.DataObject) -> None:
    sealed = bytearray(seal(RECIPIENT.public_key, plaintext, b"aad", ephemeral_secret=EPHEMERAL, nonce=NONCE))
    index = data.draw(st.integers(0, len(sealed) - 1))
    sealed[index] ^= 1 << data.draw(st.integers(0, 7))
    with pytest.raises(DecryptionError):
        open_sealed(RECIPIENT, bytes(sealed), b"aad")


def test_truncated_and_forged_boxes_fail() -> None:
    sealed = seal(RECIPIENT.public_key, b"hello", b"aad")
    for cut in (0, 1, 31, 32, 44, SEALED_OVERHEAD - 1, len(sealed) - 1):
        with pytest.raises(DecryptionError):
            open_sealed(RECIPIENT, sealed[:cut], b"aad")
    with pytest.raises(DecryptionError):
        open_sealed(RECIPIENT, sealed + b"\x00", b"aad")
    with pytest.raises(DecryptionError):  # low-order ephemeral key
        open_sealed(RECIPIENT, bytes(32) + sealed[32:], b"aad")
    with pytest.raises(DecryptionError):
        sealed_sender_public(b"short")


def test_deterministic_sealing_is_byte_identical_and_follows_the_layout() -> None:
    args = (RECIPIENT.public_key, b"key material", b"worker-7")
    first = seal(*args, info=b"handover", ephemeral_secret=EPHEMERAL, nonce=NONCE)
    again = seal(*args, info=b"handover", ephemeral_secret=EPHEMERAL, nonce=NONCE)
    assert first == again
    # rebuild it from the primitives: ephemeral_public ++ nonce ++ AES-256-GCM(key, nonce, plaintext, aad)
    ephemeral = X25519Keypair.from_secret(EPHEMERAL)
    shared = ephemeral.shared_secret(RECIPIENT.public_key)
    key = HKDF(
        hashes.SHA256(), 32, ephemeral.public_key + RECIPIENT.public_key, b"phalanx/box/v1/handover"
    ).derive(shared)
    expected = ephemeral.public_key + NONCE + AESGCM(key).encrypt(NONCE, b"key material", b"worker-7")
    assert first == expected
    assert sealed_sender_public(first) == ephemeral.public_key
    assert first[32 : 32 + NONCE_LEN] == NONCE
    assert open_sealed(RECIPIENT, first, b"worker-7", info=b"handover") == b"key material"
    # golden bytes: a change of the layout or the key schedule breaks every deployed gatekeeper
    assert first.hex() == GOLDEN_HANDOVER


def test_sealing_refuses_bad_parameters() -> None:
    with pytest.raises(InvalidKey):
        seal(RECIPIENT.public_key, b"x", nonce=bytes(8))
    with pytest.raises(InvalidKey):
        seal(RECIPIENT.public_key, b"x", ephemeral_secret=bytes(16))
    with pytest.raises(InvalidKey):
        seal(bytes(31), b"x")


GOLDEN_HANDOVER = (
    "07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c"  # ephemeral public key
    "6465666768696a6b6c6d6e6f"  # nonce
    "3869779f7621168980314bc2"  # ciphertext
    "2edf8e99016407214e8f20d3133e7ea3"  # tag
)
