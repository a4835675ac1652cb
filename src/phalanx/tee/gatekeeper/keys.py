"""The gatekeeper key hierarchy: what derives from a master key, and under which label.

    master key (32 random bytes per generation, made in a gatekeeper enclave)
    ├─ gatekeeper identity  ed25519 seed = HKDF(master, GATEKEEPER_IDENTITY_LABEL)
    ├─ contract key         HKDF(master, CONTRACT_KEY_LABEL ++ generation u32 LE ++ contract_id)
    │   ├─ contract X25519  secret = HKDF(contract key, CONTRACT_X25519_LABEL)
    │   ├─ state key        HKDF(contract key, CONTRACT_STATE_LABEL)   (AES-256-GCM of state, checkpoints)
    │   └─ egress key       ed25519 seed = HKDF(contract key, CONTRACT_EGRESS_LABEL)
    └─ sealing randomness   HKDF(master, SEALING_NONCE_LABEL ++ block u32 LE ++ sequence u64 LE), 44 bytes
                            = ephemeral X25519 secret (32) ++ AES-GCM nonce (12)

All HKDFs are HKDF-SHA256 without salt, 32 bytes out unless said. Labels are versioned: changing a
derivation means a new label, never a new meaning for an old one.

Why the identity is ed25519: the gatekeepers sign as one, and every copy of a message must be
byte-identical so that the chain dedupes them by (origin, sequence). Ed25519 signatures are a
function of key and message; sr25519 (schnorrkel) signatures draw fresh randomness, which neither a
pure state machine nor byte-identical output allows. The sealing randomness is derived for the
same reason: every gatekeeper seals the same key to the same recipient with the same bytes.

Sealed keys travel as `phalanx.crypto.box` sealed boxes whose associated data binds what they are:
`MASTER_SHARE_INFO` with AAD generation ++ recipient for a master-key share, `CONTRACT_KEY_INFO` with
AAD contract_id ++ generation ++ recipient for a contract key.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from phalanx.crypto import Keypair, KeyType
from phalanx.crypto.box import NONCE_LEN, X25519Keypair, hkdf_sha256, open_sealed, seal
from phalanx.tee.gatekeeper.errors import InvalidKeyMaterial

CONTRACT_KEY_LABEL = b"phalanx/contract/v1"
"""Contract key = HKDF(master, label ++ generation (u32 LE) ++ contract_id)."""
CONTRACT_X25519_LABEL = b"phalanx/contract/x25519/v1"
"""The contract's X25519 secret, from its contract key; users encrypt commands to its public key."""
CONTRACT_STATE_LABEL = b"phalanx/contract/state/v1"
"""The AES-256-GCM key of the contract's state and checkpoints, from its contract key."""
CONTRACT_EGRESS_LABEL = b"phalanx/contract/egress/v1"
"""The ed25519 seed of the contract's egress signing key, from its contract key: deterministic, so every
replica signs the contract's egress byte-identically and the chain keeps one copy. The gatekeepers
publish its public key with the contract key (`ContractKeyDistribution.egress_public`)."""
GATEKEEPER_IDENTITY_LABEL = b"phalanx/gk/identity/v1"
"""The ed25519 seed of the gatekeeper group's signing identity, from the master key."""
SEALING_NONCE_LABEL = b"phalanx/gk/nonce"
"""Deterministic ephemeral secret and nonce of a sealed box, from the master key, block and sequence."""
MASTER_SHARE_INFO = b"phalanx/gk/master-key-share/v1"
"""Box label of a master key sealed to a gatekeeper."""
CONTRACT_KEY_INFO = b"phalanx/gk/contract-key/v1"
"""Box label of a contract key sealed to a worker."""


def _check(what: str, value: bytes, length: int = 32) -> None:
    if not isinstance(value, bytes) or len(value) != length:
        raise InvalidKeyMaterial(f"{what} must be {length} bytes")


def _u32(value: int) -> bytes:
    if not 0 <= value < 1 << 32:
        raise InvalidKeyMaterial(f"{value} does not fit a u32")
    return value.to_bytes(4, "little")


def compute_contract_key(master: bytes, generation: int, contract_id: bytes) -> bytes:
    """The root key of one contract at one master-key generation."""
    _check("a master key", master)
    _check("a contract id", contract_id)
    return hkdf_sha256(master, CONTRACT_KEY_LABEL + _u32(generation) + contract_id)


@dataclass(frozen=True)
class ContractKeys:
    """What a worker derives from a contract key it was given."""

    x25519: X25519Keypair
    state_key: bytes = field(repr=False)
    egress: Keypair = field(repr=False)


def compute_contract_keys(contract_key: bytes) -> ContractKeys:
    _check("a contract key", contract_key)
    return ContractKeys(
        X25519Keypair.from_secret(hkdf_sha256(contract_key, CONTRACT_X25519_LABEL)),
        hkdf_sha256(contract_key, CONTRACT_STATE_LABEL),
        Keypair.from_seed(hkdf_sha256(contract_key, CONTRACT_EGRESS_LABEL), KeyType.ED25519),
    )


def compute_gatekeeper_identity(master: bytes) -> Keypair:
    """The ed25519 key pair the gatekeepers sign with while `master` is the newest generation."""
    _check("a master key", master)
    return Keypair.from_seed(hkdf_sha256(master, GATEKEEPER_IDENTITY_LABEL), KeyType.ED25519)


def compute_sealing_randomness(master: bytes, block_number: int, sequence: int) -> tuple[bytes, bytes]:
    """(ephemeral X25519 secret, nonce) for the gatekeeper message `sequence` sent in `block_number`.

    Unique per message because the gatekeepers' sequence numbers never repeat under one master key.
    """
    _check("a master key", master)
    if not 0 <= sequence < 1 << 64:
        raise InvalidKeyMaterial(f"{sequence} does not fit a u64")
    info = SEALING_NONCE_LABEL + _u32(block_number) + sequence.to_bytes(8, "little")
    okm = hkdf_sha256(master, info, length=32 + NONCE_LEN)
    return okm[:32], okm[32:]


def compute_master_share_aad(generation: int, to_worker: bytes) -> bytes:
    _check("a worker public key", to_worker)
    return _u32(generation) + to_worker


def compute_contract_key_aad(contract_id: bytes, generation: int, to_worker: bytes) -> bytes:
    _check("a contract id", contract_id)
    _check("a worker public key", to_worker)
    return contract_id + _u32(generation) + to_worker


def seal_master_share(
    master: bytes, generation: int, to_worker: bytes, to_x25519: bytes, randomness: tuple[bytes, bytes]
) -> bytes:
    """Seal the master key of `generation` to a gatekeeper's X25519 public key."""
    _check("a master key", master)
    ephemeral, nonce = randomness
    aad = compute_master_share_aad(generation, to_worker)
    return seal(to_x25519, master, aad, info=MASTER_SHARE_INFO, ephemeral_secret=ephemeral, nonce=nonce)


def open_master_share(own: X25519Keypair, generation: int, own_worker: bytes, sealed: bytes) -> bytes:
    """Open a master-key share sealed to this gatekeeper; raises `DecryptionError` if it is not."""
    master = open_sealed(
        own, sealed, compute_master_share_aad(generation, own_worker), info=MASTER_SHARE_INFO
    )
    _check("a shared master key", master)
    return master


def seal_contract_key(
    contract_key: bytes,
    contract_id: bytes,
    generation: int,
    to_worker: bytes,
    to_x25519: bytes,
    randomness: tuple[bytes, bytes],
) -> bytes:
    """Seal a contract key to the X25519 public key of a worker assigned to the contract."""
    ephemeral, nonce = randomness
    aad = compute_contract_key_aad(contract_id, generation, to_worker)
    return seal(to_x25519, contract_key, aad, info=CONTRACT_KEY_INFO, ephemeral_secret=ephemeral, nonce=nonce)


def open_contract_key(
    own: X25519Keypair, contract_id: bytes, generation: int, own_worker: bytes, sealed: bytes
) -> bytes:
    """Open a contract key sealed to this worker (the worker enclave calls this on distribution)."""
    aad = compute_contract_key_aad(contract_id, generation, own_worker)
    contract_key = open_sealed(own, sealed, aad, info=CONTRACT_KEY_INFO)
    _check("a contract key", contract_key)
    return contract_key
