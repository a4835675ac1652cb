"""Staking's genesis configuration: its parameters and the stakers bonded at genesis.

Every value can be set in a chain spec's JSON (`"economics": {"staking": {...}}`, with Session's and
Democracy's; see `phalanx.runtime.chain_spec.EconomicsGenesis`), and missing keys take the defaults.
Amounts are in planck, fractions in parts (Perbill: 10**9, Perquintill: 10**18), periods in eras.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from phalanx.primitives.ss58 import parse_account, ss58_encode
from phalanx.runtime.errors import GenesisError

PHA = 10**12
PERBILL = 10**9
PERQUINTILL = 10**18

ROLES = ("validator", "nominator", "idle")


@dataclass(frozen=True)
class Staker:
    """A stash bonded at genesis: a validator (with commission), a nominator (with targets), or idle."""

    stash: bytes
    bond: int
    role: str = "validator"
    targets: tuple[bytes, ...] = ()
    commission: int = 0
    """Perbill parts."""

    def to_json(self) -> dict[str, Any]:
        return {
            "stash": ss58_encode(self.stash),
            "bond": self.bond,
            "role": self.role,
            "targets": [ss58_encode(t) for t in self.targets],
            "commission": self.commission,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Staker:
        return cls(
            parse_account(d["stash"]),
            int(d["bond"]),
            str(d.get("role", "validator")),
            tuple(parse_account(t) for t in d.get("targets", ())),
            int(d.get("commission", 0)),
        )


@dataclass(frozen=True)
class StakingConfig:
    validator_count: int = 10
    sessions_per_era: int = 6
    bonding_duration: int = 28
    """In eras (7 days with the default 6-hour eras)."""
    history_depth: int = 84
    min_validator_bond: int = 10 * PHA
    min_nominator_bond: int = 1 * PHA
    slash_fraction: int = PERBILL // 10
    """Perbill of the exposure taken for a proven equivocation (10%)."""
    x_ideal: int = PERQUINTILL * 40 // 100
    i_ideal: int = PERQUINTILL * 125 // 1000
    i_0: int = PERQUINTILL * 25 // 1000
    falloff: int = PERQUINTILL * 5 // 100
    stakers: tuple[Staker, ...] = ()

    def check(self) -> None:
        """Raise GenesisError for parameters Staking cannot run with."""
        positive = {
            "sessions_per_era": self.sessions_per_era,
            "history_depth": self.history_depth,
            "x_ideal": self.x_ideal,
            "falloff": self.falloff,
        }
        for name, value in positive.items():
            if value <= 0:
                raise GenesisError(f"economics parameter {name} must be above 0, got {value}")
        if not 0 <= self.slash_fraction <= PERBILL:
            raise GenesisError("slash_fraction is a Perbill (0..10**9)")
        for staker in self.stakers:
            if staker.role not in ROLES:
                raise GenesisError(f"staker role must be one of {ROLES}, got {staker.role!r}")
            if not 0 <= staker.commission <= PERBILL:
                raise GenesisError("a commission is a Perbill (0..10**9)")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            f.name: getattr(self, f.name) for f in fields(StakingConfig) if f.name != "stakers"
        }
        out["stakers"] = [st.to_json() for st in self.stakers]
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> StakingConfig:
        """Raises KeyError, TypeError or ValueError for malformed JSON."""
        d = dict(d)
        stakers = tuple(Staker.from_json(st) for st in d.pop("stakers", ()))
        numbers: dict[str, Any] = {k: int(v) for k, v in d.items()}
        return replace(cls(stakers=stakers), **numbers)
