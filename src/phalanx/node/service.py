"""The dev node service: store, runtime, pool, dev engine and RPC server on one event loop.

    node = DevNode(DevConfig(base_path=None, rpc_port=0))
    await node.start()        # opens the store (genesis on first start), starts RPC and the engine
    print(node.rpc_url)
    await node.wait_stopped() # until stop() (SIGINT / SIGTERM in the CLI)
    await node.close()

A node restarted on the same base path continues from its last committed block.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version

from phalanx.crypto.errors import CryptoError
from phalanx.crypto.keys import Keypair
from phalanx.engine.dev import DevEngine, SealedBlock
from phalanx.node.backend import ChainBackend
from phalanx.node.config import DevConfig
from phalanx.node.errors import ConfigError
from phalanx.node.pool import TransactionPool
from phalanx.node.rpc.api import SubstrateApi
from phalanx.node.rpc.server import RpcServer

NODE_NAME = "phalanx"


def node_version() -> str:
    try:
        return version("phalanx")
    except PackageNotFoundError:
        return "0.0.0"


def open_dev_chain(config: DevConfig) -> tuple[ChainBackend, Callable[[], None]]:
    """Open the store and the chain (`Blockchain`) of the development chain spec; returns (chain, close)."""
    from phalanx.chain import Blockchain
    from phalanx.runtime.chain_spec import ChainSpec
    from phalanx.storage import Database

    if config.chain_spec is None:
        spec = ChainSpec.development()
    else:
        try:
            spec = ChainSpec.from_json(json.loads(config.chain_spec.read_text()))
        except (OSError, ValueError) as error:
            raise ConfigError(f"cannot read the chain spec {config.chain_spec}: {error}") from None
    db = Database.temporary() if config.base_path is None else Database.open(config.base_path)
    try:
        chain: ChainBackend = Blockchain(db, spec)
    except BaseException:
        db.close()
        raise
    return chain, db.close


def _dev_authority_public_key(backend: ChainBackend) -> bytes | None:
    """The genesis dev authority (`ChainSpec.genesis.dev_authority`), if the chain names one."""
    value = getattr(getattr(backend.spec, "genesis", None), "dev_authority", None)
    return value if isinstance(value, bytes) else None


class DevNode:
    """One-process development chain; see the module docstring."""

    def __init__(self, config: DevConfig,
                 open_chain: Callable[[DevConfig], tuple[ChainBackend, Callable[[], None]]] = open_dev_chain
                 ) -> None:
        config.check()
        self.config = config
        self._open_chain = open_chain
        self._stopped = asyncio.Event()
        self._close_chain: Callable[[], None] | None = None
        self._engine_task: asyncio.Task[None] | None = None
        self.backend: ChainBackend | None = None
        self.pool: TransactionPool | None = None
        self.engine: DevEngine | None = None
        self.api: SubstrateApi | None = None
        self.server: RpcServer | None = None

    @property
    def rpc_url(self) -> str:
        return self.server.url if self.server is not None else ""

    async def start(self) -> None:
        try:
            authority = Keypair.from_suri(self.config.authority_suri)
        except CryptoError as error:
            raise ConfigError(f"the dev authority secret URI is not usable: {error.message}") from None
        backend, self._close_chain = self._open_chain(self.config)
        self.backend = backend
        expected = _dev_authority_public_key(backend)
        if expected is not None and expected != authority.public_key:
            raise ConfigError("the dev authority key does not match the chain's genesis dev authority")
        self.pool = TransactionPool(backend.validate_transaction, self.config.pool, backend.best_number())
        self.engine = DevEngine(
            backend, self.pool, authority,
            block_time=self.config.block_time,
            instant_seal=self.config.instant_seal,
            max_block_extrinsics=self.config.max_block_extrinsics,
        )
        self.api = SubstrateApi(backend, self.pool, name=NODE_NAME, version=node_version(),
                                limits=self.config.rpc)
        self.engine.add_listener(self._on_block)
        self.server = RpcServer(self.api, self.config.rpc_host, self.config.rpc_port, self.config.rpc)
        await self.server.start()
        self._engine_task = asyncio.create_task(self.engine.run())
        self._engine_task.add_done_callback(lambda _task: self._stopped.set())

    def _on_block(self, sealed: SealedBlock) -> None:
        if self.api is not None:
            self.api.block_imported(sealed.hash, finalized=True, changed_keys=sealed.changed_keys)

    def stop(self) -> None:
        """Ask the node to stop (safe from a signal handler)."""
        if self.engine is not None:
            self.engine.stop()
        self._stopped.set()

    async def wait_stopped(self) -> None:
        await self._stopped.wait()

    async def close(self) -> None:
        """Stop the engine after its current block, the RPC server, then close the store."""
        if self.engine is not None:
            self.engine.stop()
        if self._engine_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._engine_task
        if self.server is not None:
            await self.server.stop()
        if self._close_chain is not None:
            self._close_chain()
            self._close_chain = None
