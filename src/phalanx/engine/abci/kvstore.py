"""A small key=value ABCI application that proves the server against a real CometBFT.

Transactions are `key=value` (UTF-8, non-empty key without "="); `val:PUBKEYHEX=POWER` also sets
an ed25519 validator's voting power (0 removes it). The app hash is the SHA-256 of
the state as canonical JSON (sorted keys). Committed state lives in one JSON file, replaced
atomically on Commit, so a restarted process reports its last height and CometBFT replays the rest.

Run it: `python -m phalanx.engine.abci.kvstore --listen tcp://127.0.0.1:26658 --state kv.json`;
it prints `abci listening on ADDRESS` once it accepts connections.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import os
import signal
from dataclasses import dataclass, field

from phalanx.engine.abci.application import Application
from phalanx.engine.abci.server import AbciServer
from phalanx.engine.abci.types import (
    CheckTxRequest,
    CommitResponse,
    Event,
    EventAttribute,
    FinalizeBlockRequest,
    FinalizeBlockResponse,
    InfoRequest,
    InfoResponse,
    InitChainRequest,
    InitChainResponse,
    ProcessProposalRequest,
    ProcessProposalResponse,
    QueryRequest,
    QueryResponse,
    TxResult,
    ValidatorUpdate,
)

CODE_BAD_TX = 1
CODE_NOT_FOUND = 2
VALIDATOR_PREFIX = "val:"


def parse_tx(tx: bytes) -> tuple[str, str] | None:
    """Split `key=value`, or None when the transaction is not one."""
    try:
        text = tx.decode("utf-8")
    except UnicodeDecodeError:
        return None
    key, sep, value = text.partition("=")
    return (key, value) if sep and key else None


def parse_validator_update(key: str, value: str) -> ValidatorUpdate | None:
    """`val:<64 hex digits>=<power>` as a validator update; None for other keys or bad values."""
    if not key.startswith(VALIDATOR_PREFIX):
        return None
    try:
        pub_key = bytes.fromhex(key[len(VALIDATOR_PREFIX):])
    except ValueError:
        return None
    if len(pub_key) != 32 or not value.isdigit():
        return None
    return ValidatorUpdate(pub_key=pub_key, power=int(value))


def is_valid_tx(tx: bytes) -> bool:
    pair = parse_tx(tx)
    if pair is None:
        return False
    return not pair[0].startswith(VALIDATOR_PREFIX) or parse_validator_update(*pair) is not None


def compute_app_hash(state: dict[str, str]) -> bytes:
    return hashlib.sha256(json.dumps(state, sort_keys=True, separators=(",", ":")).encode()).digest()


@dataclass
class KvState:
    height: int = 0
    app_hash: bytes = b""
    values: dict[str, str] = field(default_factory=dict)


class KvStoreApp(Application):
    """Keeps committed state in memory and in `state_path`; FinalizeBlock works on a copy."""

    def __init__(self, state_path: str) -> None:
        self._path = state_path
        self._committed = self._load()
        self._pending: KvState | None = None

    def _load(self) -> KvState:
        if not os.path.exists(self._path):
            return KvState()
        with open(self._path, encoding="utf-8") as f:
            raw = json.load(f)
        return KvState(height=int(raw["height"]), app_hash=bytes.fromhex(raw["app_hash"]),
                       values={str(k): str(v) for k, v in raw["values"].items()})

    def _save(self, state: KvState) -> None:
        tmp = f"{self._path}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"height": state.height, "app_hash": state.app_hash.hex(), "values": state.values}, f,
                      sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self._path)

    def info(self, request: InfoRequest) -> InfoResponse:
        return InfoResponse(data="kvstore", version="1", app_version=1,
                            last_block_height=self._committed.height,
                            last_block_app_hash=self._committed.app_hash)

    def init_chain(self, request: InitChainRequest) -> InitChainResponse:
        self._committed = KvState(app_hash=compute_app_hash({}))
        return InitChainResponse(app_hash=self._committed.app_hash)

    def check_tx(self, request: CheckTxRequest) -> TxResult:
        if not is_valid_tx(request.tx):
            return TxResult(code=CODE_BAD_TX, log="transaction must be key=value with a non-empty key")
        return TxResult()

    def process_proposal(self, request: ProcessProposalRequest) -> ProcessProposalResponse:
        return ProcessProposalResponse(accept=all(is_valid_tx(tx) for tx in request.txs))

    def finalize_block(self, request: FinalizeBlockRequest) -> FinalizeBlockResponse:
        values = dict(self._committed.values)
        results = []
        updates: dict[bytes, ValidatorUpdate] = {}
        for tx in request.txs:
            pair = parse_tx(tx)
            if pair is None or not is_valid_tx(tx):
                results.append(TxResult(code=CODE_BAD_TX, log="not key=value"))
                continue
            key, value = pair
            update = parse_validator_update(key, value)
            if update is not None:
                updates[update.pub_key] = update
            values[key] = value
            results.append(TxResult(events=(Event("kv", (EventAttribute("key", key),)),)))
        app_hash = compute_app_hash(values)
        self._pending = KvState(height=request.height, app_hash=app_hash, values=values)
        return FinalizeBlockResponse(tx_results=tuple(results), app_hash=app_hash,
                                     validator_updates=tuple(updates.values()))

    def commit(self) -> CommitResponse:
        if self._pending is not None:
            self._save(self._pending)
            self._committed, self._pending = self._pending, None
        return CommitResponse()

    def query(self, request: QueryRequest) -> QueryResponse:
        key = request.data.decode("utf-8", errors="replace")
        value = self._committed.values.get(key)
        if value is None:
            return QueryResponse(code=CODE_NOT_FOUND, log="key not found", key=request.data,
                                 height=self._committed.height)
        return QueryResponse(key=request.data, value=value.encode(), height=self._committed.height)


async def serve(listen: str, state_path: str) -> None:
    server = AbciServer(KvStoreApp(state_path))
    address = await server.start(listen)
    print(f"abci listening on {address}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Example key=value ABCI application for CometBFT.")
    parser.add_argument("--listen", default="tcp://127.0.0.1:26658", help="tcp://HOST:PORT or unix://PATH")
    parser.add_argument("--state", required=True, help="JSON file holding the committed state")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(serve(args.listen, args.state))


if __name__ == "__main__":
    main()
