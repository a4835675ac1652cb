"""SS58 addresses: base58(prefix ++ public key ++ checksum), as every Substrate wallet shows them.

phalanx uses prefix 30 (the prefix of Phala) for display; any valid prefix is accepted on input.
"""

from __future__ import annotations

import hashlib

from phalanx.errors import PhalanxError

SS58_PREFIX = 30
_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}
_CONTEXT = b"SS58PRE"


class InvalidAddress(PhalanxError):
    """An address is not valid SS58 (bad characters, length, prefix or checksum) nor 0x-hex of 32 bytes."""

    module = "primitives"
    code = 1


def _b58encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, r = divmod(n, 58)
        out.append(_ALPHABET[r])
    zeros = len(data) - len(data.lstrip(b"\x00"))
    return "1" * zeros + "".join(reversed(out))


def _b58decode(text: str) -> bytes:
    n = 0
    for c in text:
        try:
            n = n * 58 + _INDEX[c]
        except KeyError:
            raise InvalidAddress(f"{c!r} is not a base58 character") from None
    zeros = len(text) - len(text.lstrip("1"))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\x00" * zeros + body


def _checksum(payload: bytes) -> bytes:
    return hashlib.blake2b(_CONTEXT + payload, digest_size=64).digest()[:2]


def ss58_encode(public_key: bytes, prefix: int = SS58_PREFIX) -> str:
    """The SS58 address of a 32-byte account id; raises InvalidAddress for another length or a prefix
    outside 0..16383."""
    if len(public_key) != 32:
        raise InvalidAddress(f"an account id is 32 bytes, got {len(public_key)}")
    if prefix < 0:
        raise InvalidAddress(f"SS58 prefix {prefix} is out of range")
    if prefix < 64:
        head = bytes([prefix])
    elif prefix < 16384:
        head = bytes([((prefix & 0xFC) >> 2) | 0x40, (prefix >> 8) | ((prefix & 0x03) << 6)])
    else:
        raise InvalidAddress(f"SS58 prefix {prefix} is out of range")
    payload = head + public_key
    return _b58encode(payload + _checksum(payload))


def ss58_decode(address: str) -> tuple[bytes, int]:
    """Decode an SS58 address to (account id, prefix); raises InvalidAddress if it is not one."""
    raw = _b58decode(address)
    if len(raw) < 2:
        raise InvalidAddress("address too short")
    if raw[0] < 64:
        prefix, head = raw[0], 1
    elif raw[0] < 128:
        lower = ((raw[0] << 2) | (raw[1] >> 6)) & 0xFF
        prefix, head = lower | ((raw[1] & 0x3F) << 8), 2
    else:
        raise InvalidAddress("unknown SS58 address format")
    if len(raw) != head + 32 + 2:
        raise InvalidAddress(f"an SS58 address of an account holds 32 bytes, got {len(raw) - head - 2}")
    if _checksum(raw[:-2]) != raw[-2:]:
        raise InvalidAddress("SS58 checksum mismatch")
    return raw[head:-2], prefix


def parse_account(text: str) -> bytes:
    """An account id from SS58 (any prefix) or 0x-prefixed hex of 32 bytes; raises InvalidAddress."""
    if text.startswith("0x"):
        try:
            raw = bytes.fromhex(text[2:])
        except ValueError:
            raise InvalidAddress("not valid hex") from None
        if len(raw) != 32:
            raise InvalidAddress(f"an account id is 32 bytes, got {len(raw)}")
        return raw
    return ss58_decode(text)[0]
