"""The key hierarchy: pinned derivations, separation between labels, and sealed keys bound to context."""

from __future__ import annotations

import pytest

from phalanx.crypto import DecryptionError, Keypair, KeyType, blake2_256
from phalanx.crypto.box import X25519Keypair
from phalanx.crypto.box import hkdf_sha256 as hkdf
from phalanx.tee.gatekeeper import (
    InvalidKeyMaterial,
    compute_contract_key,
    compute_contract_keys,
    compute_gatekeeper_identity,
    compute_sealing_randomness,
    open_contract_key,
    open_master_share,
)
from phalanx.tee.gatekeeper.keys import seal_contract_key, seal_master_share

MASTER = bytes(range(32))
CONTRACT = b"\xab" * 32
WORKER = b"\x05" * 32
RECIPIENT = X25519Keypair.from_secret(b"\x07" * 32)


def test_contract_key_follows_the_documented_labels() -> None:
    expected = hkdf(MASTER, b"phalanx/contract/v1" + (3).to_bytes(4, "little") + CONTRACT)
    key = compute_contract_key(MASTER, 3, CONTRACT)
    assert key == expected
    keys = compute_contract_keys(key)
    assert keys.x25519 == X25519Keypair.from_secret(hkdf(key, b"phalanx/contract/x25519/v1"))
    assert keys.state_key == hkdf(key, b"phalanx/contract/state/v1")
    identity = compute_gatekeeper_identity(MASTER)
    assert identity.key_type is KeyType.ED25519
    assert identity == Keypair.from_seed(hkdf(MASTER, b"phalanx/gk/identity/v1"), KeyType.ED25519)
    okm = hkdf(MASTER, b"phalanx/gk/nonce" + (9).to_bytes(4, "little") + (4).to_bytes(8, "little"), length=44)
    assert compute_sealing_randomness(MASTER, 9, 4) == (okm[:32], okm[32:])


def test_pinned_derivations() -> None:
    # Pinned so that a change of any label or layout shows up here.
    digest = blake2_256(
        compute_contract_key(MASTER, 0, CONTRACT)
        + compute_contract_keys(compute_contract_key(MASTER, 0, CONTRACT)).x25519.public_key
        + compute_gatekeeper_identity(MASTER).public_key
        + b"".join(compute_sealing_randomness(MASTER, 1, 2))
    )
    assert digest.hex() == PINNED


PINNED = "f0df89f190fc33b4c01ff63550359911b46f7a4d3af7adbeebb3111f3fc2c831"


def test_derivations_are_separated() -> None:
    keys = {
        compute_contract_key(MASTER, 0, CONTRACT),
        compute_contract_key(MASTER, 1, CONTRACT),
        compute_contract_key(MASTER, 0, b"\xac" * 32),
        compute_contract_key(b"\x01" * 32, 0, CONTRACT),
    }
    assert len(keys) == 4
    contract = compute_contract_keys(compute_contract_key(MASTER, 0, CONTRACT))
    assert contract.state_key != contract.x25519.secret
    randomness = {compute_sealing_randomness(MASTER, b, s) for b in range(3) for s in range(3)}
    assert len(randomness) == 9


def test_master_share_opens_only_for_its_recipient_and_generation() -> None:
    randomness = compute_sealing_randomness(MASTER, 1, 0)
    sealed = seal_master_share(MASTER, 2, WORKER, RECIPIENT.public_key, randomness)
    assert sealed == seal_master_share(MASTER, 2, WORKER, RECIPIENT.public_key, randomness)
    assert open_master_share(RECIPIENT, 2, WORKER, sealed) == MASTER
    with pytest.raises(DecryptionError):
        open_master_share(RECIPIENT, 1, WORKER, sealed)
    with pytest.raises(DecryptionError):
        open_master_share(RECIPIENT, 2, b"\x06" * 32, sealed)
    with pytest.raises(DecryptionError):
        open_master_share(X25519Keypair.from_secret(b"\x08" * 32), 2, WORKER, sealed)


def test_contract_key_is_bound_to_contract_generation_and_worker() -> None:
    key = compute_contract_key(MASTER, 0, CONTRACT)
    sealed = seal_contract_key(
        key, CONTRACT, 0, WORKER, RECIPIENT.public_key, compute_sealing_randomness(MASTER, 1, 1)
    )
    assert open_contract_key(RECIPIENT, CONTRACT, 0, WORKER, sealed) == key
    for contract, generation, worker in (
        (b"\xac" * 32, 0, WORKER),
        (CONTRACT, 1, WORKER),
        (CONTRACT, 0, CONTRACT),
    ):
        with pytest.raises(DecryptionError):
            open_contract_key(RECIPIENT, contract, generation, worker, sealed)
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(DecryptionError):
        open_contract_key(RECIPIENT, CONTRACT, 0, WORKER, tampered)


@pytest.mark.parametrize(
    "call",
    [
        lambda: compute_contract_key(b"short", 0, CONTRACT),
        lambda: compute_contract_key(MASTER, 1 << 32, CONTRACT),
        lambda: compute_contract_key(MASTER, 0, b"\x00"),
        lambda: compute_contract_keys(b""),
        lambda: compute_gatekeeper_identity(b"\x00" * 31),
        lambda: compute_sealing_randomness(MASTER, -1, 0),
        lambda: compute_sealing_randomness(MASTER, 0, 1 << 64),
    ],
)
def test_bad_key_material_raises_a_typed_error(call: object) -> None:
    with pytest.raises(InvalidKeyMaterial):
        call()  # type: ignore[operator]
