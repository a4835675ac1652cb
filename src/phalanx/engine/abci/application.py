"""The interface a chain offers CometBFT: one method per ABCI 2.0 call, over plain frozen types.

The server calls these methods one at a time, on its event-loop thread, in the order CometBFT
sends them (never two at once, across all four connections), so an implementation needs no locks
and may keep an LMDB write transaction open from FinalizeBlock to Commit. Echo, Flush, vote
extensions and state-sync snapshots are answered by the server itself.

A method that raises makes the server answer with an ABCI exception and close the connection,
on which CometBFT stops: raise only for faults, and report a bad transaction as a non-zero code.
"""

from __future__ import annotations

import abc

from phalanx.engine.abci.types import (
    CheckTxRequest,
    CommitResponse,
    FinalizeBlockRequest,
    FinalizeBlockResponse,
    InfoRequest,
    InfoResponse,
    InitChainRequest,
    InitChainResponse,
    PrepareProposalRequest,
    PrepareProposalResponse,
    ProcessProposalRequest,
    ProcessProposalResponse,
    QueryRequest,
    QueryResponse,
    TxResult,
)


class Application(abc.ABC):
    """An ABCI 2.0 application (CometBFT v0.38)."""

    @abc.abstractmethod
    def info(self, request: InfoRequest) -> InfoResponse:
        """Report the last committed height and app hash (on every CometBFT start)."""

    @abc.abstractmethod
    def init_chain(self, request: InitChainRequest) -> InitChainResponse:
        """Build genesis state; called once, when `info` reported height 0."""

    @abc.abstractmethod
    def check_tx(self, request: CheckTxRequest) -> TxResult:
        """Decide whether a transaction may enter the mempool (code 0) or not."""

    def prepare_proposal(self, request: PrepareProposalRequest) -> PrepareProposalResponse:
        """Choose the transactions of this validator's proposal; default: mempool order, up to the limit."""
        chosen: list[bytes] = []
        size = 0
        for tx in request.txs:
            size += len(tx)
            if size > request.max_tx_bytes:
                break
            chosen.append(tx)
        return PrepareProposalResponse(txs=tuple(chosen))

    def process_proposal(self, request: ProcessProposalRequest) -> ProcessProposalResponse:
        """Vote on another validator's proposal; default: accept."""
        return ProcessProposalResponse(accept=True)

    @abc.abstractmethod
    def finalize_block(self, request: FinalizeBlockRequest) -> FinalizeBlockResponse:
        """Execute a decided block and return its results and the new app hash (not yet persisted)."""

    @abc.abstractmethod
    def commit(self) -> CommitResponse:
        """Persist the state that the last `finalize_block` produced."""

    @abc.abstractmethod
    def query(self, request: QueryRequest) -> QueryResponse:
        """Answer a read of committed state."""
