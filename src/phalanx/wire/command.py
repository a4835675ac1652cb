"""Confidential contract commands: how a user encrypts one and how the enclave opens it.

A command to contract `C` from account `A` is a sealed box (`phalanx.crypto.box`) to the contract's
X25519 public key (published on chain with the key distribution), with

    info = COMMAND_INFO,  associated data = contract_id ++ account

so a ciphertext opens only for that contract and only as sent by that account: copying someone
else's command into one's own `Contracts.push_command` makes it undecryptable, never theirs.
"""

from __future__ import annotations

from phalanx.crypto.box import X25519Keypair, open_sealed, seal

COMMAND_INFO = b"phalanx/contract/command/v1"


def compute_command_aad(contract_id: bytes, account: bytes) -> bytes:
    return contract_id + account


def encrypt_command(
    contract_public: bytes,
    contract_id: bytes,
    account: bytes,
    command: bytes,
    *,
    ephemeral_secret: bytes | None = None,
    nonce: bytes | None = None,
) -> bytes:
    """The ciphertext for `Contracts.push_command(contract_id, ciphertext)` signed by `account`.

    The box's ephemeral key and nonce are fresh random values unless given (test vectors).
    """
    aad = compute_command_aad(contract_id, account)
    return seal(
        contract_public, command, aad, info=COMMAND_INFO, ephemeral_secret=ephemeral_secret, nonce=nonce
    )


def decrypt_command(
    contract_x25519: X25519Keypair, contract_id: bytes, account: bytes, sealed: bytes
) -> bytes:
    """Open a command; raises `DecryptionError` if it was not sealed to this contract by `account`."""
    return open_sealed(contract_x25519, sealed, compute_command_aad(contract_id, account), info=COMMAND_INFO)
