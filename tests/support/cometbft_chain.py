"""A synthetic CometBFT-run chain for enclave tests: real LMDB state and proofs, Substrate headers, and
CometBFT headers H+1 committing each block's state root, signed by test ed25519 validator keys.

Substrate block N is CometBFT height N; CometBFT header N+1 carries `app_hash = state_root(N)` and
is what finalizes block N. `commit_json` / `validators_json` produce the shapes of CometBFT's RPC
answers, so the enclave reads them exactly as it reads a live node's. Validator-set changes follow
CometBFT's rule: a change announced in header h (`next_validators_hash`) signs from height h+1.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Sequence
from typing import Any

from phalanx.codec import H256, U32, U64, encode_compact
from phalanx.engine.lightclient import (
    BlockId,
    Header,
    ValidatorSet,
    compute_header_hash,
    compute_validator_set_hash,
    compute_vote_sign_bytes,
)
from phalanx.localnet.cometbft.keys import Ed25519Key
from phalanx.mq import Message
from phalanx.runtime.block import Header as SubstrateHeader
from phalanx.storage import EMPTY_ROOT, Database
from phalanx.tee.enclave.chain import MESSAGES
from phalanx.wire.enclave_protocol import (
    INBOUND_MESSAGES_KEY,
    NUMBER_KEY,
    PARENT_HASH_KEY,
    PROOF_KEYS,
    TIMESTAMP_KEY,
    BlockInput,
    encode_cometbft_justification,
)
from phalanx.wire.trust import CometBftTrust, order_validator_set

CHAIN_ID = "phalanx-test"
GENESIS_TIME_NS = 1_800_000_000 * 10**9


def _hex(data: bytes) -> str:
    return data.hex().upper()


def _time(ns: int) -> str:
    seconds, nanos = divmod(ns, 10**9)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{nanos:09d}Z"


def _block_id_json(block_id: BlockId) -> dict[str, Any]:
    return {"hash": _hex(block_id.hash),
            "parts": {"total": block_id.part_set_total, "hash": _hex(block_id.part_set_hash)}}


class CometBftChain:
    def __init__(self, db: Database, validators: int = 4, power: int = 10, chain_id: str = CHAIN_ID) -> None:
        self.db = db
        self.chain_id = chain_id
        self.keys = {key.public_key: key for key in (Ed25519Key.generate() for _ in range(validators))}
        self.validators = order_validator_set([(k, power) for k in self.keys])
        self.next_validators = self.validators
        self.root = EMPTY_ROOT
        genesis = SubstrateHeader(bytes(32), 0, self.root, EMPTY_ROOT, ())
        self.genesis_hash = genesis.hash()
        self.headers: list[SubstrateHeader] = [genesis]
        self.comet: dict[int, Header] = {}
        self.commits: dict[int, dict[str, Any]] = {}
        self.sets: dict[int, ValidatorSet] = {}

    @property
    def trust(self) -> CometBftTrust:
        return CometBftTrust(self.genesis_hash, self.chain_id, compute_validator_set_hash(self.validators))

    def add_key(self) -> bytes:
        key = Ed25519Key.generate()
        self.keys[key.public_key] = key
        return key.public_key

    def change_validators(self, members: Sequence[tuple[bytes, int]]) -> None:
        """Announce a new set in the next CometBFT header; it signs from the height after that."""
        self.next_validators = order_validator_set(list(members))

    def add_block(self, messages: Sequence[Message] = (), timestamp_ms: int | None = None) -> int:
        """Execute Substrate block N (state, header) and commit CometBFT height N (app hash of N-1)."""
        number = len(self.headers)
        parent = self.headers[-1]
        changes: dict[bytes, bytes | None] = {
            INBOUND_MESSAGES_KEY: MESSAGES.encode(list(messages)) if messages else None,
            TIMESTAMP_KEY: U64.encode(1_000_000 + 6000 * number if timestamp_ms is None else timestamp_ms),
            NUMBER_KEY: U32.encode(number),
            PARENT_HASH_KEY: H256.encode(parent.hash()),
        }
        self.commit_height(number)  # CometBFT height N carries the state of block N-1
        update = self.db.compute_root(self.root, changes)
        with self.db.write() as w:
            w.apply_update(update)
        self.root = update.root
        self.headers.append(SubstrateHeader(parent.hash(), number, self.root, EMPTY_ROOT, ()))
        return number

    def commit_height(self, height: int) -> None:
        """CometBFT header `height` with the app hash of Substrate block `height - 1`, and its commit."""
        if height in self.comet:
            return
        previous = self.comet.get(height - 1)
        last_id = BlockId(compute_header_hash(previous), 1, bytes(32)) if previous else BlockId()
        current = self.validators
        self.sets[height] = current
        header = Header(
            version_block=11, version_app=1, chain_id=self.chain_id, height=height,
            time_ns=GENESIS_TIME_NS + height * 10**9, last_block_id=last_id,
            last_commit_hash=bytes(32), data_hash=bytes(32),
            validators_hash=compute_validator_set_hash(current),
            next_validators_hash=compute_validator_set_hash(self.next_validators),
            consensus_hash=bytes(32), app_hash=self.headers[height - 1].state_root,
            last_results_hash=bytes(32), evidence_hash=bytes(32),
            proposer_address=current.validators[0].address,
        )  # fmt: skip
        self.comet[height] = header
        self.commits[height] = self.sign(header, current)
        self.validators = self.next_validators

    def sign(self, header: Header, validators: ValidatorSet, signers: Sequence[bytes] | None = None,
             chain_id: str | None = None) -> dict[str, Any]:
        """The `/commit` result for `header`, signed by `signers` (default: every validator)."""
        block_id = BlockId(compute_header_hash(header), 1, bytes(32))
        signatures = []
        for index, validator in enumerate(validators.validators):
            ts = header.time_ns + 1000 + index
            if signers is not None and validator.pub_key not in signers:
                signatures.append({"block_id_flag": 1, "validator_address": "", "timestamp": _time(0),
                                   "signature": None})
                continue
            message = compute_vote_sign_bytes(chain_id or header.chain_id, header.height, 0, block_id, ts)
            signature = self.keys[validator.pub_key].sign(message)
            signatures.append({"block_id_flag": 2, "validator_address": _hex(validator.address),
                               "timestamp": _time(ts), "signature": base64.b64encode(signature).decode()})
        return {"signed_header": {"header": header_json(header), "commit": {
            "height": str(header.height), "round": 0, "block_id": _block_id_json(block_id),
            "signatures": signatures}}, "canonical": True}

    def validators_json(self, height: int) -> dict[str, Any]:
        return validators_json(self.sets[height], height)

    def block(self, number: int, commit: dict[str, Any] | None = None,
              validators: dict[str, Any] | None = None) -> BlockInput:
        """What a host feeds for Substrate block `number` (its CometBFT height number+1 must exist)."""
        if number + 1 == len(self.headers):
            self.commit_height(number + 1)
        header = self.headers[number]
        justification = encode_cometbft_justification(
            commit if commit is not None else self.commits[number + 1],
            validators if validators is not None else self.validators_json(number + 1),
        )
        return BlockInput(header.encode(), justification, self.prove(header.state_root))

    def prove(self, root: bytes, keys: Sequence[bytes] = PROOF_KEYS) -> bytes:
        out = bytearray(encode_compact(len(keys)))
        for key in keys:
            value, proof = self.db.prove_with_value(root, key)
            raw = proof.encode()
            out += encode_compact(len(key)) + key
            out += b"\x00" if value is None else b"\x01" + encode_compact(len(value)) + value
            out += encode_compact(len(raw)) + raw
        return bytes(out)


def header_json(header: Header) -> dict[str, Any]:
    return {
        "version": {"block": str(header.version_block), "app": str(header.version_app)},
        "chain_id": header.chain_id, "height": str(header.height), "time": _time(header.time_ns),
        "last_block_id": _block_id_json(header.last_block_id),
        "last_commit_hash": _hex(header.last_commit_hash), "data_hash": _hex(header.data_hash),
        "validators_hash": _hex(header.validators_hash),
        "next_validators_hash": _hex(header.next_validators_hash),
        "consensus_hash": _hex(header.consensus_hash), "app_hash": _hex(header.app_hash),
        "last_results_hash": _hex(header.last_results_hash), "evidence_hash": _hex(header.evidence_hash),
        "proposer_address": _hex(header.proposer_address),
    }  # fmt: skip


def validators_json(validators: ValidatorSet, height: int) -> dict[str, Any]:
    members = [{"address": _hex(v.address),
                "pub_key": {"type": "tendermint/PubKeyEd25519",
                            "value": base64.b64encode(v.pub_key).decode()},
                "voting_power": str(v.voting_power), "proposer_priority": "0"} for v in validators.validators]
    return {"block_height": str(height), "validators": members, "count": str(len(members)),
            "total": str(len(members))}  # fmt: skip
