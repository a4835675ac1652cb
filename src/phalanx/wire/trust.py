"""The chain an enclave follows, as the host hands it over: a dev-engine or a CometBFT trust root.

On the channel a trust root travels as `SCALE(phalanx.attestation.TrustRoot)` (`InitTrust`); these
are its checked forms. `compute_chain_trust_hash` is what an enclave binds into its report data, so
a registration names the chain it follows.

- `DevTrust`: the genesis hash and the dev authority's public key (and key type).
- `CometBftTrust`: the genesis hash (the Substrate view's block 0), CometBFT's chain id and
  CometBFT's hash of the genesis validator set (`compute_validator_set_hash`).
"""

from __future__ import annotations

from dataclasses import dataclass

from phalanx.attestation.registration import (
    CometBftTrustRoot,
    DevTrustRoot,
    TrustRoot,
    compute_trust_root_hash,
)
from phalanx.crypto import KeyType
from phalanx.engine.lightclient import Validator, ValidatorSet, compute_validator_set_hash
from phalanx.wire.errors import MalformedInput

MAX_CHAIN_ID_LENGTH = 50  # CometBFT's limit


@dataclass(frozen=True)
class DevTrust:
    """Trust root of a dev-engine chain: its genesis hash and the dev authority's public key."""

    genesis_hash: bytes
    authority_public: bytes
    authority_key_type: KeyType = KeyType.SR25519

    def __post_init__(self) -> None:
        if len(self.genesis_hash) != 32 or len(self.authority_public) != 32:
            raise MalformedInput("a dev trust root is a 32-byte genesis hash and a 32-byte public key")

    def to_root(self) -> DevTrustRoot:
        return DevTrustRoot(self.genesis_hash, self.authority_public, int(self.authority_key_type))


@dataclass(frozen=True)
class CometBftTrust:
    """Trust root of a CometBFT chain: its genesis hash (the Substrate view's block 0), its chain id,
    and CometBFT's hash of its genesis validator set (`compute_validator_set_hash`)."""

    genesis_hash: bytes
    chain_id: str
    validator_set_hash: bytes

    def __post_init__(self) -> None:
        if len(self.genesis_hash) != 32 or len(self.validator_set_hash) != 32:
            raise MalformedInput("a CometBFT trust root has a 32-byte genesis hash and validator-set hash")
        if not self.chain_id or len(self.chain_id) > MAX_CHAIN_ID_LENGTH:
            raise MalformedInput(f"a CometBFT chain id has 1 to {MAX_CHAIN_ID_LENGTH} characters")

    @classmethod
    def from_validators(
        cls, genesis_hash: bytes, chain_id: str, validators: list[tuple[bytes, int]]
    ) -> CometBftTrust:
        """The trust root for genesis validators given as (ed25519 public key, power), in any order."""
        return cls(genesis_hash, chain_id, compute_validator_set_hash(order_validator_set(validators)))

    def to_root(self) -> CometBftTrustRoot:
        return CometBftTrustRoot(self.genesis_hash, self.chain_id, self.validator_set_hash)


ChainTrust = DevTrust | CometBftTrust


def order_validator_set(validators: list[tuple[bytes, int]]) -> ValidatorSet:
    """CometBFT's order of a validator set: voting power descending, then address ascending."""
    members = [Validator(pub_key=key, voting_power=power) for key, power in validators]
    members.sort(key=lambda v: (-v.voting_power, v.address))
    return ValidatorSet(tuple(members))


def compute_chain_trust_hash(trust: ChainTrust) -> bytes:
    """`blake2_256(SCALE(TrustRoot))` of the chain an enclave follows: bound into its report data."""
    return compute_trust_root_hash(trust.to_root())


def trust_from_root(root: TrustRoot) -> ChainTrust:
    """The enclave's trust root from its wire form; raises `MalformedInput` for an invalid one."""
    if isinstance(root, CometBftTrustRoot):
        return CometBftTrust(root.genesis_hash, root.chain_id, root.validator_set_hash)
    if root.authority_key_type not in (KeyType.ED25519, KeyType.SR25519):
        raise MalformedInput(f"unknown dev authority key type {root.authority_key_type}")
    return DevTrust(root.genesis_hash, root.authority_public, KeyType(root.authority_key_type))
