"""Dev finality proofs: sign, verify, refuse tampering and garbage."""

from __future__ import annotations

import pytest

from phalanx.crypto.keys import Keypair, KeyType
from phalanx.engine.finality import (
    DevAuthority,
    InvalidJustification,
    sign_dev_justification,
    verify_dev_justification,
)

GENESIS = b"\x11" * 32
BLOCK = b"\x22" * 32


@pytest.mark.parametrize("key_type", [KeyType.SR25519, KeyType.ED25519])
def test_round_trip_and_tampering(key_type: KeyType) -> None:
    alice = Keypair.from_suri("//Alice", key_type)
    authority = DevAuthority(key_type, alice.public_key)
    proof = sign_dev_justification(alice, GENESIS, BLOCK)
    verify_dev_justification(authority, GENESIS, BLOCK, proof)
    with pytest.raises(InvalidJustification):
        verify_dev_justification(authority, GENESIS, b"\x23" * 32, proof)
    with pytest.raises(InvalidJustification):
        verify_dev_justification(authority, b"\x00" * 32, BLOCK, proof)
    bob = Keypair.from_suri("//Bob", key_type)
    with pytest.raises(InvalidJustification):
        verify_dev_justification(authority, GENESIS, BLOCK, sign_dev_justification(bob, GENESIS, BLOCK))
    for garbage in (b"", b"\x01", proof[:-1], b"\x02" + proof[1:], proof + b"\x00"):
        with pytest.raises(InvalidJustification):
            verify_dev_justification(authority, GENESIS, BLOCK, garbage)
