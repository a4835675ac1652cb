"""pRuntime, the enclave runtime: verified blocks in, contract execution inside, signed egress out.

- `core.apply(state, FeedBlock) -> (state, effects)`: the pure block loop (see `core`).
- `chain`: finality and state-proof checks (`verify_block`, `DevTrust`, `CometBftTrust`, `BlockInput`,
  `compute_chain_trust_hash`); `cometbft`: CometBFT finality (signed header H+1 for block H).
- `chain_events`: the inbound message layout (`Mq.InboundMessages`) and registry events.
- `commands`: `encrypt_command` for clients, `decrypt_command` for the enclave.
- `query`: signed, sealed queries and answers (`make_query`, `seal_query`, `open_answer` for clients).
- `state`: `EnclaveState` and its sealed snapshot.
- `runtime.PRuntime`: the driver the enclave process runs (keys, sealing, checkpoints, queries).
"""

from phalanx.tee.enclave.chain import (
    BlockInput,
    ChainTrust,
    DevTrust,
    VerifiedBlock,
    compute_chain_trust_hash,
    trust_from_root,
    verify_block,
)
from phalanx.tee.enclave.cometbft import CometBftProgress, CometBftTrust, encode_cometbft_justification
from phalanx.tee.enclave.commands import decrypt_command, encrypt_command
from phalanx.tee.enclave.core import Egress, FeedBlock, Log, StoreState, apply
from phalanx.tee.enclave.errors import (
    AppHashMismatch,
    BlockNotLinked,
    BlockReplayed,
    BlockSkipped,
    EnclaveError,
    InvalidChainData,
    InvalidFinality,
    InvalidQuery,
    InvalidSealedState,
    InvalidStateProof,
    MalformedInput,
    MissingStateProof,
    NotInitialized,
    QueryReplayed,
    StateMismatch,
    UnknownContract,
)
from phalanx.tee.enclave.query import QueryAnswer, make_query, open_answer, seal_query
from phalanx.tee.enclave.state import EnclaveState, initial_enclave_state

__all__ = [
    "AppHashMismatch", "BlockInput", "BlockNotLinked", "BlockReplayed", "BlockSkipped", "ChainTrust",
    "CometBftProgress", "CometBftTrust", "DevTrust", "Egress", "EnclaveError", "EnclaveState", "FeedBlock",
    "InvalidChainData", "InvalidFinality", "InvalidQuery", "InvalidSealedState", "InvalidStateProof", "Log",
    "MalformedInput", "MissingStateProof", "NotInitialized", "QueryAnswer", "QueryReplayed",
    "StateMismatch", "StoreState", "UnknownContract", "VerifiedBlock", "apply", "compute_chain_trust_hash",
    "decrypt_command", "encode_cometbft_justification", "encrypt_command", "initial_enclave_state",
    "make_query", "open_answer", "seal_query", "trust_from_root", "verify_block",
]  # fmt: skip
