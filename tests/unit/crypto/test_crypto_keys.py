"""Account keys against substrate-interface (the stock Python client) and Substrate's known dev keys."""

from __future__ import annotations

import bip39
import pytest
import sr25519
from hypothesis import given, settings
from hypothesis import strategies as st
from substrateinterface import Keypair as ClientKeypair
from substrateinterface import KeypairType
from substrateinterface.key import extract_derive_path

from phalanx.crypto import InvalidKey, InvalidSecretUri, Keypair, KeyType, generate_mnemonic, verify_signature
from phalanx.crypto.keys import DEV_PHRASE

PHRASE = "legal winner thank year wave sausage worth useful legal winner thank yellow"

SR25519_URIS = [
    "//Alice", "//Bob", "//Charlie", "//Dave", "//Eve", "//Ferdie", "//Alice//stash", "//Bob//stash",
    "/soft", "//Alice/soft", "//hard/soft//hard", "/a/b/c", "//0", "//1", "//42", "/7", "//0/1", "//007",
    "//18446744073709551615", "//18446744073709551616", "//" + "9" * 77,
    "//" + "x" * 31, "//" + "x" * 32, "//" + "x" * 40, "/" + "y" * 100, "//héllo", "//a b", "//+5",
    PHRASE, PHRASE + "//a", PHRASE + "//a/b", PHRASE + "/1//2", DEV_PHRASE, DEV_PHRASE + "//Alice",
]  # fmt: skip


@pytest.mark.parametrize("suri", SR25519_URIS)
def test_sr25519_derivation_matches_substrate_interface(suri: str) -> None:
    ours = Keypair.from_suri(suri)
    theirs = ClientKeypair.create_from_uri(suri)
    assert ours.public_key == theirs.public_key
    # the secret scalar; the nonce half of an sr25519 secret is randomised by soft derivation
    assert ours.secret[:32] == theirs.private_key[:32]
    assert ours.key_type is KeyType.SR25519
    assert ours.verify(b"m", theirs.sign(b"m")) and theirs.verify(b"m", ours.sign(b"m"))


def _client_with_password(phrase: str, path: str, password: str) -> bytes:
    # substrate-interface has no passwords in URIs: build the root from the mini secret, then derive
    # with its own junction parsing.
    seed = bytes(bip39.bip39_to_mini_secret(phrase, password))[:32]
    root = ClientKeypair.create_from_seed("0x" + seed.hex())
    public, secret = root.public_key, root.private_key
    for junction in extract_derive_path(path):
        derive = sr25519.hard_derive_keypair if junction.is_hard else sr25519.derive_keypair
        _, public, secret = derive((junction.chain_code, public, secret), b"")
    return bytes(public)


@pytest.mark.parametrize(
    ("phrase", "path", "password"),
    [(PHRASE, "", "pw"), (PHRASE, "//a", "pw"), (PHRASE, "//a/b", "secret words"),
     (DEV_PHRASE, "//Alice", "x"), (PHRASE, "", "///")],
)  # fmt: skip
def test_password_uris(phrase: str, path: str, password: str) -> None:
    ours = Keypair.from_suri(f"{phrase}{path}///{password}")
    assert ours.public_key == _client_with_password(phrase, path, password)
    assert ours.public_key != Keypair.from_suri(phrase + path).public_key


def test_dev_phrase_is_the_default_root() -> None:
    assert Keypair.from_suri("//Alice") == Keypair.from_suri(DEV_PHRASE + "//Alice")
    assert Keypair.from_suri("//Alice///pw") == Keypair.from_suri(DEV_PHRASE + "//Alice///pw")
    assert Keypair.from_suri("//Alice///pw") != Keypair.from_suri("//Alice")


def test_well_known_dev_accounts() -> None:
    alice = Keypair.from_suri("//Alice")
    assert alice.public_key.hex() == "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"
    assert alice.ss58_address(42) == "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
    assert Keypair.from_suri("//Bob").ss58_address(42) == "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
    assert alice.ss58_address() == ClientKeypair.create_from_uri("//Alice", ss58_format=30).ss58_address


def test_hex_seed_uris() -> None:
    seed = bytes(range(32))
    ours = Keypair.from_suri("0x" + seed.hex())
    assert ours == Keypair.from_seed(seed)
    assert ours.public_key == ClientKeypair.create_from_seed("0x" + seed.hex()).public_key
    derived = Keypair.from_suri("0x" + seed.hex() + "//a/1")
    client = ClientKeypair.create_from_seed("0x" + seed.hex())
    public, secret = client.public_key, client.private_key
    for junction in extract_derive_path("//a/1"):
        derive = sr25519.hard_derive_keypair if junction.is_hard else sr25519.derive_keypair
        _, public, secret = derive((junction.chain_code, public, secret), b"")
    assert derived.public_key == public


def test_mnemonic_constructor_matches_substrate_interface() -> None:
    assert Keypair.from_mnemonic(PHRASE).public_key == ClientKeypair.create_from_mnemonic(PHRASE).public_key
    for words in (12, 15, 18, 21, 24):
        phrase = generate_mnemonic(words)
        assert len(phrase.split()) == words
        assert Keypair.from_suri(phrase).public_key == ClientKeypair.create_from_mnemonic(phrase).public_key
    assert generate_mnemonic() != generate_mnemonic()


# --- ed25519 ---------------------------------------------------------------------------------------

ED25519_DEV_KEYS = {
    # the GRANDPA keys of Substrate's development chain specs
    "//Alice": "88dc3417d5058ec4b4503e0c12ea1a0a89be200fe98922423d4334014fa6b0ee",
    "//Bob": "d17c2d7823ebf260fd138f2d7e27d114c0145d968b5ff5006125f2414fadae69",
    "//Charlie": "439660b36c6c03afafca027b910b4fecf99801834c62a5e6006f27d978de234f",
}


@pytest.mark.parametrize(("suri", "public"), ED25519_DEV_KEYS.items())
def test_ed25519_dev_keys(suri: str, public: str) -> None:
    assert Keypair.from_suri(suri, KeyType.ED25519).public_key.hex() == public


def test_ed25519_root_keys_match_substrate_interface() -> None:
    for seed in (bytes(32), bytes(range(32)), b"\xff" * 32):
        ours = Keypair.from_seed(seed, KeyType.ED25519)
        theirs = ClientKeypair.create_from_seed("0x" + seed.hex(), crypto_type=KeypairType.ED25519)
        assert ours.public_key == theirs.public_key
    ours = Keypair.from_suri(PHRASE, KeyType.ED25519)
    assert (
        ours.public_key == ClientKeypair.create_from_uri(PHRASE, crypto_type=KeypairType.ED25519).public_key
    )


def test_ed25519_refuses_soft_junctions() -> None:
    with pytest.raises(InvalidSecretUri):
        Keypair.from_suri("//Alice/soft", KeyType.ED25519)


# --- signatures ------------------------------------------------------------------------------------

MESSAGES = st.binary(max_size=300)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["//Alice", "//Bob//stash", "/soft", PHRASE + "//x"]), MESSAGES)
def test_sr25519_signatures_cross_verify(suri: str, message: bytes) -> None:
    ours = Keypair.from_suri(suri)
    theirs = ClientKeypair.create_from_uri(suri)
    assert theirs.verify(message, ours.sign(message))
    assert ours.verify(message, theirs.sign(message))
    assert verify_signature(KeyType.SR25519, ours.public_key, message, theirs.sign(message))


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=32, max_size=32), MESSAGES)
def test_ed25519_signatures_cross_verify(seed: bytes, message: bytes) -> None:
    ours = Keypair.from_seed(seed, KeyType.ED25519)
    theirs = ClientKeypair.create_from_seed("0x" + seed.hex(), crypto_type=KeypairType.ED25519)
    signature = ours.sign(message)
    assert signature == theirs.sign(message)  # ed25519 signatures are deterministic
    assert theirs.verify(message, signature)
    assert ours.verify(message, theirs.sign(message))


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(list(KeyType)), MESSAGES, st.integers(0, 63), st.integers(0, 7))
def test_tampered_signatures_fail(key_type: KeyType, message: bytes, index: int, bit: int) -> None:
    pair = Keypair.from_suri("//Alice", key_type)
    signature = bytearray(pair.sign(message))
    assert pair.verify(message, bytes(signature))
    assert not pair.verify(message + b"!", bytes(signature))
    assert not Keypair.from_suri("//Bob", key_type).verify(message, bytes(signature))
    signature[index] ^= 1 << bit
    assert not pair.verify(message, bytes(signature))


@pytest.mark.parametrize("key_type", list(KeyType))
def test_malformed_keys_and_signatures_are_false_not_errors(key_type: KeyType) -> None:
    pair = Keypair.from_suri("//Alice", key_type)
    signature = pair.sign(b"m")
    assert not verify_signature(key_type, pair.public_key, b"m", signature[:63])
    assert not verify_signature(key_type, pair.public_key[:31], b"m", signature)
    assert not verify_signature(key_type, b"\xff" * 32, b"m", signature)
    assert not verify_signature(key_type, pair.public_key, b"m", b"\xff" * 64)
    assert not verify_signature(key_type, pair.public_key, b"m", bytes(64))


def test_ed25519_follows_zip215_like_substrate() -> None:
    # ed25519-zebra (Substrate's verifier) accepts ZIP-215 signatures: for a small-order public key an
    # all-zero signature verifies any message. No one holds such a key's secret, so it is not an
    # account anyone can own; the chain behaves here exactly as Substrate does.
    assert verify_signature(KeyType.ED25519, bytes(32), b"m", bytes(64))
    assert not verify_signature(KeyType.SR25519, bytes(32), b"m", bytes(64))


def test_generated_keys_sign() -> None:
    for key_type in KeyType:
        pair = Keypair.generate(key_type)
        assert pair.verify(b"x", pair.sign(b"x"))
        assert pair != Keypair.generate(key_type)
    assert "secret" not in repr(Keypair.from_suri("//Alice")).replace("secret=", "")


# --- invalid input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "suri",
    [
        "//", "/", "//Alice/", "//Alice//", "//a//", "bad words here//x",
        "legal winner thank//a", PHRASE.replace("yellow", "yellows"), "0xzz", "0x1234", "0x" + "00" * 33,
        "//" + "9" * 80,
    ],
)  # fmt: skip
def test_invalid_secret_uris(suri: str) -> None:
    for key_type in KeyType:
        with pytest.raises(InvalidSecretUri):
            Keypair.from_suri(suri, key_type)


def test_invalid_seeds_and_mnemonics() -> None:
    with pytest.raises(InvalidKey):
        Keypair.from_seed(bytes(31))
    with pytest.raises(InvalidSecretUri):
        Keypair.from_mnemonic("not a mnemonic at all")
    with pytest.raises(InvalidSecretUri):
        generate_mnemonic(13)


def test_key_types_are_multisignature_variants() -> None:
    assert (KeyType.ED25519, KeyType.SR25519) == (0, 1)


def test_only_ascii_digits_make_a_numeric_junction() -> None:
    # "٣" (Arabic-Indic three) is text to Substrate and polkadot.js, not the number 3
    assert Keypair.from_suri("//٣") != Keypair.from_suri("//3")
    assert Keypair.from_suri("//3").public_key == ClientKeypair.create_from_uri("//3").public_key
