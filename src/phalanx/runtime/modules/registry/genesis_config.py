"""The Registry's genesis configuration: which attestation the chain accepts from block 0, and the
trust anchor that, with the genesis hash, is the trust root a worker's enclave must follow.

JSON (`trustAnchor` is omitted when unset):

    {"allowSimulated": bool, "simulatedAttestationKey": "0x..", "measurementAllowlist": ["0x.."],
     "allowOutOfDate": bool,
     "trustAnchor": {"dev": {"authority": "0x..", "keyType": 1}}
                  | {"cometbft": {"chainId": "phalanx-local", "validatorSetHash": "0x.."}}}

`keyType` is the dev authority's key type (0 ed25519, 1 sr25519); `validatorSetHash` is CometBFT's
hash of the genesis validator set (`phalanx.engine.lightclient.compute_validator_set_hash`, in
CometBFT's order), the hash CometBFT header 1 names as `validators_hash`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from phalanx.runtime.errors import GenesisError

MAX_CHAIN_ID_LENGTH = 50


@dataclass(frozen=True)
class DevAnchor:
    """A dev-engine chain: the dev authority signs finality."""

    authority_public: bytes
    authority_key_type: int = 1


@dataclass(frozen=True)
class CometBftAnchor:
    """A CometBFT chain: its chain id and the hash of its genesis validator set."""

    chain_id: str
    validator_set_hash: bytes


TrustAnchor = DevAnchor | CometBftAnchor


def anchor_to_json(anchor: TrustAnchor) -> dict[str, Any]:
    if isinstance(anchor, DevAnchor):
        key = "0x" + anchor.authority_public.hex()
        return {"dev": {"authority": key, "keyType": anchor.authority_key_type}}
    return {
        "cometbft": {"chainId": anchor.chain_id, "validatorSetHash": "0x" + anchor.validator_set_hash.hex()}
    }


def anchor_from_json(d: dict[str, Any]) -> TrustAnchor:
    if set(d) == {"dev"}:
        return DevAnchor(_hex(d["dev"]["authority"]), int(d["dev"].get("keyType", 1)))
    if set(d) == {"cometbft"}:
        return CometBftAnchor(str(d["cometbft"]["chainId"]), _hex(d["cometbft"]["validatorSetHash"]))
    raise ValueError("trustAnchor names exactly one of 'dev' or 'cometbft'")


@dataclass(frozen=True)
class RegistryGenesis:
    """allow_simulated: accept simulated quotes (devnets; no real isolation). simulated_attestation_key:
    the devnet attestation key (ed25519 public key) that signs them. measurement_allowlist: the initial
    allowlist. allow_out_of_date: accept out-of-date TCBs (confidence level 5)."""

    allow_simulated: bool = False
    simulated_attestation_key: bytes | None = None
    measurement_allowlist: tuple[bytes, ...] = ()
    allow_out_of_date: bool = False
    trust_anchor: TrustAnchor | None = None

    def check(self) -> None:
        anchor = self.trust_anchor
        if isinstance(anchor, DevAnchor):
            if len(anchor.authority_public) != 32 or anchor.authority_key_type not in (0, 1):
                raise GenesisError("a dev trust anchor is a 32-byte key of type 0 (ed25519) or 1 (sr25519)")
        elif isinstance(anchor, CometBftAnchor):
            if len(anchor.validator_set_hash) != 32:
                raise GenesisError("a CometBFT trust anchor's validator-set hash is 32 bytes")
            if not 0 < len(anchor.chain_id) <= MAX_CHAIN_ID_LENGTH:
                raise GenesisError(f"a CometBFT chain id has 1 to {MAX_CHAIN_ID_LENGTH} characters")
        if self.simulated_attestation_key is not None and len(self.simulated_attestation_key) != 32:
            raise GenesisError("the simulated attestation key is 32 bytes")
        if any(len(m) != 32 for m in self.measurement_allowlist):
            raise GenesisError("measurements are 32 bytes")
        if len(set(self.measurement_allowlist)) != len(self.measurement_allowlist):
            raise GenesisError("a measurement is listed twice")

    def to_json(self) -> dict[str, Any]:
        key = self.simulated_attestation_key
        out: dict[str, Any] = {
            "allowSimulated": self.allow_simulated,
            "simulatedAttestationKey": None if key is None else "0x" + key.hex(),
            "measurementAllowlist": ["0x" + m.hex() for m in self.measurement_allowlist],
            "allowOutOfDate": self.allow_out_of_date,
        }
        if self.trust_anchor is not None:
            out["trustAnchor"] = anchor_to_json(self.trust_anchor)
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> RegistryGenesis:
        try:
            key = d.get("simulatedAttestationKey")
            config = cls(
                allow_simulated=bool(d.get("allowSimulated", False)),
                simulated_attestation_key=None if key is None else _hex(key),
                measurement_allowlist=tuple(_hex(m) for m in d.get("measurementAllowlist", ())),
                allow_out_of_date=bool(d.get("allowOutOfDate", False)),
                trust_anchor=None if d.get("trustAnchor") is None else anchor_from_json(d["trustAnchor"]),
            )
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            raise GenesisError(f"malformed registry genesis: {exc}") from None
        config.check()
        return config


def _hex(text: str) -> bytes:
    return bytes.fromhex(text[2:] if text.startswith("0x") else text)
