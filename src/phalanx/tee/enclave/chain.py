"""Believing the chain: finality of a block header, then chain state only through proofs against it.

`verify_block(trust, last, block)` is pure. It accepts the next block (`number = last + 1` and
`parent_hash = hash of last`), checks its finality proof under the trust root the enclave was
initialised with, and reads the block's messages and timestamp from the proof bundle, each checked
against the header's state root. Anything else raises a typed `EnclaveError`.

A fresh enclave (last hash `PRE_GENESIS_HASH`) takes the genesis block first, believed because its
hash is the trust root's genesis hash (no finality proof), so that what genesis tells enclaves
(contracts deployed at genesis) is read with proofs like any block; it may also start at block 1.

Finality, by engine:
- dev engine: the dev authority's signature over `genesis_hash ++ block_hash`
  (`phalanx.engine.finality.verify_dev_justification`); the Substrate header carries the state
  root after the block.
- CometBFT (`CometBftTrust`, see `phalanx.tee.enclave.cometbft`): the app hash of block H is
  committed in CometBFT header H+1, so the proof of block H (genesis included) is the signed header
  of H+1 with its commit and validator set, checked as a light client does, and `app_hash(H+1)`
  must equal the Substrate `state_root` of H. The header's state root is then proven, but its other
  fields (extrinsics root, digest) are not: the enclave also reads `System.Number` and
  `System.ParentHash` with proofs and requires them to match the header, so each block's parent
  hash is proven by state, and a host that lied about a header's hash is caught at the next block
  (whose proven `ParentHash` differs), which the enclave then refuses.

The block as the host hands it over (`BlockInput`, the proof bundle, the proven keys) is a wire
format, defined in `phalanx.wire.enclave_protocol`; the trust roots are in `phalanx.wire.trust`.
"""

from __future__ import annotations

from dataclasses import dataclass

from phalanx.codec import H256, U32, U64, CodecError, Vec, decode_compact
from phalanx.crypto import blake2_256
from phalanx.engine.finality import DevAuthority, InvalidJustification, verify_dev_justification
from phalanx.errors import PhalanxError
from phalanx.mq import MESSAGE, Message
from phalanx.storage.proof import verify_proof
from phalanx.tee.enclave.cometbft import CometBftProgress, initial_progress, verify_cometbft_finality
from phalanx.tee.enclave.errors import (
    BlockNotLinked,
    BlockReplayed,
    BlockSkipped,
    InvalidChainData,
    InvalidFinality,
    InvalidStateProof,
    MalformedInput,
    MissingStateProof,
    StateMismatch,
)
from phalanx.wire.enclave_protocol import (
    INBOUND_MESSAGES_KEY,
    LINK_KEYS,
    NUMBER_KEY,
    PARENT_HASH_KEY,
    PRE_GENESIS_HASH,
    PROOF_BUNDLE,
    REQUIRED_KEYS,
    TIMESTAMP_KEY,
    BlockInput,
)
from phalanx.wire.trust import ChainTrust, CometBftTrust, DevTrust

__all__ = ["HeaderView", "VerifiedBlock", "parse_header", "read_proven", "verify_block", "verify_finality"]

MESSAGES = Vec(MESSAGE)


@dataclass(frozen=True)
class HeaderView:
    """The fields of a Substrate header the enclave uses, and its hash (blake2_256 of its bytes)."""

    hash: bytes
    parent_hash: bytes
    number: int
    state_root: bytes


@dataclass(frozen=True)
class VerifiedBlock:
    """A final block and the proven chain state the enclave reads from it."""

    number: int
    hash: bytes
    timestamp_ms: int
    messages: tuple[Message, ...]
    light: CometBftProgress | None = None
    """Under CometBFT finality: the light client's progress once this block is applied."""


def parse_header(data: bytes) -> HeaderView:
    """Read parent hash, number and state root of a SCALE Substrate header; the digest is not needed."""
    try:
        if len(data) < 32:
            raise MalformedInput("a header starts with a 32-byte parent hash")
        number, offset = decode_compact(data, 32)
    except CodecError as exc:
        raise MalformedInput(f"header does not decode: {exc.message}") from None
    if len(data) < offset + 64:
        raise MalformedInput("header truncated before its state and extrinsics roots")
    if number >= 1 << 32:
        raise MalformedInput("a block number is a u32")
    return HeaderView(blake2_256(data), data[:32], number, data[offset : offset + 32])


def verify_finality(trust: DevTrust, header: HeaderView, justification: bytes) -> None:
    """Accept `header` as final under dev-engine finality or raise `InvalidFinality`."""
    authority = DevAuthority(trust.authority_key_type, trust.authority_public)
    try:
        verify_dev_justification(authority, trust.genesis_hash, header.hash, justification)
    except InvalidJustification as exc:
        raise InvalidFinality(f"block #{header.number}: {exc.message}") from None


def read_proven(state_root: bytes, proofs: bytes, keys: tuple[bytes, ...]) -> dict[bytes, bytes | None]:
    """The values of `keys` from a proof bundle, each checked against `state_root`."""
    try:
        entries = PROOF_BUNDLE.decode(proofs)
    except CodecError as exc:
        raise MalformedInput(f"proof bundle does not decode: {exc.message}") from None
    found: dict[bytes, tuple[bytes | None, bytes]] = {}
    for key, value, proof in entries:
        found.setdefault(key, (value, proof))
    out: dict[bytes, bytes | None] = {}
    for key in keys:
        entry = found.get(key)
        if entry is None:
            raise MissingStateProof(f"no proof for storage key 0x{key.hex()}")
        value, proof = entry
        try:
            verify_proof(state_root, key, value, proof)
        except PhalanxError as exc:
            raise InvalidStateProof(f"storage key 0x{key.hex()}: {exc.message}") from None
        out[key] = value
    return out


def verify_block(
    trust: ChainTrust,
    last_number: int,
    last_hash: bytes,
    block: BlockInput,
    light: CometBftProgress | None = None,
) -> VerifiedBlock:
    """Check that `block` is the final successor of (last_number, last_hash) and read its proven state.

    `light` is the CometBFT light client's progress (None: at the trust root). Raises BlockReplayed,
    BlockSkipped, BlockNotLinked, InvalidFinality, AppHashMismatch, MalformedInput, MissingStateProof,
    InvalidStateProof, StateMismatch or InvalidChainData. Pure: no state is touched.
    """
    header = parse_header(block.header)
    fresh = last_number == 0 and last_hash == PRE_GENESIS_HASH
    if fresh and header.number == 0:
        if header.hash != trust.genesis_hash:
            raise BlockNotLinked(f"block #0 0x{header.hash.hex()} is not the genesis this enclave trusts")
        if isinstance(trust, DevTrust):
            return _read_block(header, block.proofs)
        return _read_cometbft_block(trust, initial_progress(trust), header, block)
    if fresh:
        if isinstance(trust, CometBftTrust):
            raise BlockSkipped("an enclave following CometBFT starts at the genesis block #0")
        last_hash = trust.genesis_hash
    if header.number <= last_number:
        raise BlockReplayed(f"block #{header.number} is not after the last applied block #{last_number}")
    if header.number != last_number + 1:
        raise BlockSkipped(f"block #{header.number} skips ahead: block #{last_number + 1} comes first")
    if header.parent_hash != last_hash:
        raise BlockNotLinked(
            f"block #{header.number} has parent 0x{header.parent_hash.hex()}, "
            f"the last applied block is 0x{last_hash.hex()}"
        )
    if isinstance(trust, DevTrust):
        verify_finality(trust, header, block.justification)
        return _read_block(header, block.proofs)
    return _read_cometbft_block(trust, light or initial_progress(trust), header, block)


def _read_cometbft_block(
    trust: CometBftTrust, progress: CometBftProgress, header: HeaderView, block: BlockInput
) -> VerifiedBlock:
    after = verify_cometbft_finality(trust, progress, header.number, header.state_root, block.justification)
    verified = _read_block(header, block.proofs)
    if header.number > 0:
        values = read_proven(header.state_root, block.proofs, LINK_KEYS)
        try:
            raw_number, raw_parent = values[NUMBER_KEY], values[PARENT_HASH_KEY]
            number = U32.decode(raw_number) if raw_number is not None else 0
            parent = H256.decode(raw_parent) if raw_parent is not None else bytes(32)
        except PhalanxError as exc:
            text = f"block #{header.number}: System state does not decode: {exc.message}"
            raise InvalidChainData(text) from None
        if number != header.number or parent != header.parent_hash:
            raise StateMismatch(
                f"block #{header.number}: proven System.Number {number} / ParentHash 0x{parent.hex()} "
                f"contradict the header (a header with a forged hash came before)"
            )
    return VerifiedBlock(verified.number, verified.hash, verified.timestamp_ms, verified.messages, after)


def _read_block(header: HeaderView, proofs: bytes) -> VerifiedBlock:
    values = read_proven(header.state_root, proofs, REQUIRED_KEYS)
    try:
        raw_messages = values[INBOUND_MESSAGES_KEY]
        messages = tuple(MESSAGES.decode(raw_messages)) if raw_messages is not None else ()
        raw_time = values[TIMESTAMP_KEY]
        timestamp_ms = U64.decode(raw_time) if raw_time is not None else 0
    except PhalanxError as exc:
        raise InvalidChainData(
            f"block #{header.number}: proven state does not decode: {exc.message}"
        ) from None
    return VerifiedBlock(header.number, header.hash, timestamp_ms, messages)
