"""The Substrate JSON-RPC methods, answered from the chain (blocks, states, runtime) and the transaction pool.

Names, parameters, result shapes and error codes follow Substrate's RPC, so that stock clients
(substrate-interface, polkadot.js) work unchanged. Subscriptions (new heads, finalized heads,
storage, extrinsic status) are bound to a websocket `Session`; the node calls `block_imported`
after each block, with the storage keys the block wrote, so the API can notify them. Storage
subscribers are found through an index of watched keys, so a block costs what it changed, not what
clients watch. Subscriptions and watched keys are capped per connection and per node
(`RpcLimits`); a subscription past a cap is refused with error -32006.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

from phalanx.errors import PhalanxError
from phalanx.node.backend import ChainBackend
from phalanx.node.errors import PoolError
from phalanx.node.pool import TransactionPool, TxStatus
from phalanx.node.rpc.limits import TOO_MANY_SUBSCRIPTIONS, RpcLimits
from phalanx.node.rpc.protocol import METHOD_NOT_FOUND, Call, JsonValue, RpcError, invalid_params
from phalanx.node.rpc.session import Session, new_subscription_id
from phalanx.primitives.ss58 import InvalidAddress, parse_account
from phalanx.runtime.errors import (
    CannotDecode,
    InvalidTransaction,
    TransactionValidityError,
    UnknownTransaction,
)

# Substrate's display texts of transaction validity errors (the `data` of error 1010 / 1011).
INVALID_TEXT = {
    "Call": "Transaction call is not expected",
    "Payment": "Inability to pay some fees (e.g. account balance too low)",
    "Future": "Transaction will be valid in the future",
    "Stale": "Transaction is outdated",
    "BadProof": "Transaction has a bad signature",
    "AncientBirthBlock": "Transaction has an ancient birth block",
    "ExhaustsResources": "Transaction would exhaust the block limits",
    "BadMandatory": "A call was labelled as mandatory, but resulted in an Error.",
    "MandatoryValidation": "Transaction dispatch is mandatory; transactions must not be validated.",
    "BadSigner": "Invalid signing address",
}
UNKNOWN_TEXT = {
    "CannotLookup": "Could not lookup information required to validate the transaction",
    "NoUnsignedValidator": "Could not find an unsigned validator for the unsigned transaction",
}
CLIENT_ERROR = 4003  # Substrate's state/chain "Client error" (e.g. an unknown block)
MAX_KEYS_PAGED = 1000
MAX_STORAGE_KEYS = 1000

Method = Callable[[Session, Call], Awaitable[JsonValue]]


def _hex(data: bytes) -> str:
    return "0x" + data.hex()


def _param(call: Call, index: int, name: str, default: Any = None) -> Any:
    if isinstance(call.params, dict):
        return call.params.get(name, default)
    return call.params[index] if index < len(call.params) else default


def _bytes_param(value: Any, what: str, size: int | None = None, limit: int = 16 * 1024 * 1024) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x") or len(value) > 2 + 2 * limit:
        raise invalid_params(f"{what} must be a 0x-prefixed hex string")
    try:
        data = bytes.fromhex(value[2:])
    except ValueError:
        raise invalid_params(f"{what} is not valid hex") from None
    if size is not None and len(data) != size:
        raise invalid_params(f"{what} must be {size} bytes, got {len(data)}")
    return data


def _optional_hash(value: Any, what: str = "block hash") -> bytes | None:
    return None if value is None else _bytes_param(value, what, 32)


def _int_param(value: Any, what: str, maximum: int = (1 << 32) - 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise invalid_params(f"{what} must be an integer between 0 and {maximum}")
    return value


def validity_error(error: TransactionValidityError) -> RpcError:
    """Map a runtime refusal to Substrate's author error."""
    if isinstance(error, CannotDecode):
        return RpcError(1002, "Verification Error: Runtime error: Could not decode", error.rpc_text())
    if isinstance(error, UnknownTransaction):
        return RpcError(1011, "Unknown Transaction", UNKNOWN_TEXT.get(error.reason, error.rpc_text()))
    if isinstance(error, InvalidTransaction):
        text = INVALID_TEXT.get(error.reason, f"Custom error: {error.message}")
        return RpcError(1010, "Invalid Transaction", text)
    return RpcError(1010, "Invalid Transaction", error.rpc_text())


@dataclass
class _StorageSubscription:
    session: Session
    keys: tuple[bytes, ...]  # without repeats, in the order asked for


@dataclass
class _WatchedKey:
    value: bytes | None  # at the last block notified (the best block)
    subscriptions: set[str]


class SubstrateApi:
    """Method table and subscription fan-out over one chain backend and one pool."""

    def __init__(self, backend: ChainBackend, pool: TransactionPool, *, name: str, version: str,
                 limits: RpcLimits | None = None) -> None:
        self.backend = backend
        self.pool = pool
        self.name = name
        self.version = version
        self.limits = limits or RpcLimits()
        self._head_subs: dict[str, tuple[Session, str]] = {}  # id -> (session, notification method)
        self._storage_subs: dict[str, _StorageSubscription] = {}
        self._watched: dict[bytes, _WatchedKey] = {}
        self.subscription_count = 0  # of every kind, over all sessions
        self.watched_key_count = 0  # storage keys over all subscriptions (a key watched twice counts twice)
        self.methods: dict[str, Method] = {
            "system_chain": self._system_chain,
            "system_name": self._system_name,
            "system_version": self._system_version,
            "system_properties": self._system_properties,
            "system_health": self._system_health,
            "system_chainType": self._system_chain_type,
            "system_accountNextIndex": self._system_account_next_index,
            "rpc_methods": self._rpc_methods,
            "chain_getBlockHash": self._chain_get_block_hash,
            "chain_getHead": self._chain_get_block_hash,
            "chain_getHeader": self._chain_get_header,
            "chain_getBlock": self._chain_get_block,
            "chain_getFinalizedHead": self._chain_get_finalized_head,
            "chain_getFinalisedHead": self._chain_get_finalized_head,
            "state_getRuntimeVersion": self._state_get_runtime_version,
            "chain_getRuntimeVersion": self._state_get_runtime_version,
            "state_getMetadata": self._state_get_metadata,
            "state_getStorage": self._state_get_storage,
            "state_getStorageAt": self._state_get_storage,
            "state_getKeysPaged": self._state_get_keys_paged,
            "state_getKeysPagedAt": self._state_get_keys_paged,
            "state_queryStorageAt": self._state_query_storage_at,
            "state_getProof": self._state_get_proof,
            "state_getReadProof": self._state_get_read_proof,
            "state_call": self._state_call,
            "state_callAt": self._state_call,
            "author_submitExtrinsic": self._author_submit_extrinsic,
            "author_submitAndWatchExtrinsic": self._author_submit_and_watch_extrinsic,
            "author_unwatchExtrinsic": self._unsubscribe,
            "author_pendingExtrinsics": self._author_pending_extrinsics,
            "chain_subscribeNewHeads": self._subscribe_heads("chain_newHead", finalized=False),
            "chain_subscribeNewHead": self._subscribe_heads("chain_newHead", finalized=False),
            "chain_subscribeAllHeads": self._subscribe_heads("chain_allHead", finalized=False),
            "chain_subscribeFinalizedHeads": self._subscribe_heads("chain_finalizedHead", finalized=True),
            "chain_subscribeFinalisedHeads": self._subscribe_heads("chain_finalizedHead", finalized=True),
            "chain_unsubscribeNewHeads": self._unsubscribe,
            "chain_unsubscribeNewHead": self._unsubscribe,
            "chain_unsubscribeAllHeads": self._unsubscribe,
            "chain_unsubscribeFinalizedHeads": self._unsubscribe,
            "chain_unsubscribeFinalisedHeads": self._unsubscribe,
            "state_subscribeStorage": self._state_subscribe_storage,
            "state_unsubscribeStorage": self._unsubscribe,
        }

    async def dispatch(self, session: Session, call: Call) -> JsonValue:
        method = self.methods.get(call.method)
        if method is None:
            raise RpcError(METHOD_NOT_FOUND, "Method not found", call.method[:100])
        try:
            return await method(session, call)
        except (IndexError, KeyError, TypeError, ValueError):
            raise invalid_params(f"bad parameters for {call.method}") from None
        except RpcError:
            raise
        except TransactionValidityError as error:
            raise validity_error(error) from None
        except PhalanxError as error:
            raise RpcError(CLIENT_ERROR, "Client error", error.message) from None

    # -- system ----------------------------------------------------------------------------------

    async def _system_chain(self, session: Session, call: Call) -> JsonValue:
        return self.backend.spec.name

    async def _system_name(self, session: Session, call: Call) -> JsonValue:
        return self.name

    async def _system_version(self, session: Session, call: Call) -> JsonValue:
        return self.version

    async def _system_properties(self, session: Session, call: Call) -> JsonValue:
        return dict(self.backend.spec.properties)

    async def _system_health(self, session: Session, call: Call) -> JsonValue:
        return {"peers": 0, "isSyncing": False, "shouldHavePeers": False}

    async def _system_chain_type(self, session: Session, call: Call) -> JsonValue:
        return self.backend.spec.chain_type

    async def _system_account_next_index(self, session: Session, call: Call) -> JsonValue:
        address = _param(call, 0, "accountId")
        if not isinstance(address, str):
            raise invalid_params("the account must be an SS58 address or 0x-hex")
        try:
            account = parse_account(address)
        except InvalidAddress as error:
            raise invalid_params(error.message) from None
        return self.pool.next_nonce(account, self.backend.account_nonce(account))

    async def _rpc_methods(self, session: Session, call: Call) -> JsonValue:
        return {"version": 1, "methods": sorted(self.methods)}

    # -- chain -----------------------------------------------------------------------------------

    def _resolve_number(self, value: Any) -> str | None:
        if value is None:
            return _hex(self.backend.best_hash())
        if isinstance(value, str):
            try:
                value = int(value, 16) if value.startswith("0x") else int(value)
            except ValueError:
                raise invalid_params("a block number is an integer or a 0x-hex string") from None
        number = _int_param(value, "block number")
        block_hash = self.backend.block_hash(number)
        return None if block_hash is None else _hex(block_hash)

    async def _chain_get_block_hash(self, session: Session, call: Call) -> JsonValue:
        value = _param(call, 0, "blockNumber")
        if isinstance(value, list):
            if len(value) > MAX_STORAGE_KEYS:
                raise invalid_params(f"at most {MAX_STORAGE_KEYS} block numbers per call")
            return [self._resolve_number(item) for item in value]
        return self._resolve_number(value)

    def _hash_or_best(self, value: Any) -> bytes:
        block_hash = _optional_hash(value)
        return self.backend.best_hash() if block_hash is None else block_hash

    async def _chain_get_header(self, session: Session, call: Call) -> JsonValue:
        header = self.backend.header(self._hash_or_best(_param(call, 0, "hash")))
        return None if header is None else header.to_json()

    async def _chain_get_block(self, session: Session, call: Call) -> JsonValue:
        block_hash = self._hash_or_best(_param(call, 0, "hash"))
        block = self.backend.block(block_hash)
        if block is None:
            return None
        justification = self.backend.justification(block_hash)
        justifications = None if justification is None else [[list(b"PXDV"), _hex(justification)]]
        return {"block": block.to_json(), "justifications": justifications}

    async def _chain_get_finalized_head(self, session: Session, call: Call) -> JsonValue:
        return _hex(self.backend.finalized_hash())

    # -- state -----------------------------------------------------------------------------------

    def _check_block(self, at: bytes | None) -> None:
        if at is not None and self.backend.header(at) is None:
            raise RpcError(CLIENT_ERROR, "Client error", f"UnknownBlock: header not found for {_hex(at)}")

    async def _state_get_runtime_version(self, session: Session, call: Call) -> JsonValue:
        self._check_block(_optional_hash(_param(call, 0, "at")))
        version: dict[str, Any] = self.backend.runtime_version().to_json()
        return version

    async def _state_get_metadata(self, session: Session, call: Call) -> JsonValue:
        self._check_block(_optional_hash(_param(call, 0, "at")))
        return _hex(self.backend.metadata())

    async def _state_get_storage(self, session: Session, call: Call) -> JsonValue:
        key = _bytes_param(_param(call, 0, "key"), "storage key", limit=4096)
        at = _optional_hash(_param(call, 1, "at"))
        self._check_block(at)
        value = self.backend.state_get(key, at)
        return None if value is None else _hex(value)

    async def _state_get_keys_paged(self, session: Session, call: Call) -> JsonValue:
        prefix = _bytes_param(_param(call, 0, "prefix", "0x"), "key prefix", limit=4096)
        count = _int_param(_param(call, 1, "count"), "count", MAX_KEYS_PAGED)
        start = _param(call, 2, "startKey")
        start_key = None if start is None else _bytes_param(start, "start key", limit=4096)
        at = _optional_hash(_param(call, 3, "at"))
        self._check_block(at)
        return [_hex(key) for key in self.backend.state_keys_paged(prefix, count, start_key, at)]

    async def _state_query_storage_at(self, session: Session, call: Call) -> JsonValue:
        keys = _param(call, 0, "keys")
        if not isinstance(keys, list) or len(keys) > MAX_STORAGE_KEYS:
            raise invalid_params(f"keys must be a list of at most {MAX_STORAGE_KEYS} hex keys")
        at = _optional_hash(_param(call, 1, "at"))
        self._check_block(at)
        block = at if at is not None else self.backend.best_hash()
        changes = []
        for item in keys:
            key = _bytes_param(item, "storage key", limit=4096)
            value = self.backend.state_get(key, block)
            changes.append([_hex(key), None if value is None else _hex(value)])
        return [{"block": _hex(block), "changes": changes}]

    def _proof_request(self, call: Call) -> tuple[list[bytes], bytes]:
        keys = _param(call, 0, "keys")
        if not isinstance(keys, list) or len(keys) > MAX_STORAGE_KEYS:
            raise invalid_params(f"keys must be a list of at most {MAX_STORAGE_KEYS} hex keys")
        decoded = [_bytes_param(item, "storage key", limit=4096) for item in keys]
        at = _optional_hash(_param(call, 1, "at"))
        self._check_block(at)
        return decoded, at if at is not None else self.backend.best_hash()

    async def _state_get_proof(self, session: Session, call: Call) -> JsonValue:
        """Merkle proofs of `keys` against the state root of block `at` (best when null), in the
        encoding of `ChainStore.state_proof`: Vec<(key, Option<value>, proof)>. Enclaves verify them."""
        keys, at = self._proof_request(call)
        return _hex(self.backend.state_proof(keys, at))

    async def _state_get_read_proof(self, session: Session, call: Call) -> JsonValue:
        """Substrate's shape, {at, proof: [hex]}, with one entry per key: that key's
        (key, Option<value>, proof) as `state_getProof` encodes it (our trie is not Substrate's)."""
        keys, at = self._proof_request(call)
        proofs = []
        for key in keys:
            bundle = self.backend.state_proof([key], at)
            proofs.append(_hex(bundle[1:]))  # drop the compact length 1 (one byte) of the bundle
        return {"at": _hex(at), "proof": proofs}

    async def _state_call(self, session: Session, call: Call) -> JsonValue:
        method = _param(call, 0, "name")
        if not isinstance(method, str) or len(method) > 256:
            raise invalid_params("the runtime API method name must be a string")
        data = _bytes_param(_param(call, 1, "bytes", "0x"), "call data")
        at = _optional_hash(_param(call, 2, "at"))
        self._check_block(at)
        return _hex(self.backend.call(method, data, at))

    # -- author ----------------------------------------------------------------------------------

    def _submit(self, call: Call, watcher: Callable[[bytes, TxStatus], None] | None = None) -> bytes:
        xt = _bytes_param(_param(call, 0, "extrinsic"), "extrinsic")
        try:
            return self.pool.submit(xt, watcher)
        except PoolError as error:
            raise RpcError(error.rpc_code, error.message) from None

    async def _author_submit_extrinsic(self, session: Session, call: Call) -> JsonValue:
        return _hex(self._submit(call))

    async def _author_submit_and_watch_extrinsic(self, session: Session, call: Call) -> JsonValue:
        self._require_websocket(session)
        self._admit(session)
        subscription = new_subscription_id()
        early: list[TxStatus] = []
        live = False

        def watcher(_tx_hash: bytes, status: TxStatus) -> None:
            if live:
                session.notify("author_extrinsicUpdate", subscription, status.to_json())
                if status.is_final and session.subscriptions.pop(subscription, None) is not None:
                    self.subscription_count -= 1
            else:
                early.append(status)

        tx_hash = self._submit(call, watcher)

        def go_live() -> None:
            nonlocal live
            live = True
            for status in early:
                watcher(tx_hash, status)

        def cancel() -> None:
            self.subscription_count -= 1
            self.pool.unwatch(tx_hash, watcher)

        self._add(session, subscription, cancel)
        session.defer(go_live)
        return subscription

    async def _author_pending_extrinsics(self, session: Session, call: Call) -> JsonValue:
        return [_hex(xt) for xt in self.pool.pending()]

    # -- subscriptions ---------------------------------------------------------------------------

    def _require_websocket(self, session: Session) -> None:
        if not session.websocket:
            raise RpcError(METHOD_NOT_FOUND, "Subscriptions are not available on this transport")

    def _admit(self, session: Session, keys: int = 0) -> None:
        """Refuse a new subscription (watching `keys` storage keys) past a cap of `RpcLimits`."""
        limits = self.limits
        if len(session.subscriptions) >= limits.max_subscriptions_per_connection:
            raise _too_many(f"a connection may hold {limits.max_subscriptions_per_connection} subscriptions; "
                            "cancel one first")
        if self.subscription_count >= limits.max_subscriptions:
            raise _too_many(f"the node holds its limit of {limits.max_subscriptions} subscriptions; "
                            "try again later")
        if session.watched_keys + keys > limits.max_storage_keys_per_connection:
            raise _too_many(f"a connection may watch {limits.max_storage_keys_per_connection} storage keys, "
                            f"this one watches {session.watched_keys} and asked for {keys} more")
        if self.watched_key_count + keys > limits.max_storage_keys:
            raise _too_many(f"the node watches its limit of {limits.max_storage_keys} storage keys for "
                            "its clients; try again later")

    def _add(self, session: Session, subscription: str, cancel: Callable[[], None]) -> None:
        """Register an admitted subscription; `cancel` must give back what it counted."""
        self.subscription_count += 1
        session.add_subscription(subscription, cancel)

    def _subscribe_heads(self, notification: str, finalized: bool) -> Method:
        async def subscribe(session: Session, call: Call) -> JsonValue:
            self._require_websocket(session)
            self._admit(session)
            subscription = new_subscription_id()
            self._head_subs[subscription] = (session, notification)

            def cancel() -> None:
                self.subscription_count -= 1
                self._head_subs.pop(subscription, None)

            self._add(session, subscription, cancel)
            head = self.backend.finalized_hash() if finalized else self.backend.best_hash()

            def first() -> None:
                header = self.backend.header(head)
                if header is not None:
                    session.notify(notification, subscription, header.to_json())

            session.defer(first)
            return subscription

        return subscribe

    async def _state_subscribe_storage(self, session: Session, call: Call) -> JsonValue:
        self._require_websocket(session)
        raw_keys = _param(call, 0, "keys")
        if not isinstance(raw_keys, list) or not raw_keys or len(raw_keys) > MAX_STORAGE_KEYS:
            raise invalid_params(f"keys must be a non-empty list of at most {MAX_STORAGE_KEYS} hex keys")
        keys = tuple(dict.fromkeys(_bytes_param(item, "storage key", limit=4096) for item in raw_keys))
        self._admit(session, len(keys))
        best = self.backend.best_hash()
        values = {key: self.backend.state_get(key, best) for key in keys}
        subscription = new_subscription_id()
        self._storage_subs[subscription] = _StorageSubscription(session, keys)
        for key, value in values.items():
            self._watched.setdefault(key, _WatchedKey(value, set())).subscriptions.add(subscription)
        session.watched_keys += len(keys)
        self.watched_key_count += len(keys)
        self._add(session, subscription, lambda: self._drop_storage(subscription))
        first = {"block": _hex(best), "changes": [_change(key, value) for key, value in values.items()]}
        session.defer(lambda: session.notify("state_storage", subscription, first))
        return subscription

    def _drop_storage(self, subscription: str) -> None:
        entry = self._storage_subs.pop(subscription, None)
        if entry is None:
            return
        self.subscription_count -= 1
        entry.session.watched_keys -= len(entry.keys)
        self.watched_key_count -= len(entry.keys)
        for key in entry.keys:
            watched = self._watched.get(key)
            if watched is not None:
                watched.subscriptions.discard(subscription)
                if not watched.subscriptions:
                    del self._watched[key]

    async def _unsubscribe(self, session: Session, call: Call) -> JsonValue:
        subscription = _param(call, 0, "subscription")
        if not isinstance(subscription, str):
            raise invalid_params("the subscription id must be a string")
        return session.cancel_subscription(subscription)

    def block_imported(self, block_hash: bytes, finalized: bool, changed_keys: Collection[bytes]) -> None:
        """Notify head and storage subscribers of a new best block (finalized at once on the dev chain).

        `changed_keys`: the storage keys the block wrote; only their watchers are looked at."""
        header = self.backend.header(block_hash)
        if header is None:
            return
        header_json = header.to_json()
        for subscription, (session, notification) in list(self._head_subs.items()):
            if notification != "chain_finalizedHead" or finalized:
                session.notify(notification, subscription, header_json)
        changed: dict[bytes, bytes | None] = {}
        watchers: set[str] = set()
        for key in changed_keys:
            watched = self._watched.get(key)
            if watched is None:
                continue
            value = self.backend.state_get(key, block_hash)
            if value != watched.value:
                watched.value = value
                changed[key] = value
                watchers.update(watched.subscriptions)
        for subscription in watchers:
            entry = self._storage_subs.get(subscription)
            if entry is None:  # its session was disconnected by an earlier notification
                continue
            changes = [_change(key, changed[key]) for key in entry.keys if key in changed]
            result = {"block": _hex(block_hash), "changes": changes}
            entry.session.notify("state_storage", subscription, result)


def _change(key: bytes, value: bytes | None) -> list[str | None]:
    return [_hex(key), None if value is None else _hex(value)]


def _too_many(data: str) -> RpcError:
    return RpcError(TOO_MANY_SUBSCRIPTIONS, "Too many subscriptions", data)
