"""Account keys: sr25519 (Substrate's default) and ed25519, secret URIs and mnemonics.

Compatible with Substrate: `Keypair.from_suri("//Alice")` is the well-known development account
(SS58 `5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY` with the generic prefix 42). A secret URI is
`<phrase or 0x-seed><junctions>[///password]`; junctions are `//hard` or `/soft` (soft junctions
exist for sr25519 only). Without a phrase, Substrate's public development phrase is used.
"""

from __future__ import annotations

import enum
import re
import secrets
from dataclasses import dataclass, field

import bip39
import ed25519_zebra
import sr25519

from phalanx.crypto.errors import InvalidKey, InvalidSecretUri
from phalanx.crypto.hashing import blake2_256

DEV_PHRASE = "bottom drive obey lake curtain smoke basket hold race lonely fit walk"

_SURI = re.compile(r"^(?P<phrase>[^/]*?)(?P<path>(//?[^/]+)*)(///(?P<password>.*))?$")
_JUNCTION = re.compile(r"(//?)([^/]+)")


class KeyType(enum.IntEnum):
    """The signature schemes of `MultiSignature`, numbered as its variants are."""

    ED25519 = 0
    SR25519 = 1


def _scale_str(text: bytes) -> bytes:
    # SCALE encoding of a byte string: compact length prefix (all junction texts here are short).
    n = len(text)
    if n < 1 << 6:
        return bytes([n << 2]) + text
    if n < 1 << 14:
        return ((n << 2) | 1).to_bytes(2, "little") + text
    return ((n << 2) | 2).to_bytes(4, "little") + text


_DIGITS = re.compile(r"[0-9]+")


def _chain_code(junction: str) -> bytes:
    # A junction of ASCII digits is a number, little-endian in 32 bytes (as substrate-interface and
    # polkadot.js derive it; Substrate itself agrees below 2**64); any other text is SCALE-encoded.
    if _DIGITS.fullmatch(junction):
        value = int(junction)
        if value >= 1 << 256:
            raise InvalidSecretUri(f"numeric junction {junction} does not fit in 32 bytes")
        return value.to_bytes(32, "little")
    encoded = _scale_str(junction.encode())
    return blake2_256(encoded) if len(encoded) > 32 else encoded.ljust(32, b"\x00")


@dataclass(frozen=True)
class Keypair:
    """A signing key pair. `secret` is the scheme's secret key (64 bytes sr25519, 32 bytes ed25519)."""

    key_type: KeyType
    public_key: bytes
    secret: bytes = field(repr=False)

    @classmethod
    def from_seed(cls, seed: bytes, key_type: KeyType = KeyType.SR25519) -> Keypair:
        """Key pair from a 32-byte mini-secret seed; raises InvalidKey for another length."""
        if len(seed) != 32:
            raise InvalidKey(f"a seed is 32 bytes, got {len(seed)}")
        if key_type is KeyType.SR25519:
            public, secret = sr25519.pair_from_seed(seed)
            return cls(key_type, bytes(public), bytes(secret))
        secret, public = ed25519_zebra.ed_from_seed(seed)
        return cls(key_type, bytes(public), bytes(secret))

    @classmethod
    def from_mnemonic(cls, phrase: str, key_type: KeyType = KeyType.SR25519, password: str = "") -> Keypair:
        """Key pair from a BIP-39 phrase, derived as Substrate does; raises InvalidSecretUri if invalid."""
        if not bip39.bip39_validate(phrase):
            raise InvalidSecretUri("the mnemonic is not a valid BIP-39 phrase")
        seed = bytes(bip39.bip39_to_mini_secret(phrase, password))
        return cls.from_seed(seed[:32], key_type)

    @classmethod
    def from_suri(cls, suri: str, key_type: KeyType = KeyType.SR25519) -> Keypair:
        """Key pair from a secret URI such as `//Alice`, `<phrase>//stash`, or `0x<seed>//1`.

        Raises InvalidSecretUri for a URI that does not parse, a bad seed or phrase, or a soft junction
        on an ed25519 key.
        """
        match = _SURI.match(suri.strip())
        if match is None:
            raise InvalidSecretUri(f"cannot parse secret URI {suri!r}")
        phrase = match["phrase"].strip() or DEV_PHRASE
        password = match["password"] or ""
        if phrase.startswith("0x"):
            try:
                seed = bytes.fromhex(phrase[2:])
            except ValueError as exc:
                raise InvalidSecretUri("the hex seed is not valid hex") from exc
            if len(seed) != 32:
                raise InvalidSecretUri(f"a hex seed is 32 bytes, got {len(seed)}")
            pair = cls.from_seed(seed, key_type)
            seed_for_ed = seed
        else:
            if not bip39.bip39_validate(phrase):
                raise InvalidSecretUri("the phrase of the secret URI is not a valid BIP-39 mnemonic")
            seed_for_ed = bytes(bip39.bip39_to_mini_secret(phrase, password))[:32]
            pair = cls.from_seed(seed_for_ed, key_type)
        path = match["path"] or ""
        junctions = _JUNCTION.findall(path)
        if "".join(sep + name for sep, name in junctions) != path:
            raise InvalidSecretUri(f"cannot parse the derivation path {path!r}")
        for separator, name in junctions:
            chain_code = _chain_code(name)
            hard = separator == "//"
            if key_type is KeyType.SR25519:
                derive = sr25519.hard_derive_keypair if hard else sr25519.derive_keypair
                _, public, secret = derive((chain_code, pair.public_key, pair.secret), b"")
                pair = cls(key_type, bytes(public), bytes(secret))
            else:
                if not hard:
                    raise InvalidSecretUri("ed25519 keys allow only hard (//) junctions")
                seed_for_ed = blake2_256(_scale_str(b"Ed25519HDKD") + seed_for_ed + chain_code)
                pair = cls.from_seed(seed_for_ed, key_type)
        return pair

    @classmethod
    def generate(cls, key_type: KeyType = KeyType.SR25519) -> Keypair:
        return cls.from_seed(secrets.token_bytes(32), key_type)

    def sign(self, message: bytes) -> bytes:
        if self.key_type is KeyType.SR25519:
            return bytes(sr25519.sign((self.public_key, self.secret), message))
        return bytes(ed25519_zebra.ed_sign(self.secret, message))

    def verify(self, message: bytes, signature: bytes) -> bool:
        return verify_signature(self.key_type, self.public_key, message, signature)

    def ss58_address(self, prefix: int | None = None) -> str:
        from phalanx.primitives.ss58 import SS58_PREFIX, ss58_encode

        return ss58_encode(self.public_key, SS58_PREFIX if prefix is None else prefix)


def verify_signature(key_type: KeyType, public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True when `signature` is valid for `message` under `public_key`; False for any bad input."""
    if len(signature) != 64 or len(public_key) != 32:
        return False
    try:
        if key_type is KeyType.SR25519:
            return bool(sr25519.verify(signature, message, public_key))
        return bool(ed25519_zebra.ed_verify(signature, message, public_key))
    except (ValueError, TypeError, OverflowError):
        return False


def generate_mnemonic(words: int = 12) -> str:
    """A fresh BIP-39 phrase of `words` words; raises InvalidSecretUri for a count BIP-39 does not have."""
    if words not in (12, 15, 18, 21, 24):
        raise InvalidSecretUri("a mnemonic has 12, 15, 18, 21 or 24 words")
    return str(bip39.bip39_generate(words))
