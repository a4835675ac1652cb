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

Justification bytes (a wire format, `phalanx.wire.enclave_protocol.COMETBFT_JUSTIFICATION`): SCALE
`CometBftJustification { commit: Vec<u8>, validators: Vec<u8> }`, each the JSON `result` of the
CometBFT RPC answer, read by `phalanx.engine.lightclient.rpc_json`. The trust root `CometBftTrust`
is in `phalanx.wire.trust`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from phalanx.codec import CodecError
from phalanx.engine.lightclient import (
    LightClientError,
    SignedHeader,
    ValidatorSet,
    parse_signed_header,
    parse_validator_set,
    verify_signed_header,
)
from phalanx.tee.enclave.errors import AppHashMismatch, InvalidFinality
from phalanx.wire.enclave_protocol import COMETBFT_JUSTIFICATION
from phalanx.wire.trust import CometBftTrust

__all__ = [
    "CometBftProgress", "decode_cometbft_justification", "initial_progress", "verify_cometbft_finality",
]  # fmt: skip


@dataclass(frozen=True)
class CometBftProgress:
    """Where the enclave's CometBFT light client stands (see the module docstring)."""

    next_height: int
    next_validators_hash: bytes
    last_block_hash: bytes = b""


def initial_progress(trust: CometBftTrust) -> CometBftProgress:
    return CometBftProgress(1, trust.validator_set_hash, b"")


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
