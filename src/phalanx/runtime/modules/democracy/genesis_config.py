"""Democracy's genesis configuration: its periods (in blocks), the minimum deposit and the proposal cap.

JSON (`"economics": {"democracy": {...}}`): the field names below; missing keys take the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from phalanx.runtime.errors import GenesisError

PHA = 10**12
DAY_BLOCKS = 14_400
"""Blocks in a day at 6-second blocks."""


@dataclass(frozen=True)
class DemocracyConfig:
    launch_period: int = 7 * DAY_BLOCKS
    voting_period: int = 7 * DAY_BLOCKS
    enactment_period: int = DAY_BLOCKS
    vote_locking_period: int = 7 * DAY_BLOCKS
    """One conviction "period": a 2x vote locks for two of these after its referendum ends."""
    minimum_deposit: int = 10 * PHA
    max_proposals: int = 100

    def check(self) -> None:
        """Raise GenesisError for parameters Democracy cannot run with."""
        for name, value in (("launch_period", self.launch_period), ("voting_period", self.voting_period)):
            if value <= 0:
                raise GenesisError(f"economics parameter {name} must be above 0, got {value}")

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(DemocracyConfig)}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> DemocracyConfig:
        """Raises TypeError or ValueError for malformed JSON."""
        return replace(cls(), **{k: int(v) for k, v in d.items()})
