"""Frozen types of CometBFT light blocks: header, commit, validator set; times in ns since the epoch."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import IntEnum

ADDRESS_BYTES = 20


class BlockIdFlag(IntEnum):
    UNKNOWN = 0
    ABSENT = 1
    COMMIT = 2
    NIL = 3


@dataclass(frozen=True)
class BlockId:
    """A block's header hash and the header of its part set."""

    hash: bytes = b""
    part_set_total: int = 0
    part_set_hash: bytes = b""

    def is_zero(self) -> bool:
        return not self.hash and not self.part_set_total and not self.part_set_hash


@dataclass(frozen=True)
class Header:
    """A CometBFT block header (tendermint.types.Header)."""

    version_block: int
    version_app: int
    chain_id: str
    height: int
    time_ns: int
    last_block_id: BlockId
    last_commit_hash: bytes
    data_hash: bytes
    validators_hash: bytes
    next_validators_hash: bytes
    consensus_hash: bytes
    app_hash: bytes
    last_results_hash: bytes
    evidence_hash: bytes
    proposer_address: bytes


@dataclass(frozen=True)
class CommitSig:
    """One validator's precommit in a commit, at the validator's index in the set."""

    block_id_flag: BlockIdFlag
    validator_address: bytes
    time_ns: int
    signature: bytes


@dataclass(frozen=True)
class Commit:
    height: int
    round: int
    block_id: BlockId
    signatures: tuple[CommitSig, ...]


@dataclass(frozen=True)
class SignedHeader:
    header: Header
    commit: Commit


@dataclass(frozen=True)
class Validator:
    pub_key: bytes
    voting_power: int
    key_type: str = "ed25519"

    @property
    def address(self) -> bytes:
        """First 20 bytes of SHA-256 of the public key, as CometBFT derives it."""
        return hashlib.sha256(self.pub_key).digest()[:ADDRESS_BYTES]


@dataclass(frozen=True)
class ValidatorSet:
    """Validators in CometBFT's order (power descending, then address): commit signatures follow it."""

    validators: tuple[Validator, ...]

    @property
    def total_voting_power(self) -> int:
        return sum(v.voting_power for v in self.validators)


@dataclass(frozen=True)
class VerifiedHeader:
    """What any engine's finality check yields: a header the verifier accepts as final.

    `app_hash` is the state commitment the header carries; under CometBFT it is the state after
    block `height - 1` (the app hash returned by FinalizeBlock of H is committed in header H+1).
    """

    chain_id: str
    height: int
    block_hash: bytes
    app_hash: bytes
    time_ns: int
