"""Contracts through the real runtime: assignment, encrypted commands, deposits and verified withdrawals."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from phalanx.contracts import Withdraw, compute_builtin_id, encode_effect, token
from phalanx.crypto import Keypair, KeyType
from phalanx.mq import AccountOrigin, ContractOrigin, Message, SignedMessage, Topic
from phalanx.runtime.modules.balances.declarations import EXISTENTIAL_DEPOSIT as ED
from phalanx.runtime.modules.balances.declarations import TotalIssuance
from phalanx.runtime.modules.contracts import declarations as d
from phalanx.runtime.modules.contracts.logic import compute_contract_account
from phalanx.runtime.modules.mq import declarations as mq_d
from phalanx.runtime.modules.mq import payloads
from phalanx.storage import Database
from tests.support.confidential_chain import (
    Worker,
    events,
    make_chain,
    outcome_error,
    publish_egress_key,
    register_xt,
    state,
)
from tests.support.runtime_testchain import ALICE, BOB, PHA, Chain, assert_noop

TOKEN = compute_builtin_id("token")
ACCOUNT = compute_contract_account(TOKEN)
W1, W2, W3 = Worker.make(1), Worker.make(2), Worker.make(3)
EGRESS = Keypair.from_seed(b"\x44" * 32, KeyType.ED25519)  # the token's egress key, as enclaves derive it


@pytest.fixture
def chain() -> Iterator[Chain]:
    db = Database.temporary()
    try:
        chain = make_chain(db)
        chain.block(
            [register_xt(chain, W1), register_xt(chain, W2, nonce=1), register_xt(chain, W3, nonce=2)]
        )
        yield chain
    finally:
        db.close()


def test_token_is_deployed_at_genesis_and_assigned_to_two_workers(chain: Chain) -> None:
    st = state(chain)
    assert d.Instances.get(st, TOKEN) == d.ContractInstance(builtin="token", account=ACCOUNT, deployed_at=0)
    assigned = d.Assignments.get(st, TOKEN)
    assert len(assigned) == 2 and set(assigned) <= {W1.pubkey, W2.pubkey, W3.pubkey}
    told = [payloads.REGISTRY_EVENT.decode(m.payload) for m in mq_d.InboundMessages.get(st)
            if m.topic == payloads.REGISTRY_TOPIC]  # fmt: skip
    assert [e for e in told if isinstance(e, payloads.ContractAssigned)] == [
        payloads.ContractAssigned(TOKEN, w) for w in assigned
    ]


def test_push_command_queues_only_the_ciphertext(chain: Chain) -> None:
    ciphertext = b"\x8f" * 40
    built = chain.block([chain.sign(BOB, chain.call("Contracts", "push_command", contract_id=TOKEN,
                                                    ciphertext=ciphertext))])  # fmt: skip
    assert outcome_error(built) is None
    assert mq_d.InboundMessages.get(state(chain)) == [
        Message(AccountOrigin(BOB.public_key), Topic.contract_command(TOKEN), ciphertext)
    ]
    assert events(chain, "Contracts") == [
        ("CommandPushed", {"contract": TOKEN, "sender": BOB.public_key, "sequence": 0})
    ]
    unknown = chain.call("Contracts", "push_command", contract_id=b"\x01" * 32, ciphertext=ciphertext)
    assert_noop(chain, BOB, unknown, d.UnknownContract)


def _deposit(chain: Chain, amount: int) -> object:
    return outcome_error(chain.block([chain.sign(BOB, chain.call("Contracts", "deposit", contract_id=TOKEN,
                                                                 amount=amount))]))  # fmt: skip


def _withdrawal(amount: int, sequence: int, signer: Keypair = EGRESS) -> SignedMessage:
    topic = payloads.compute_egress_topic(TOKEN)
    message = Message(ContractOrigin(TOKEN), topic, encode_effect(Withdraw(BOB.public_key, amount)))
    return SignedMessage.sign(message, sequence, signer)


def _withdrawal_call(chain: Chain, signed: SignedMessage) -> bytes:
    return chain.call("Mq", "push_signed_message", message=signed)


def _submit(chain: Chain, signed: SignedMessage, relayer: Keypair = ALICE) -> object:
    return outcome_error(chain.block([chain.sign(relayer, _withdrawal_call(chain, signed))]))


def _withdraw(chain: Chain, amount: int, sequence: int) -> list[tuple[str, dict[str, object]]]:
    assert _submit(chain, _withdrawal(amount, sequence)) is None
    return events(chain)


def test_deposit_and_withdraw_move_public_balances(chain: Chain) -> None:
    issuance = TotalIssuance.get(state(chain))
    bob = chain.free(BOB.public_key)
    assert _deposit(chain, 5 * PHA) is None
    fee = bob - chain.free(BOB.public_key) - 5 * PHA - ED  # the first deposit also pays the account's ED
    assert chain.free(ACCOUNT) == 5 * PHA + ED
    command = token.COMMANDS.encode(token.Deposit(BOB.public_key, 5 * PHA))
    assert mq_d.InboundMessages.get(state(chain)) == [
        Message(AccountOrigin(BOB.public_key), Topic.contract_chain_command(TOKEN), command)
    ]
    assert (
        "Deposited",
        {"contract": TOKEN, "who": BOB.public_key, "amount": 5 * PHA, "sequence": 0},
    ) in events(chain, "Contracts")
    assert fee > 0 and TotalIssuance.get(state(chain)) == issuance  # fees go to the treasury
    assert_noop(chain, BOB, chain.call("Contracts", "deposit", contract_id=TOKEN, amount=0), d.ZeroAmount)

    publish_egress_key(chain, W1, TOKEN, EGRESS)
    bob = chain.free(BOB.public_key)
    got = _withdraw(chain, 2 * PHA, 0)
    assert ("Withdrawn", {"contract": TOKEN, "to": BOB.public_key, "amount": 2 * PHA}) in [
        (e.name, e.fields) for e in chain.rt.events() if e.module == "Contracts"
    ], got
    assert chain.free(ACCOUNT) == 3 * PHA + ED and chain.free(BOB.public_key) == bob + 2 * PHA

    # more than the account holds above its ED: the message is used, the payment refused
    _withdraw(chain, 3 * PHA + 1, 1)
    failed = [e.fields for e in chain.rt.events() if e.name == "MessageFailed"]
    assert failed and failed[0]["error"] == (
        "Module",
        {"index": d.INDEX, "error": bytes((d.InsufficientContractBalance.code, 0, 0, 0))},
    )
    assert chain.free(ACCOUNT) == 3 * PHA + ED and chain.free(BOB.public_key) == bob + 2 * PHA


def test_egress_needs_the_published_egress_key(chain: Chain) -> None:
    assert _deposit(chain, 5 * PHA) is None
    # before the gatekeepers published the contract key there is nothing to verify against
    assert_noop(chain, ALICE, _withdrawal_call(chain, _withdrawal(PHA, 0)), mq_d.UnknownSender)
    publish_egress_key(chain, W1, TOKEN, EGRESS)
    # a worker identity (even an assigned one) or another ed25519 key does not sign for the contract
    assigned = next(w for w in (W1, W2, W3) if w.pubkey in d.Assignments.get(state(chain), TOKEN))
    for forger in (assigned.identity, Keypair.from_seed(b"\x45" * 32, KeyType.ED25519)):
        assert_noop(chain, ALICE, _withdrawal_call(chain, _withdrawal(PHA, 0, forger)), mq_d.BadSignature)
    assert chain.free(ACCOUNT) == 5 * PHA + ED


def test_identical_replica_copies_are_executed_once(chain: Chain) -> None:
    assert _deposit(chain, 5 * PHA) is None
    publish_egress_key(chain, W1, TOKEN, EGRESS)
    bob = chain.free(BOB.public_key)
    signed = _withdrawal(2 * PHA, 0)
    assert _submit(chain, signed, relayer=ALICE) is None  # replica 1's host
    assert _submit(chain, signed, relayer=BOB) is None  # replica 2's host: the same bytes, a no-op
    assert [name for name, _ in events(chain, "Mq")] == ["DuplicateIgnored"]
    fee_paid_by_bob = bob + 2 * PHA - chain.free(BOB.public_key)
    assert chain.free(ACCOUNT) == 3 * PHA + ED and 0 < fee_paid_by_bob < PHA
