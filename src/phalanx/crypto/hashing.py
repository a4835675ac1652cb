"""The hashes of the Substrate storage and block formats: blake2b and xxHash (twox).

`twox_128(b"System") ++ twox_128(b"Account") ++ blake2_128_concat(account)` is how a storage key
is built; `blake2_256` hashes blocks, extrinsics and long signing payloads.
"""

from __future__ import annotations

import hashlib

import xxhash


def blake2_256(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=32).digest()


def blake2_128(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def blake2_128_concat(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest() + data


def twox_64(data: bytes) -> bytes:
    return xxhash.xxh64_digest(data, seed=0)[::-1]


def twox_128(data: bytes) -> bytes:
    return xxhash.xxh64_digest(data, seed=0)[::-1] + xxhash.xxh64_digest(data, seed=1)[::-1]


def twox_256(data: bytes) -> bytes:
    return b"".join(xxhash.xxh64_digest(data, seed=s)[::-1] for s in range(4))


def twox_64_concat(data: bytes) -> bytes:
    return twox_64(data) + data


def identity(data: bytes) -> bytes:
    return data
