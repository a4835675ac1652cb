"""Transaction validity: signatures, genesis binding, nonces, eras, and arbitrary bytes."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from phalanx.crypto import Keypair, KeyType
from phalanx.runtime import CannotDecode, InvalidTransaction, TransactionValidityError
from phalanx.runtime.types import mortal_era
from tests.support.runtime_testchain import ALICE, BOB, PHA, Chain


def _transfer(chain: Chain) -> bytes:
    return chain.call("Balances", "transfer_keep_alive", dest=("Id", BOB.public_key), value=PHA)


def _reason(chain: Chain, xt: bytes) -> str:
    with pytest.raises(TransactionValidityError) as info:
        chain.rt.validate_transaction(xt)
    return info.value.reason


def test_forged_signature_is_bad_proof(chain: Chain) -> None:
    xt = bytearray(chain.sign(ALICE, _transfer(chain)))
    xt[40] ^= 1  # inside the signature
    assert _reason(chain, bytes(xt)) == "BadProof"


def test_wrong_genesis_is_bad_proof(chain: Chain) -> None:
    from phalanx.runtime.extrinsic import sign_extrinsic

    xt = sign_extrinsic(
        ALICE, _transfer(chain), 0, genesis_hash=bytes(32), spec_version=1, transaction_version=1
    )
    with pytest.raises(InvalidTransaction, match="genesis") as info:
        chain.rt.validate_transaction(xt)
    assert info.value.reason == "BadProof"


def test_ed25519_signer_is_accepted(chain: Chain) -> None:
    ed = Keypair.from_suri("//Alice", KeyType.ED25519)
    fund = chain.call("Balances", "transfer_allow_death", dest=("Id", ed.public_key), value=10 * PHA)
    chain.block([chain.sign(ALICE, fund)])
    built = chain.block([chain.sign(ed, _transfer(chain))])
    assert [o.success for o in built.outcomes] == [True, True]


def test_stale_and_future_nonces(chain: Chain) -> None:
    chain.block([chain.sign(ALICE, _transfer(chain))])
    assert _reason(chain, chain.sign(ALICE, _transfer(chain), nonce=0)) == "Stale"
    future = chain.sign(ALICE, _transfer(chain), nonce=5)
    valid = chain.rt.validate_transaction(future)
    assert valid.requires == (ALICE.public_key + (4).to_bytes(4, "little"),)
    built = chain.block([future])
    assert [e.reason for _, e in built.dropped] == ["Future"]  # type: ignore[attr-defined]


def test_payment_needs_funds(chain: Chain) -> None:
    nobody = Keypair.from_suri("//Nobody")
    assert _reason(chain, chain.sign(nobody, _transfer(chain), nonce=0)) == "Payment"


def test_mortal_era_expires(chain: Chain) -> None:
    for _ in range(3):
        chain.block()
    current = chain.rt.best_number() + 1
    era = mortal_era(4, current - 1)
    birth_hash = chain.rt.block_hash(era[1] + (current - 1 - era[1]) // 4 * 4)
    xt = chain.sign(ALICE, _transfer(chain), era=era, birth_hash=birth_hash)
    chain.rt.validate_transaction(xt)
    for _ in range(5):
        chain.block()
    assert _reason(chain, xt) in ("BadProof", "AncientBirthBlock")


def test_non_id_address_and_ecdsa_are_refused_clearly(chain: Chain) -> None:
    xt = chain.sign(ALICE, _transfer(chain))
    body = bytearray(xt[2:])
    with_index = bytes([0x84, 0x01]) + bytes(body[34:])
    from phalanx.codec import encode_compact

    with pytest.raises(TransactionValidityError) as info:
        chain.rt.validate_transaction(encode_compact(len(with_index)) + with_index)
    err = info.value
    assert "MultiAddress::Id" in err.message
    body[34] = 2  # MultiSignature::Ecdsa
    with pytest.raises(InvalidTransaction, match="ECDSA"):
        chain.rt.validate_transaction(bytes(xt[:2]) + bytes(body))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=200))
def test_random_bytes_give_only_typed_errors(chain: Chain, data: bytes) -> None:
    with contextlib.suppress(CannotDecode, TransactionValidityError):
        chain.rt.validate_transaction(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(min_value=0, max_value=150), value=st.integers(min_value=0, max_value=255))
def test_mutated_extrinsics_give_only_typed_errors(chain: Chain, position: int, value: int) -> None:
    xt = bytearray(chain.sign(ALICE, _transfer(chain), nonce=0))
    xt[position % len(xt)] = value
    with contextlib.suppress(CannotDecode, TransactionValidityError):
        chain.rt.validate_transaction(bytes(xt))
