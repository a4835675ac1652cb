"""Maps one ABCI `Request` protobuf to an `Application` call and its result back to a `Response`.

The server owns the transport; this module owns the meaning. Echo and Flush are answered here;
vote extensions get an empty extension and are accepted; state-sync snapshot calls get the
answers of an application that has no snapshots and takes none.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from google.protobuf import timestamp_pb2

from phalanx.engine.abci.application import Application
from phalanx.engine.abci.errors import EmptyRequest
from phalanx.engine.abci.proto.tendermint.abci import types_pb2 as pb
from phalanx.engine.abci.proto.tendermint.crypto import keys_pb2
from phalanx.engine.abci.types import (
    BlockIdFlag,
    CheckTxRequest,
    CommitInfo,
    Event,
    FinalizeBlockRequest,
    InfoRequest,
    InitChainRequest,
    Misbehavior,
    MisbehaviorKind,
    PrepareProposalRequest,
    ProcessProposalRequest,
    QueryRequest,
    TxResult,
    ValidatorUpdate,
    VoteInfo,
)

NANOS_PER_SECOND = 1_000_000_000


def time_ns_from_proto(ts: timestamp_pb2.Timestamp) -> int:
    return int(ts.seconds) * NANOS_PER_SECOND + int(ts.nanos)


def validator_update_from_proto(update: pb.ValidatorUpdate) -> ValidatorUpdate:
    key_type = update.pub_key.WhichOneof("sum") or ""
    return ValidatorUpdate(pub_key=bytes(getattr(update.pub_key, key_type, b"")), power=update.power,
                           key_type=key_type)


def validator_update_to_proto(update: ValidatorUpdate) -> pb.ValidatorUpdate:
    key = keys_pb2.PublicKey(**{update.key_type: update.pub_key})
    return pb.ValidatorUpdate(pub_key=key, power=update.power)


def _votes(votes: Iterable[pb.VoteInfo] | Iterable[pb.ExtendedVoteInfo]) -> tuple[VoteInfo, ...]:
    return tuple(
        VoteInfo(validator_address=bytes(vote.validator.address), power=vote.validator.power,
                 block_id_flag=BlockIdFlag(vote.block_id_flag))
        for vote in votes
    )


def _commit_info(info: pb.CommitInfo | pb.ExtendedCommitInfo) -> CommitInfo:
    return CommitInfo(round=info.round, votes=_votes(info.votes))


def _misbehavior(items: Iterable[pb.Misbehavior]) -> tuple[Misbehavior, ...]:
    return tuple(
        Misbehavior(kind=MisbehaviorKind(item.type), validator_address=bytes(item.validator.address),
                    validator_power=item.validator.power, height=item.height,
                    time_ns=time_ns_from_proto(item.time), total_voting_power=item.total_voting_power)
        for item in items
    )


def _events_to_proto(events: Iterable[Event]) -> list[pb.Event]:
    return [
        pb.Event(type=event.type, attributes=[
            pb.EventAttribute(key=a.key, value=a.value, index=a.index) for a in event.attributes
        ])
        for event in events
    ]


class _TxResultFields(TypedDict):
    """The fields ResponseCheckTx and ExecTxResult share."""

    code: int
    data: bytes
    log: str
    info: str
    gas_wanted: int
    gas_used: int
    events: list[pb.Event]
    codespace: str


def _tx_result_fields(result: TxResult) -> _TxResultFields:
    return {
        "code": result.code, "data": result.data, "log": result.log, "info": result.info,
        "gas_wanted": result.gas_wanted, "gas_used": result.gas_used,
        "events": _events_to_proto(result.events), "codespace": result.codespace,
    }


def handle_request(app: Application, request: pb.Request) -> pb.Response:
    """Answer one request; the application's exceptions propagate to the caller."""
    kind = request.WhichOneof("value")
    if kind == "echo":
        return pb.Response(echo=pb.ResponseEcho(message=request.echo.message))
    if kind == "flush":
        return pb.Response(flush=pb.ResponseFlush())
    if kind == "info":
        r = request.info
        info = app.info(InfoRequest(version=r.version, block_version=r.block_version,
                                    p2p_version=r.p2p_version, abci_version=r.abci_version))
        return pb.Response(info=pb.ResponseInfo(
            data=info.data, version=info.version, app_version=info.app_version,
            last_block_height=info.last_block_height, last_block_app_hash=info.last_block_app_hash))
    if kind == "init_chain":
        r = request.init_chain
        params = r.consensus_params.SerializeToString() if r.HasField("consensus_params") else b""
        genesis = app.init_chain(InitChainRequest(
            time_ns=time_ns_from_proto(r.time), chain_id=r.chain_id,
            validators=tuple(validator_update_from_proto(v) for v in r.validators),
            app_state_bytes=bytes(r.app_state_bytes), initial_height=r.initial_height,
            consensus_params=bytes(params)))
        return pb.Response(init_chain=pb.ResponseInitChain(
            app_hash=genesis.app_hash, validators=[validator_update_to_proto(v) for v in genesis.validators]))
    if kind == "check_tx":
        r = request.check_tx
        checked = app.check_tx(CheckTxRequest(tx=bytes(r.tx), is_recheck=r.type == pb.RECHECK))
        return pb.Response(check_tx=pb.ResponseCheckTx(**_tx_result_fields(checked)))
    if kind == "prepare_proposal":
        r = request.prepare_proposal
        prepared = app.prepare_proposal(PrepareProposalRequest(
            max_tx_bytes=r.max_tx_bytes, txs=tuple(bytes(t) for t in r.txs), height=r.height,
            time_ns=time_ns_from_proto(r.time), next_validators_hash=bytes(r.next_validators_hash),
            proposer_address=bytes(r.proposer_address), local_last_commit=_commit_info(r.local_last_commit),
            misbehavior=_misbehavior(r.misbehavior)))
        return pb.Response(prepare_proposal=pb.ResponsePrepareProposal(txs=list(prepared.txs)))
    if kind == "process_proposal":
        r = request.process_proposal
        processed = app.process_proposal(ProcessProposalRequest(
            txs=tuple(bytes(t) for t in r.txs), hash=bytes(r.hash), height=r.height,
            time_ns=time_ns_from_proto(r.time), next_validators_hash=bytes(r.next_validators_hash),
            proposer_address=bytes(r.proposer_address),
            proposed_last_commit=_commit_info(r.proposed_last_commit),
            misbehavior=_misbehavior(r.misbehavior)))
        status = pb.ResponseProcessProposal.ACCEPT if processed.accept else pb.ResponseProcessProposal.REJECT
        return pb.Response(process_proposal=pb.ResponseProcessProposal(status=status))
    if kind == "finalize_block":
        r = request.finalize_block
        finalized = app.finalize_block(FinalizeBlockRequest(
            txs=tuple(bytes(t) for t in r.txs), hash=bytes(r.hash), height=r.height,
            time_ns=time_ns_from_proto(r.time), next_validators_hash=bytes(r.next_validators_hash),
            proposer_address=bytes(r.proposer_address),
            decided_last_commit=_commit_info(r.decided_last_commit),
            misbehavior=_misbehavior(r.misbehavior)))
        return pb.Response(finalize_block=pb.ResponseFinalizeBlock(
            events=_events_to_proto(finalized.events),
            tx_results=[pb.ExecTxResult(**_tx_result_fields(t)) for t in finalized.tx_results],
            validator_updates=[validator_update_to_proto(v) for v in finalized.validator_updates],
            app_hash=finalized.app_hash))
    if kind == "commit":
        committed = app.commit()
        return pb.Response(commit=pb.ResponseCommit(retain_height=committed.retain_height))
    if kind == "query":
        r = request.query
        answer = app.query(QueryRequest(data=bytes(r.data), path=r.path, height=r.height, prove=r.prove))
        return pb.Response(query=pb.ResponseQuery(
            code=answer.code, log=answer.log, info=answer.info, index=answer.index, key=answer.key,
            value=answer.value, height=answer.height, codespace=answer.codespace))
    if kind == "extend_vote":
        return pb.Response(extend_vote=pb.ResponseExtendVote(vote_extension=b""))
    if kind == "verify_vote_extension":
        return pb.Response(verify_vote_extension=pb.ResponseVerifyVoteExtension(
            status=pb.ResponseVerifyVoteExtension.ACCEPT))
    if kind == "list_snapshots":
        return pb.Response(list_snapshots=pb.ResponseListSnapshots())
    if kind == "offer_snapshot":
        return pb.Response(offer_snapshot=pb.ResponseOfferSnapshot(result=pb.ResponseOfferSnapshot.REJECT))
    if kind == "load_snapshot_chunk":
        return pb.Response(load_snapshot_chunk=pb.ResponseLoadSnapshotChunk(chunk=b""))
    if kind == "apply_snapshot_chunk":
        return pb.Response(apply_snapshot_chunk=pb.ResponseApplySnapshotChunk(
            result=pb.ResponseApplySnapshotChunk.ABORT))
    raise EmptyRequest(f"request names no known ABCI method (field {kind!r})")
