"""A small in-memory chain with the runtime API's shape, for node tests before the runtime lands.

Extrinsic format (fake): b"XT" ++ sender (1 byte) ++ nonce (1 byte) ++ amount (1 byte).
b"XTBAD..." fails its signature; anything not starting with b"XT" cannot be decoded.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from phalanx.crypto.hashing import blake2_256, twox_128
from phalanx.errors import PhalanxError
from phalanx.runtime.errors import CannotDecode, InvalidTransaction

NOW_KEY = twox_128(b"Timestamp") + twox_128(b"Now")


@dataclass(frozen=True)
class FakeValid:
    hash: bytes
    sender: bytes
    nonce: int
    priority: int
    requires: tuple[bytes, ...]
    provides: tuple[bytes, ...]
    longevity: int = 64


@dataclass(frozen=True)
class FakeHeader:
    parent_hash: bytes
    number: int
    state_root: bytes
    extrinsics_root: bytes

    def hash(self) -> bytes:
        return blake2_256(self.parent_hash + self.number.to_bytes(4, "little") + self.state_root)

    def to_json(self) -> dict[str, Any]:
        return {"parentHash": "0x" + self.parent_hash.hex(), "number": hex(self.number),
                "stateRoot": "0x" + self.state_root.hex(),
                "extrinsicsRoot": "0x" + self.extrinsics_root.hex(),
                "digest": {"logs": []}}


@dataclass(frozen=True)
class FakeBlock:
    header: FakeHeader
    extrinsics: tuple[bytes, ...]

    def to_json(self) -> dict[str, Any]:
        return {"header": self.header.to_json(), "extrinsics": ["0x" + xt.hex() for xt in self.extrinsics]}


@dataclass(frozen=True)
class FakeBuilt:
    block: FakeBlock
    hash: bytes
    state: dict[bytes, bytes]
    dropped: list[tuple[bytes, PhalanxError]] = field(default_factory=list)
    changed_keys: frozenset[bytes] = frozenset()


@dataclass(frozen=True)
class FakeSpec:
    name: str = "phalanx dev"
    id: str = "phalanx_dev"
    chain_type: str = "Development"
    properties: dict[str, Any] = field(default_factory=lambda: {"ss58Format": 30, "tokenDecimals": 12,
                                                                "tokenSymbol": "PHA"})


@dataclass(frozen=True)
class FakeVersion:
    def to_json(self) -> dict[str, Any]:
        return {"specName": "phalanx", "specVersion": 1, "transactionVersion": 1, "apis": []}


def nonce_key(sender: bytes) -> bytes:
    return b"nonce:" + sender


class FakeChain:
    def __init__(self) -> None:
        self.spec = FakeSpec()
        genesis = FakeHeader(b"\x00" * 32, 0, blake2_256(b"genesis"), b"\x00" * 32)
        self.genesis_hash = genesis.hash()
        self.blocks: dict[bytes, FakeBlock] = {self.genesis_hash: FakeBlock(genesis, ())}
        self.states: dict[bytes, dict[bytes, bytes]] = {self.genesis_hash: {b"balance:a": b"\x64"}}
        self.numbers: list[bytes] = [self.genesis_hash]
        self.justifications: dict[bytes, bytes] = {}
        self.validations = 0

    def best_hash(self) -> bytes:
        return self.numbers[-1]

    def finalized_hash(self) -> bytes:
        return self.numbers[-1]

    def best_number(self) -> int:
        return len(self.numbers) - 1

    def block_hash(self, number: int) -> bytes | None:
        return self.numbers[number] if number < len(self.numbers) else None

    def header(self, block_hash: bytes) -> FakeHeader | None:
        block = self.blocks.get(block_hash)
        return None if block is None else block.header

    def block(self, block_hash: bytes) -> FakeBlock | None:
        return self.blocks.get(block_hash)

    def justification(self, block_hash: bytes) -> bytes | None:
        return self.justifications.get(block_hash)

    def runtime_version(self) -> FakeVersion:
        return FakeVersion()

    def metadata(self) -> bytes:
        return b"meta\x0e"

    def account_nonce(self, account: bytes) -> int:
        return self.states[self.best_hash()].get(nonce_key(account), b"\x00")[0]

    def _check(self, xt: bytes, state: dict[bytes, bytes]) -> FakeValid:
        if not xt.startswith(b"XT") or len(xt) != 5:
            raise CannotDecode("not an extrinsic")
        if xt.startswith(b"XTB"):
            raise InvalidTransaction("bad signature", reason="BadProof")
        sender, nonce = xt[2:3], xt[3]
        chain_nonce = state.get(nonce_key(sender), b"\x00")[0]
        if nonce < chain_nonce:
            raise InvalidTransaction(f"nonce {nonce} < {chain_nonce}", reason="Stale")
        requires = (sender + bytes([nonce - 1]),) if nonce > chain_nonce else ()
        return FakeValid(blake2_256(xt), sender, nonce, 0, requires, (sender + bytes([nonce]),))

    def validate_transaction(self, xt: bytes) -> FakeValid:
        self.validations += 1
        return self._check(xt, self.states[self.best_hash()])

    def build_block(self, parent_hash: bytes, timestamp_ms: int, extrinsics: Sequence[bytes], *,
                    preverified: Collection[bytes] | None = None) -> FakeBuilt:
        """`preverified` changes nothing here: fake signatures are checked again, cheaply."""
        state = dict(self.states[parent_hash])
        state[NOW_KEY] = timestamp_ms.to_bytes(8, "little")
        included, dropped = [], []
        for xt in extrinsics:
            try:
                valid = self._check(xt, state)
                if valid.requires:
                    raise InvalidTransaction("future", reason="Future")
            except PhalanxError as error:
                dropped.append((xt, error))
                continue
            state[nonce_key(valid.sender)] = bytes([valid.nonce + 1])
            included.append(xt)
        parent = self.blocks[parent_hash].header
        root = blake2_256(b"".join(k + v for k, v in sorted(state.items())))
        header = FakeHeader(parent_hash, parent.number + 1, root, blake2_256(b"".join(included)))
        parent_state = self.states[parent_hash]
        changed = frozenset(k for k in state.keys() | parent_state.keys()
                            if state.get(k) != parent_state.get(k))
        return FakeBuilt(FakeBlock(header, tuple(included)), header.hash(), state, dropped, changed)

    def commit(self, built: FakeBuilt, justification: bytes | None = None) -> None:
        self.blocks[built.hash] = built.block
        self.states[built.hash] = built.state
        self.numbers.append(built.hash)
        if justification is not None:
            self.justifications[built.hash] = justification

    def state_get(self, key: bytes, at: bytes | None = None) -> bytes | None:
        return self.states[at or self.best_hash()].get(key)

    def state_keys_paged(self, prefix: bytes, count: int, start_key: bytes | None,
                         at: bytes | None = None) -> list[bytes]:
        keys = sorted(k for k in self.states[at or self.best_hash()] if k.startswith(prefix))
        return [k for k in keys if start_key is None or k > start_key][:count]

    def call(self, method: str, data: bytes, at: bytes | None = None) -> bytes:
        return method.encode() + data
