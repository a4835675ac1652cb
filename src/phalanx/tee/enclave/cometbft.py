"""CometBFT finality for the enclave: a trust root, the light client's progress, and the proof check.

The runtime is CometBFT's application: Substrate block N is CometBFT height N, and the app hash
FinalizeBlock returns for height N (the Substrate `state_root` of block N) is committed in CometBFT
header N+1. So the finality proof of Substrate block H is CometBFT's signed header H+1, its commit
and the validator set that signed it (`/commit?height=H+1`, `/validators?height=H+1`), and it shows
block H final only when `app_hash(H+1) == state_root(H)`.

The enclave follows CometBFT header by header from its trust root (genesis hash, chain id, hash of
the genesis validator set), like `phalanx.engine.lightclient.LightClient`, with its progress kept as
plain data in the enclave state (`CometBftProgress`): the next height, the validator-set hash that
height must name (the previous header's `next_validators_hash`, which is how validator-set changes
are followed) and the hash of the last CometBFT block verified (the next header must link to it).
The genesis block (H = 0) is proven the same way, by header 1, whose app hash is the genesis state
root that InitChain returned.

Justification bytes: SCALE `CometBftJustification { commit: Vec<u8>, validators: Vec<u8> }`, each
the JSON `result` of the CometBFT RPC answer, read by `phalanx.engine.lightclient.rpc_json`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from phalanx.attestation.registration import CometBftTrustRoot
from phalanx.codec import Bytes, CodecError, Struct, field_
from phalanx.engine.lightclient import (
    LightClientError,
    SignedHeader,
    Validator,
    ValidatorSet,
    compute_validator_set_hash,
    parse_signed_header,
    parse_validator_set,
    verify_signed_header,
)
from phalanx.tee.enclave.errors import AppHashMismatch, InvalidFinality, MalformedInput

MAX_CHAIN_ID_LENGTH = 50  # CometBFT's limit
COMETBFT_JUSTIFICATION = Struct(
    ("phalanx", "enclave", "CometBftJustification"), [field_("commit", Bytes), field_("validators", Bytes)]
)


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


@dataclass(frozen=True)
class CometBftProgress:
    """Where the enclave's CometBFT light client stands (see the module docstring)."""

    next_height: int
    next_validators_hash: bytes
    last_block_hash: bytes = b""


def initial_progress(trust: CometBftTrust) -> CometBftProgress:
    return CometBftProgress(1, trust.validator_set_hash, b"")


def order_validator_set(validators: list[tuple[bytes, int]]) -> ValidatorSet:
    """CometBFT's order of a validator set: voting power descending, then address ascending."""
    members = [Validator(pub_key=key, voting_power=power) for key, power in validators]
    members.sort(key=lambda v: (-v.voting_power, v.address))
    return ValidatorSet(tuple(members))


def encode_cometbft_justification(commit_result: object, validators_result: object) -> bytes:
    """The justification of block H from the JSON results of `/commit?height=H+1` and
    `/validators?height=H+1` (what the host fetches from a CometBFT node)."""
    return COMETBFT_JUSTIFICATION.encode({
        "commit": json.dumps(commit_result, separators=(",", ":")).encode(),
        "validators": json.dumps(validators_result, separators=(",", ":")).encode(),
    })  # fmt: skip


def decode_cometbft_justification(data: bytes) -> tuple[SignedHeader, ValidatorSet]:
    """Read a justification; anything malformed raises `InvalidFinality` (never a generic error)."""
    try:
        fields = COMETBFT_JUSTIFICATION.decode(data)
        commit = json.loads(fields["commit"])
        validators = json.loads(fields["validators"])
        return parse_signed_header(commit), parse_validator_set(validators)
    except CodecError as exc:
        raise InvalidFinality(f"CometBFT justification does not decode: {exc.message}") from None
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, bad UTF-8
        raise InvalidFinality(f"CometBFT justification is not JSON: {exc}") from None
    except LightClientError as exc:
        raise InvalidFinality(f"CometBFT justification is malformed: {exc.message}") from None


def verify_cometbft_finality(
    trust: CometBftTrust, progress: CometBftProgress, number: int, state_root: bytes, justification: bytes
) -> CometBftProgress:
    """Check that `justification` (CometBFT header `number + 1`) finalizes Substrate block `number`
    with state root `state_root`; returns the light client's progress after it. Pure.

    Raises InvalidFinality (malformed proof, other chain id, another height, a validator set the
    trusted header did not announce, a header that does not link to the last one, forged or flipped
    signatures, no more than 2/3 of the voting power, header hash not what the commit signs) or
    AppHashMismatch (the header commits another state than the block's state root).
    """
    signed, validators = decode_cometbft_justification(justification)
    header = signed.header
    where = f"block #{number}"
    if header.chain_id != trust.chain_id:
        raise InvalidFinality(
            f"{where}: CometBFT header is for chain {header.chain_id!r}, not {trust.chain_id!r}"
        )
    if header.height != number + 1:
        raise InvalidFinality(
            f"{where}: its proof is CometBFT header {number + 1}, got header {header.height}"
        )
    if header.height != progress.next_height:
        raise InvalidFinality(
            f"{where}: the light client expects CometBFT header {progress.next_height}, got {header.height}"
        )
    if header.validators_hash != progress.next_validators_hash:
        raise InvalidFinality(
            f"{where}: CometBFT header {header.height} names validator set {header.validators_hash.hex()}, "
            f"the trusted chain announced {progress.next_validators_hash.hex()}"
        )
    if progress.last_block_hash and header.last_block_id.hash != progress.last_block_hash:
        raise InvalidFinality(
            f"{where}: CometBFT header {header.height} does not follow the last verified CometBFT block"
        )
    try:
        verified = verify_signed_header(trust.chain_id, validators, signed)
    except LightClientError as exc:
        raise InvalidFinality(f"{where}: {type(exc).__name__}: {exc.message}") from None
    if verified.app_hash != state_root:
        raise AppHashMismatch(
            f"{where}: CometBFT header {header.height} commits app hash {verified.app_hash.hex()}, "
            f"the block's state root is {state_root.hex()}"
        )
    return CometBftProgress(header.height + 1, header.next_validators_hash, verified.block_hash)
