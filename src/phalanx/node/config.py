"""Options of a dev node, checked once at start-up."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from phalanx.node.errors import ConfigError
from phalanx.node.pool import PoolLimits
from phalanx.node.rpc.limits import RpcLimits

DEFAULT_BASE_PATH = Path(".phalanx/dev")
DEFAULT_RPC_PORT = 9944


@dataclass(frozen=True)
class DevConfig:
    """`base_path` None means a temporary store removed at exit (`--tmp`)."""

    base_path: Path | None = DEFAULT_BASE_PATH
    rpc_host: str = "127.0.0.1"
    rpc_port: int = DEFAULT_RPC_PORT
    block_time: float = 1.0
    instant_seal: bool = False
    authority_suri: str = "//Alice"
    chain_spec: Path | None = None  # a ChainSpec JSON file; None = the built-in development spec
    max_block_extrinsics: int = 4096
    pool: PoolLimits = field(default_factory=PoolLimits)
    rpc: RpcLimits = field(default_factory=RpcLimits)

    def check(self) -> None:
        """Raise ConfigError naming the first unusable option."""
        if not 0 <= self.rpc_port <= 65535:
            raise ConfigError(f"--rpc-port must be between 0 and 65535, got {self.rpc_port}")
        if not 0.01 <= self.block_time <= 3600:
            raise ConfigError(f"--block-time must be between 0.01 and 3600 seconds, got {self.block_time}")
        if self.max_block_extrinsics < 1:
            raise ConfigError("the block size limit must allow at least one extrinsic")
        if self.chain_spec is not None and not self.chain_spec.is_file():
            raise ConfigError(f"--chain-spec {self.chain_spec} is not a file")
        if self.base_path is not None and self.base_path.exists() and not self.base_path.is_dir():
            raise ConfigError(f"--base-path {self.base_path} exists and is not a directory")
        self.rpc.check()
