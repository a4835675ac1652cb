"""pRuntime, the enclave runtime: verified blocks in, contract execution inside, signed egress out.

- `core.apply(state, FeedBlock) -> (state, effects)`: the pure block loop (see `core`).
- `chain`: finality and state-proof checks (`verify_block`); `cometbft`: CometBFT finality (signed
  header H+1 for block H).
- `chain_events`: the inbound message layout (`Mq.InboundMessages`) and registry events.
- `replay`: the query replay guard.
- `state`: `EnclaveState` and its sealed snapshot.
- `runtime.PRuntime`: the driver the enclave process runs (keys, sealing, checkpoints, queries).
- `process_main`: the enclave process (`python -m phalanx.tee.enclave.process_main`), which serves
  the host-enclave channel.

What crosses the enclave's boundary (sealed commands and queries, the host-enclave protocol,
`BlockInput`, trust roots) is defined below it, in `phalanx.wire`, for clients and hosts to use
without importing the enclave.
"""

from phalanx.tee.enclave.chain import VerifiedBlock, verify_block
from phalanx.tee.enclave.cometbft import CometBftProgress
from phalanx.tee.enclave.core import Egress, FeedBlock, Log, StoreState, apply
from phalanx.tee.enclave.errors import (
    AppHashMismatch,
    BlockNotLinked,
    BlockReplayed,
    BlockSkipped,
    ContractNotHosted,
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
)
from phalanx.tee.enclave.state import EnclaveState, initial_enclave_state

__all__ = [
    "AppHashMismatch", "BlockNotLinked", "BlockReplayed", "BlockSkipped", "CometBftProgress",
    "ContractNotHosted", "Egress", "EnclaveError", "EnclaveState", "FeedBlock", "InvalidChainData",
    "InvalidFinality", "InvalidQuery", "InvalidSealedState", "InvalidStateProof", "Log", "MalformedInput",
    "MissingStateProof", "NotInitialized", "QueryReplayed", "StateMismatch", "StoreState", "VerifiedBlock",
    "apply", "initial_enclave_state", "verify_block",
]  # fmt: skip
