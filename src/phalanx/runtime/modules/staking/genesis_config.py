"""Genesis parameters of the economics modules (Staking, Session, Democracy), with DESIGN's defaults.

`EconomicsGenesis` is the one field the chain spec's `GenesisConfig` carries for all of them; every
value can be set in a chain spec's JSON (`"economics": {...}`), and missing keys take the defaults.
Amounts are in planck, fractions in parts (Perbill: 10**9, Perquintill: 10**18), periods in blocks
(eras and sessions: see Staking and Session).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from phalanx.primitives.ss58 import parse_account, ss58_encode
from phalanx.runtime.errors import GenesisError

PHA = 10**12
PERBILL = 10**9
PERQUINTILL = 10**18
DAY_BLOCKS = 14_400
"""Blocks in a day at 6-second blocks."""

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


@dataclass(frozen=True)
class SessionConfig:
    session_length: int = 600
    """Blocks in a session (an hour at 6-second blocks)."""
    keys: tuple[tuple[bytes, bytes], ...] = ()
    """Genesis session keys: (stash, ed25519 consensus key); JSON `[["<ss58 stash>", "0x<key>"], ...]`."""


@dataclass(frozen=True)
class DemocracyConfig:
    launch_period: int = 7 * DAY_BLOCKS
    voting_period: int = 7 * DAY_BLOCKS
    enactment_period: int = DAY_BLOCKS
    vote_locking_period: int = 7 * DAY_BLOCKS
    """One conviction "period": a 2x vote locks for two of these after its referendum ends."""
    minimum_deposit: int = 10 * PHA
    max_proposals: int = 100


@dataclass(frozen=True)
class EconomicsGenesis:
    staking: StakingConfig = field(default_factory=StakingConfig)
    session: SessionConfig = field(default_factory=SessionConfig)
    democracy: DemocracyConfig = field(default_factory=DemocracyConfig)

    def check(self) -> None:
        """Raise GenesisError for parameters the modules cannot run with."""
        s, d = self.staking, self.democracy
        positive = {
            "sessions_per_era": s.sessions_per_era,
            "session_length": self.session.session_length,
            "history_depth": s.history_depth,
            "launch_period": d.launch_period,
            "voting_period": d.voting_period,
            "x_ideal": s.x_ideal,
            "falloff": s.falloff,
        }
        for name, value in positive.items():
            if value <= 0:
                raise GenesisError(f"economics parameter {name} must be above 0, got {value}")
        if not 0 <= s.slash_fraction <= PERBILL:
            raise GenesisError("slash_fraction is a Perbill (0..10**9)")
        for staker in s.stakers:
            if staker.role not in ROLES:
                raise GenesisError(f"staker role must be one of {ROLES}, got {staker.role!r}")
            if not 0 <= staker.commission <= PERBILL:
                raise GenesisError("a commission is a Perbill (0..10**9)")

    def to_json(self) -> dict[str, Any]:
        staking = {
            f.name: getattr(self.staking, f.name) for f in fields(StakingConfig) if f.name != "stakers"
        }
        staking["stakers"] = [st.to_json() for st in self.staking.stakers]
        return {
            "staking": staking,
            "session": {
                "session_length": self.session.session_length,
                "keys": [[ss58_encode(stash), "0x" + key.hex()] for stash, key in self.session.keys],
            },
            "democracy": {f.name: getattr(self.democracy, f.name) for f in fields(DemocracyConfig)},
        }

    @classmethod
    def from_json(cls, d: dict[str, Any] | None) -> EconomicsGenesis:
        if not d:
            return cls()
        try:
            staking_d = dict(d.get("staking") or {})
            stakers = tuple(Staker.from_json(st) for st in staking_d.pop("stakers", ()))
            numbers: dict[str, Any] = {k: int(v) for k, v in staking_d.items()}
            staking = replace(StakingConfig(stakers=stakers), **numbers)
            session_d = dict(d.get("session") or {})
            keys = tuple(
                (parse_account(stash), bytes.fromhex(str(key).removeprefix("0x")))
                for stash, key in session_d.pop("keys", ())
            )
            session_numbers: dict[str, Any] = {k: int(v) for k, v in session_d.items()}
            session = replace(SessionConfig(keys=keys), **session_numbers)
            democracy = replace(
                DemocracyConfig(), **{k: int(v) for k, v in (d.get("democracy") or {}).items()}
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise GenesisError(f"malformed economics genesis: {exc}") from None
        return cls(staking, session, democracy)
