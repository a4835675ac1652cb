"""The Contracts module's genesis configuration: which built-in contracts exist from block 0."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from phalanx.runtime.errors import GenesisError


@dataclass(frozen=True)
class ContractsGenesis:
    """builtins: names of the built-in contracts deployed at genesis (the private coin by default)."""

    builtins: tuple[str, ...] = ("token",)

    def to_json(self) -> dict[str, Any]:
        return {"builtins": list(self.builtins)}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ContractsGenesis:
        names = d.get("builtins", ["token"])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise GenesisError("contracts genesis: builtins is a list of names")
        return cls(tuple(names))
