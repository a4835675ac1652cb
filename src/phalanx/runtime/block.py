"""Block headers and blocks in the Substrate encoding; the block hash is blake2_256(SCALE(header)).

    Header { parent_hash: H256, number: Compact<u32>, state_root: H256, extrinsics_root: H256,
             digest: Digest { logs: Vec<DigestItem> } }
    Block  { header, extrinsics: Vec<OpaqueExtrinsic> }   (each extrinsic already length-prefixed)

`extrinsics_root` is the state-trie root (`phalanx.storage.trie`) of {SCALE(Compact(index)): extrinsic}.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from phalanx.codec import DecodeError, decode_compact, encode_compact
from phalanx.crypto import blake2_256
from phalanx.runtime.errors import InvalidBlock
from phalanx.storage.trie import compute_root_of

_KIND_INDEX = {"Other": 0, "Consensus": 4, "Seal": 5, "PreRuntime": 6, "RuntimeEnvironmentUpdated": 8}
_INDEX_KIND = {v: k for k, v in _KIND_INDEX.items()}


@dataclass(frozen=True)
class DigestItem:
    """`sp_runtime::generic::DigestItem`: Other(data), Consensus/Seal/PreRuntime(engine [u8; 4], data)."""

    kind: str
    data: bytes = b""
    engine: bytes = b""

    def encode(self) -> bytes:
        index = _KIND_INDEX.get(self.kind)
        if index is None:
            raise ValueError(f"unknown digest item kind {self.kind!r}")
        if index == 8:
            return b"\x08"
        if index == 0:
            return b"\x00" + encode_compact(len(self.data)) + self.data
        if len(self.engine) != 4:
            raise ValueError("a consensus engine id is 4 bytes")
        return bytes((index,)) + self.engine + encode_compact(len(self.data)) + self.data

    @classmethod
    def decode_from(cls, data: bytes, offset: int) -> tuple[DigestItem, int]:
        if offset >= len(data):
            raise DecodeError("truncated digest item")
        kind = _INDEX_KIND.get(data[offset])
        if kind is None:
            raise DecodeError(f"unknown digest item index {data[offset]}")
        offset += 1
        if kind == "RuntimeEnvironmentUpdated":
            return cls(kind), offset
        engine = b""
        if kind != "Other":
            engine = data[offset : offset + 4]
            offset += 4
        n, offset = decode_compact(data, offset)
        if offset + n > len(data) or len(engine) not in (0, 4):
            raise DecodeError("truncated digest item")
        return cls(kind, bytes(data[offset : offset + n]), bytes(engine)), offset + n


@dataclass(frozen=True)
class Header:
    parent_hash: bytes
    number: int
    state_root: bytes
    extrinsics_root: bytes
    digest: tuple[DigestItem, ...] = ()

    def encode(self) -> bytes:
        return b"".join(
            (
                self.parent_hash,
                encode_compact(self.number),
                self.state_root,
                self.extrinsics_root,
                encode_compact(len(self.digest)),
                *(item.encode() for item in self.digest),
            )
        )

    @classmethod
    def decode_from(cls, data: bytes, offset: int) -> tuple[Header, int]:
        parent = data[offset : offset + 32]
        number, offset = decode_compact(data, offset + 32)
        state_root = data[offset : offset + 32]
        extrinsics_root = data[offset + 32 : offset + 64]
        if len(parent) != 32 or len(extrinsics_root) != 32:
            raise DecodeError("truncated header")
        n, offset = decode_compact(data, offset + 64)
        items = []
        for _ in range(n):
            item, offset = DigestItem.decode_from(data, offset)
            items.append(item)
        return cls(bytes(parent), number, bytes(state_root), bytes(extrinsics_root), tuple(items)), offset

    @classmethod
    def decode(cls, data: bytes) -> Header:
        header, end = cls.decode_from(data, 0)
        if end != len(data):
            raise DecodeError("trailing bytes after header")
        return header

    def hash(self) -> bytes:
        return blake2_256(self.encode())

    def to_json(self) -> dict[str, Any]:
        return {
            "parentHash": "0x" + self.parent_hash.hex(),
            "number": hex(self.number),
            "stateRoot": "0x" + self.state_root.hex(),
            "extrinsicsRoot": "0x" + self.extrinsics_root.hex(),
            "digest": {"logs": ["0x" + item.encode().hex() for item in self.digest]},
        }


@dataclass(frozen=True)
class Block:
    header: Header
    extrinsics: tuple[bytes, ...]

    def encode(self) -> bytes:
        return self.header.encode() + encode_compact(len(self.extrinsics)) + b"".join(self.extrinsics)

    @classmethod
    def decode(cls, data: bytes) -> Block:
        """Decode a block; raises InvalidBlock for malformed bytes."""
        try:
            header, offset = Header.decode_from(data, 0)
            n, offset = decode_compact(data, offset)
            extrinsics = []
            for _ in range(n):
                length, body = decode_compact(data, offset)
                if body + length > len(data):
                    raise DecodeError("truncated extrinsic")
                extrinsics.append(bytes(data[offset : body + length]))
                offset = body + length
        except (DecodeError, IndexError) as exc:
            raise InvalidBlock(f"malformed block: {exc}") from None
        if offset != len(data):
            raise InvalidBlock("trailing bytes after block")
        return cls(header, tuple(extrinsics))

    def hash(self) -> bytes:
        return self.header.hash()

    def to_json(self) -> dict[str, Any]:
        return {"header": self.header.to_json(), "extrinsics": ["0x" + xt.hex() for xt in self.extrinsics]}


def extrinsics_root(extrinsics: Sequence[bytes]) -> bytes:
    return compute_root_of((encode_compact(i), xt) for i, xt in enumerate(extrinsics))
