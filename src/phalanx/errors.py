"""The root of phalanx's error hierarchy.

Every error phalanx raises on bad input derives from `PhalanxError` and carries a stable
(module, code) pair, so that callers, RPC answers and logs can name a failure without parsing
its message. Modules subclass it once (e.g. `CodecError`, `StorageError`) and give each concrete
condition its own subclass with a fixed `code`.
"""

from __future__ import annotations


class PhalanxError(Exception):
    """Base class of all typed phalanx errors.

    `module` names the subsystem ("codec", "storage", "balances", ...); `code` is a small integer
    fixed per condition, never reused for another condition.
    """

    module: str = "phalanx"
    code: int = 0

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.__class__.__name__)

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.module}:{self.code}: {self.message})"
