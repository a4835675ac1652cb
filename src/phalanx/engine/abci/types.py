"""Plain, frozen request and response types that an ABCI `Application` takes and returns.

They mirror the ABCI 2.0 messages of CometBFT v0.38 (`tendermint.abci`) with the fields a chain
runtime uses; `dispatch.py` maps them to and from the generated protobuf messages. Times are
integers: nanoseconds since the Unix epoch (UTC), as CometBFT's block time. The three block
requests (PrepareProposal, ProcessProposal, FinalizeBlock) repeat their common fields, as CometBFT's
messages do, so that each reads alone and keeps its own name for the last commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

CODE_OK = 0


class BlockIdFlag(IntEnum):
    """How a validator voted for the previous block (tendermint.types.BlockIDFlag)."""

    UNKNOWN = 0
    ABSENT = 1
    COMMIT = 2
    NIL = 3


class MisbehaviorKind(IntEnum):
    """What a validator did wrong (tendermint.abci.MisbehaviorType)."""

    UNKNOWN = 0
    DUPLICATE_VOTE = 1
    LIGHT_CLIENT_ATTACK = 2


@dataclass(frozen=True)
class ValidatorUpdate:
    """A validator's consensus key and its new voting power (0 removes it)."""

    pub_key: bytes
    power: int
    key_type: str = "ed25519"


@dataclass(frozen=True)
class VoteInfo:
    """One validator's vote in the last commit: its address, power and how it voted."""

    validator_address: bytes
    power: int
    block_id_flag: BlockIdFlag


@dataclass(frozen=True)
class CommitInfo:
    """The votes that decided the previous block (empty at the first height)."""

    round: int = 0
    votes: tuple[VoteInfo, ...] = ()


@dataclass(frozen=True)
class Misbehavior:
    """Evidence of a validator's fault that CometBFT committed."""

    kind: MisbehaviorKind
    validator_address: bytes
    validator_power: int
    height: int
    time_ns: int
    total_voting_power: int


@dataclass(frozen=True)
class EventAttribute:
    key: str
    value: str
    index: bool = True


@dataclass(frozen=True)
class Event:
    """An ABCI event: a type and key/value attributes, indexed by CometBFT when `index` is set."""

    type: str
    attributes: tuple[EventAttribute, ...] = ()


@dataclass(frozen=True)
class InfoRequest:
    version: str = ""
    block_version: int = 0
    p2p_version: int = 0
    abci_version: str = ""


@dataclass(frozen=True)
class InfoResponse:
    """What the application last committed; CometBFT replays blocks after `last_block_height`."""

    data: str = ""
    version: str = ""
    app_version: int = 0
    last_block_height: int = 0
    last_block_app_hash: bytes = b""


@dataclass(frozen=True)
class InitChainRequest:
    """Genesis: `consensus_params` is the serialized tendermint.types.ConsensusParams (b"" if unset)."""

    time_ns: int
    chain_id: str
    validators: tuple[ValidatorUpdate, ...]
    app_state_bytes: bytes
    initial_height: int
    consensus_params: bytes = b""


@dataclass(frozen=True)
class InitChainResponse:
    """An empty `validators` keeps the genesis validators; a non-empty one replaces them."""

    app_hash: bytes = b""
    validators: tuple[ValidatorUpdate, ...] = ()


@dataclass(frozen=True)
class CheckTxRequest:
    tx: bytes
    is_recheck: bool = False


@dataclass(frozen=True)
class TxResult:
    """The outcome of one transaction, in CheckTx and in FinalizeBlock (code 0 is success)."""

    code: int = CODE_OK
    data: bytes = b""
    log: str = ""
    info: str = ""
    gas_wanted: int = 0
    gas_used: int = 0
    events: tuple[Event, ...] = ()
    codespace: str = ""


@dataclass(frozen=True)
class PrepareProposalRequest:
    max_tx_bytes: int
    txs: tuple[bytes, ...]
    height: int
    time_ns: int
    next_validators_hash: bytes
    proposer_address: bytes
    local_last_commit: CommitInfo = field(default_factory=CommitInfo)
    misbehavior: tuple[Misbehavior, ...] = ()


@dataclass(frozen=True)
class PrepareProposalResponse:
    txs: tuple[bytes, ...]


@dataclass(frozen=True)
class ProcessProposalRequest:
    txs: tuple[bytes, ...]
    hash: bytes
    height: int
    time_ns: int
    next_validators_hash: bytes
    proposer_address: bytes
    proposed_last_commit: CommitInfo = field(default_factory=CommitInfo)
    misbehavior: tuple[Misbehavior, ...] = ()


@dataclass(frozen=True)
class ProcessProposalResponse:
    accept: bool


@dataclass(frozen=True)
class FinalizeBlockRequest:
    txs: tuple[bytes, ...]
    hash: bytes
    height: int
    time_ns: int
    next_validators_hash: bytes
    proposer_address: bytes
    decided_last_commit: CommitInfo = field(default_factory=CommitInfo)
    misbehavior: tuple[Misbehavior, ...] = ()


@dataclass(frozen=True)
class FinalizeBlockResponse:
    """One `TxResult` per transaction, in order; `app_hash` is committed in the next header."""

    tx_results: tuple[TxResult, ...]
    app_hash: bytes
    events: tuple[Event, ...] = ()
    validator_updates: tuple[ValidatorUpdate, ...] = ()


@dataclass(frozen=True)
class CommitResponse:
    """`retain_height` > 0 lets CometBFT prune blocks below it."""

    retain_height: int = 0


@dataclass(frozen=True)
class QueryRequest:
    data: bytes
    path: str = ""
    height: int = 0
    prove: bool = False


@dataclass(frozen=True)
class QueryResponse:
    code: int = CODE_OK
    log: str = ""
    info: str = ""
    index: int = 0
    key: bytes = b""
    value: bytes = b""
    height: int = 0
    codespace: str = ""
