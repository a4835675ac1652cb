"""The Registry's genesis configuration: which attestation the chain accepts from block 0."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from phalanx.runtime.errors import GenesisError


@dataclass(frozen=True)
class RegistryGenesis:
    """allow_simulated: accept simulated quotes (devnets; no real isolation). simulated_attestation_key:
    the devnet attestation key (ed25519 public key) that signs them. measurement_allowlist: the initial
    allowlist. allow_out_of_date: accept out-of-date TCBs (confidence level 5)."""

    allow_simulated: bool = False
    simulated_attestation_key: bytes | None = None
    measurement_allowlist: tuple[bytes, ...] = ()
    allow_out_of_date: bool = False

    def check(self) -> None:
        if self.simulated_attestation_key is not None and len(self.simulated_attestation_key) != 32:
            raise GenesisError("the simulated attestation key is 32 bytes")
        if any(len(m) != 32 for m in self.measurement_allowlist):
            raise GenesisError("measurements are 32 bytes")
        if len(set(self.measurement_allowlist)) != len(self.measurement_allowlist):
            raise GenesisError("a measurement is listed twice")

    def to_json(self) -> dict[str, Any]:
        key = self.simulated_attestation_key
        return {
            "allowSimulated": self.allow_simulated,
            "simulatedAttestationKey": None if key is None else "0x" + key.hex(),
            "measurementAllowlist": ["0x" + m.hex() for m in self.measurement_allowlist],
            "allowOutOfDate": self.allow_out_of_date,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> RegistryGenesis:
        try:
            key = d.get("simulatedAttestationKey")
            config = cls(
                allow_simulated=bool(d.get("allowSimulated", False)),
                simulated_attestation_key=None if key is None else _hex(key),
                measurement_allowlist=tuple(_hex(m) for m in d.get("measurementAllowlist", ())),
                allow_out_of_date=bool(d.get("allowOutOfDate", False)),
            )
        except (TypeError, ValueError, AttributeError) as exc:
            raise GenesisError(f"malformed registry genesis: {exc}") from None
        config.check()
        return config


def _hex(text: str) -> bytes:
    return bytes.fromhex(text[2:] if text.startswith("0x") else text)
