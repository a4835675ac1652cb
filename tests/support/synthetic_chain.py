"""A synthetic dev chain for enclave and worker tests: real LMDB state trie, real proofs, headers
signed by the dev authority.

Each block writes `Mq.InboundMessages` (the block's messages) and `Timestamp.Now` into the state, so
the proofs an enclave checks are the store's real Merkle proofs against the header's state root.
"""

from __future__ import annotations

from collections.abc import Sequence

from phalanx.codec import U64, encode_compact
from phalanx.crypto import Keypair
from phalanx.engine.finality import sign_dev_justification
from phalanx.mq import Message
from phalanx.runtime.block import Header
from phalanx.storage import EMPTY_ROOT, Database
from phalanx.tee.enclave.chain import MESSAGES, BlockInput, DevTrust
from phalanx.tee.enclave.chain_events import INBOUND_MESSAGES_KEY, TIMESTAMP_KEY


class SyntheticChain:
    def __init__(self, db: Database, authority: Keypair | None = None) -> None:
        self.db = db
        self.authority = authority or Keypair.from_suri("//Alice")
        self.root = EMPTY_ROOT
        genesis = Header(bytes(32), 0, self.root, EMPTY_ROOT, ())
        self.genesis_hash = genesis.hash()
        self.headers: list[Header] = [genesis]
        self.blocks: list[BlockInput] = []

    @property
    def trust(self) -> DevTrust:
        return DevTrust(self.genesis_hash, self.authority.public_key)

    def add_block(self, messages: Sequence[Message] = (), timestamp_ms: int | None = None) -> BlockInput:
        number = len(self.headers)
        changes: dict[bytes, bytes | None] = {
            INBOUND_MESSAGES_KEY: MESSAGES.encode(list(messages)) if messages else None,
            TIMESTAMP_KEY: U64.encode(
                timestamp_ms if timestamp_ms is not None else 1_000_000 + 6000 * number
            ),
        }
        update = self.db.compute_root(self.root, changes)
        with self.db.write() as w:
            w.apply_update(update)
        self.root = update.root
        header = Header(self.headers[-1].hash(), number, self.root, EMPTY_ROOT, ())
        self.headers.append(header)
        justification = sign_dev_justification(self.authority, self.genesis_hash, header.hash())
        block = BlockInput(header.encode(), justification, self.prove(self.root))
        self.blocks.append(block)
        return block

    def prove(self, root: bytes, keys: Sequence[bytes] = (INBOUND_MESSAGES_KEY, TIMESTAMP_KEY)) -> bytes:
        """The bundle `ChainStore.state_proof` returns: Vec<(key, Option<value>, proof)>."""
        out = bytearray(encode_compact(len(keys)))
        for key in keys:
            value, proof = self.db.prove_with_value(root, key)
            raw = proof.encode()
            out += encode_compact(len(key)) + key
            out += b"\x00" if value is None else b"\x01" + encode_compact(len(value)) + value
            out += encode_compact(len(raw)) + raw
        return bytes(out)
