"""Light-client finality proofs: verify CometBFT headers and commits against a trusted validator set.

Public API: `FinalityVerifier` (the engine-neutral interface), `VerifiedHeader`, `LightClient`
(follows a chain height by height), `CometBftVerifier`, `verify_signed_header`, the light-block
types, `parse_signed_header` / `parse_validator_set` for CometBFT RPC answers, and the
`LightClientError` family.
"""

from phalanx.engine.lightclient.encoding import (
    compute_header_hash,
    compute_merkle_root,
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
    LightClientError,
    MalformedLightBlock,
    UnsupportedKeyType,
    ValidatorSetMismatch,
)
from phalanx.engine.lightclient.rpc_json import parse_signed_header, parse_validator_set
from phalanx.engine.lightclient.types import (
    BlockId,
    BlockIdFlag,
    Commit,
    CommitSig,
    Header,
    SignedHeader,
    Validator,
    ValidatorSet,
    VerifiedHeader,
)
from phalanx.engine.lightclient.verifier import (
    CometBftVerifier,
    CommitProof,
    FinalityVerifier,
    LightClient,
    TrustedState,
    verify_signed_header,
)

__all__ = [
    "BlockId", "BlockIdFlag", "ChainIdMismatch", "CometBftVerifier", "Commit", "CommitProof", "CommitSig",
    "FinalityVerifier", "Header", "HeaderHashMismatch", "HeaderLinkMismatch", "HeightMismatch",
    "InsufficientVotingPower", "InvalidSignature", "LightClient", "LightClientError", "MalformedLightBlock",
    "SignedHeader", "TrustedState", "UnsupportedKeyType", "Validator", "ValidatorSet", "ValidatorSetMismatch",
    "VerifiedHeader", "compute_header_hash", "compute_merkle_root", "compute_validator_set_hash",
    "compute_vote_sign_bytes", "parse_signed_header", "parse_validator_set", "verify_signed_header",
]
