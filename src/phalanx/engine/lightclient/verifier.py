"""Finality verification: the neutral `FinalityVerifier` interface and CometBFT's commit checks.

`verify_signed_header` is pure: given a chain id, a validator set and a signed header, it accepts
or raises a typed `LightClientError`. `LightClient` holds what it trusts (chain id, last header,
the hash of the next validator set) and advances one height at a time, following validator-set
changes through `next_validators_hash`. The dev engine implements `FinalityVerifier` with its one
authority signature; consumers (node, enclave) take any `FinalityVerifier`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeVar

import ed25519_zebra

from phalanx.engine.lightclient.encoding import (
    compute_header_hash,
    compute_validator_set_hash,
    compute_vote_sign_bytes,
)
from phalanx.engine.lightclient.errors import (
    ChainIdMismatch,
    HeaderHashMismatch,
    HeaderLinkMismatch,
    HeightMismatch,
    InsufficientVotingPower,
    InvalidSignature,
    UnsupportedKeyType,
    ValidatorSetMismatch,
)
from phalanx.engine.lightclient.types import (
    BlockIdFlag,
    Header,
    SignedHeader,
    ValidatorSet,
    VerifiedHeader,
)

HeaderT_contra = TypeVar("HeaderT_contra", contravariant=True)
ProofT_contra = TypeVar("ProofT_contra", contravariant=True)


class FinalityVerifier(Protocol[HeaderT_contra, ProofT_contra]):
    """Decides whether a header is final given an engine-specific proof; raises LightClientError if not."""

    def verify(self, header: HeaderT_contra, proof: ProofT_contra) -> VerifiedHeader: ...


@dataclass(frozen=True)
class CommitProof:
    """CometBFT's finality proof for a header: its commit and the validator set that signed it."""

    signed_header: SignedHeader
    validator_set: ValidatorSet


def is_quorum(signed_power: int, total_power: int) -> bool:
    """More than 2/3 of the total, in integers."""
    return signed_power * 3 > total_power * 2


def verify_signed_header(chain_id: str, validator_set: ValidatorSet, signed: SignedHeader) -> VerifiedHeader:
    """Check that `signed.commit` finalizes `signed.header` under `validator_set`.

    Raises ChainIdMismatch, HeightMismatch, HeaderHashMismatch, ValidatorSetMismatch,
    UnsupportedKeyType, InvalidSignature or InsufficientVotingPower. Every COMMIT signature is
    verified (CometBFT's light client stops at 2/3; this is stricter, never laxer).
    """
    header, commit = signed.header, signed.commit
    if header.chain_id != chain_id:
        raise ChainIdMismatch(f"header is for chain {header.chain_id!r}, expected {chain_id!r}")
    if commit.height != header.height:
        raise HeightMismatch(f"commit is for height {commit.height}, header for {header.height}")
    block_hash = compute_header_hash(header)
    if block_hash != commit.block_id.hash:
        raise HeaderHashMismatch(
            f"header {header.height} hashes to {block_hash.hex()}, commit signs {commit.block_id.hash.hex()}")
    set_hash = compute_validator_set_hash(validator_set)
    if set_hash != header.validators_hash:
        raise ValidatorSetMismatch(
            f"validator set hashes to {set_hash.hex()}, header {header.height} names "
            f"{header.validators_hash.hex()}")
    if len(commit.signatures) != len(validator_set.validators):
        raise ValidatorSetMismatch(
            f"commit has {len(commit.signatures)} signatures for {len(validator_set.validators)} validators")
    signed_power = 0
    for index, (sig, validator) in enumerate(zip(commit.signatures, validator_set.validators, strict=True)):
        if sig.block_id_flag != BlockIdFlag.COMMIT:
            continue
        if sig.validator_address != validator.address:
            raise ValidatorSetMismatch(
                f"signature {index} is from {sig.validator_address.hex()}, validator {index} is "
                f"{validator.address.hex()}")
        if validator.key_type != "ed25519":
            raise UnsupportedKeyType(
                f"validator {index} has a {validator.key_type} key; only ed25519 is verified")
        message = compute_vote_sign_bytes(chain_id, commit.height, commit.round, commit.block_id, sig.time_ns)
        if not _is_valid_ed25519(sig.signature, message, validator.pub_key):
            raise InvalidSignature(f"precommit {index} by {validator.address.hex()} at height "
                                   f"{commit.height} does not verify")
        signed_power += validator.voting_power
    total = validator_set.total_voting_power
    if not is_quorum(signed_power, total):
        raise InsufficientVotingPower(
            f"signatures carry {signed_power} of {total} voting power at height {commit.height}; "
            f"more than 2/3 is needed")
    return VerifiedHeader(chain_id=chain_id, height=header.height, block_hash=block_hash,
                          app_hash=header.app_hash, time_ns=header.time_ns)


def _is_valid_ed25519(signature: bytes, message: bytes, public_key: bytes) -> bool:
    # ZIP-215 rules, as CometBFT's ed25519 verifier applies them.
    if len(signature) != 64 or len(public_key) != 32:
        return False
    return bool(ed25519_zebra.ed_verify(signature, message, public_key))


@dataclass(frozen=True)
class TrustedState:
    """The last header this client verified (None before the first) and the validator set it expects next."""

    chain_id: str
    next_height: int
    next_validators_hash: bytes
    last_header: Header | None = None
    last_block_hash: bytes = b""


class LightClient:
    """Follows one CometBFT chain header by header from a trusted validator set.

    Start it with the validator set trusted for `first_height` (e.g. the genesis validators for
    height 1); each `advance` then takes the next height's signed header and the validator set
    whose hash that header names, and moves the trust forward.
    """

    def __init__(self, chain_id: str, trusted_validators: ValidatorSet, first_height: int = 1) -> None:
        self.state = TrustedState(chain_id=chain_id, next_height=first_height,
                                  next_validators_hash=compute_validator_set_hash(trusted_validators))

    def verify(self, header: SignedHeader, proof: ValidatorSet) -> VerifiedHeader:
        """Check the next header against the trusted state without changing it."""
        state = self.state
        if header.header.chain_id != state.chain_id:
            raise ChainIdMismatch(
                f"header is for chain {header.header.chain_id!r}, expected {state.chain_id!r}")
        if header.header.height != state.next_height:
            raise HeightMismatch(f"expected header {state.next_height}, got {header.header.height}")
        if header.header.validators_hash != state.next_validators_hash:
            raise ValidatorSetMismatch(
                f"header {header.header.height} names validator set {header.header.validators_hash.hex()}, "
                f"the trusted header announced {state.next_validators_hash.hex()}")
        if state.last_header is not None and header.header.last_block_id.hash != state.last_block_hash:
            raise HeaderLinkMismatch(
                f"header {header.header.height} follows block {header.header.last_block_id.hash.hex()}, "
                f"trusted block is {state.last_block_hash.hex()}")
        return verify_signed_header(state.chain_id, proof, header)

    def advance(self, header: SignedHeader, proof: ValidatorSet) -> VerifiedHeader:
        """Verify the next header and trust it; on any error the trusted state is unchanged."""
        verified = self.verify(header, proof)
        self.state = TrustedState(chain_id=self.state.chain_id, next_height=verified.height + 1,
                                  next_validators_hash=header.header.next_validators_hash,
                                  last_header=header.header, last_block_hash=verified.block_hash)
        return verified


class CometBftVerifier:
    """Stateless `FinalityVerifier` for one chain: the proof carries the validator set to check against.

    Use it where the validator set is already trusted by other means; `LightClient` derives that
    trust itself from header to header.
    """

    def __init__(self, chain_id: str) -> None:
        self.chain_id = chain_id

    def verify(self, header: Header, proof: CommitProof) -> VerifiedHeader:
        if proof.signed_header.header != header:
            raise HeaderHashMismatch("the proof's signed header is not the header being verified")
        return verify_signed_header(self.chain_id, proof.validator_set, proof.signed_header)
