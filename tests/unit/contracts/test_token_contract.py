"""The private coin, path by path: deposits, transfers, withdrawals, queries, snapshots, golden bytes."""

from __future__ import annotations

import pytest

from phalanx.codec import DecodeError
from phalanx.contracts import (
    BadCommand,
    BadOrigin,
    BadQuery,
    BadSnapshot,
    ContractContext,
    ContractError,
    InsufficientBalance,
    InvalidAmount,
    InvariantViolation,
    MemoTooLong,
    Origin,
    Unauthorized,
    effects,
    execute_command,
)
from phalanx.contracts.token import (
    ANSWERS,
    COMMANDS,
    HISTORY_LIMIT,
    MAX_MEMO_LEN,
    MAX_U128,
    QUERIES,
    AccountBalance,
    AccountHistory,
    Balance,
    Deposit,
    Deposited,
    History,
    HistoryEntry,
    Received,
    Sent,
    Token,
    TokenCommand,
    Transfer,
    Withdraw,
    Withdrawn,
)

ALICE = bytes([0x11]) * 32
BOB = bytes([0x22]) * 32
CAROL = bytes([0x33]) * 32
CID = bytes([0xCC]) * 32
PHA = 10**12


def u128(n: int) -> bytes:
    return n.to_bytes(16, "little")


def u64(n: int) -> bytes:
    return n.to_bytes(8, "little")


def ctx(block: int = 1) -> ContractContext:
    return ContractContext(CID, block, 6_000 * block, bytes([block % 256]) * 32)


def run(token: Token, origin: Origin, cmd: TokenCommand, block: int = 1) -> ContractContext:
    c = ctx(block)
    execute_command(token, c, origin, COMMANDS.encode(cmd))
    return c


def query(token: Token, origin: bytes, q: Balance | History) -> AccountBalance | AccountHistory:
    return ANSWERS.decode(token.handle_query(ctx(), origin, QUERIES.encode(q)))


def funded(**balances: int) -> Token:
    """A token where each named account (alice, bob, carol) has deposited the given amount."""
    token = Token()
    for name, amount in balances.items():
        who = {"alice": ALICE, "bob": BOB, "carol": CAROL}[name]
        run(token, Origin.chain(who), Deposit(who, amount))
    return token


def assert_refused(token: Token, origin: Origin, command: bytes, error: type[ContractError]) -> None:
    """A refused command raises `error`, changes no state and leaves no effect (FRAME's assert_noop)."""
    before = token.snapshot()
    c = ctx(7)
    with pytest.raises(error):
        execute_command(token, c, origin, command)
    assert token.snapshot() == before
    assert c.egress.effects == ()
    token.invariants()


# Golden encodings of every wire type --------------------------------------------------------------


def test_command_goldens() -> None:
    cases: list[tuple[TokenCommand, bytes]] = [
        (Deposit(ALICE, 5), b"\x00" + ALICE + u128(5)),
        (
            Transfer(BOB, PHA, "lunch"),
            b"\x01" + BOB + bytes.fromhex("0010a5d4e8") + bytes(11) + b"\x14lunch",
        ),
        (Withdraw(1 << 64), b"\x02" + bytes(8) + b"\x01" + bytes(7)),
    ]
    for value, data in cases:
        assert COMMANDS.encode(value) == data
        assert COMMANDS.decode(data) == value


def test_query_goldens() -> None:
    assert QUERIES.encode(Balance()) == b"\x00\x00"
    assert QUERIES.encode(Balance(CAROL)) == b"\x00\x01" + CAROL
    assert QUERIES.encode(History()) == b"\x01"
    assert QUERIES.decode(b"\x00\x01" + CAROL) == Balance(CAROL)
    assert QUERIES.decode(b"\x01") == History()


def test_answer_goldens() -> None:
    balance = AccountBalance(ALICE, 7)
    assert ANSWERS.encode(balance) == b"\x00" + ALICE + u128(7)
    history = AccountHistory(
        (
            HistoryEntry(3, Sent(BOB, 1, "hi")),
            HistoryEntry(4, Received(CAROL, 2, "")),
            HistoryEntry(5, Deposited(9)),
            HistoryEntry(6, Withdrawn(8)),
        )
    )
    data = (
        b"\x01\x10"
        + (u64(3) + b"\x01" + BOB + u128(1) + b"\x08hi")
        + (u64(4) + b"\x02" + CAROL + u128(2) + b"\x00")
        + (u64(5) + b"\x00" + u128(9))
        + (u64(6) + b"\x03" + u128(8))
    )
    assert ANSWERS.encode(history) == data
    assert ANSWERS.decode(data) == history


def test_snapshot_golden() -> None:
    token = Token()
    run(token, Origin.chain(ALICE), Deposit(ALICE, 10), block=1)
    run(token, Origin.signed(ALICE), Transfer(BOB, 3, "x"), block=2)
    expected = (
        b"\x01"  # version
        + u128(10)  # total deposited
        + u128(0)  # total withdrawn
        + b"\x08" + ALICE + u128(7) + BOB + u128(3)
        + b"\x08"
        + ALICE + b"\x08" + (u64(1) + b"\x00" + u128(10)) + (u64(2) + b"\x01" + BOB + u128(3) + b"\x04x")
        + BOB + b"\x04" + (u64(2) + b"\x02" + ALICE + u128(3) + b"\x04x")
    )  # fmt: skip
    assert token.snapshot() == expected
    restored = Token()
    restored.restore(expected)
    assert restored.state_hash() == token.state_hash()
    assert restored.get_balance(BOB) == 3


# Deposits ------------------------------------------------------------------------------------------


def test_deposit_credits_the_beneficiary() -> None:
    token = Token()
    c = run(token, Origin.chain(ALICE), Deposit(BOB, 5 * PHA), block=4)
    assert token.get_balance(BOB) == 5 * PHA
    assert token.get_total_issuance() == 5 * PHA
    assert token.get_history(BOB) == (HistoryEntry(4, Deposited(5 * PHA)),)
    assert c.egress.effects == ()
    token.invariants()


def test_deposit_from_a_signed_origin_is_refused() -> None:
    token = Token()
    assert_refused(token, Origin.signed(ALICE), COMMANDS.encode(Deposit(ALICE, 5)), BadOrigin)


def test_zero_deposit_is_refused() -> None:
    assert_refused(Token(), Origin.chain(ALICE), COMMANDS.encode(Deposit(ALICE, 0)), InvalidAmount)


def test_deposits_beyond_u128_are_refused() -> None:
    token = funded(alice=MAX_U128)
    assert_refused(token, Origin.chain(BOB), COMMANDS.encode(Deposit(BOB, 1)), InvalidAmount)


# Transfers -----------------------------------------------------------------------------------------


def test_transfer_moves_balance_and_records_memo_for_both() -> None:
    token = funded(alice=10)
    c = ctx(9)
    result = execute_command(token, c, Origin.signed(ALICE), COMMANDS.encode(Transfer(BOB, 4, "rent")))
    assert ANSWERS.decode(result.output) == AccountBalance(ALICE, 6)
    assert (token.get_balance(ALICE), token.get_balance(BOB)) == (6, 4)
    assert token.get_history(ALICE)[-1] == HistoryEntry(9, Sent(BOB, 4, "rent"))
    assert token.get_history(BOB) == (HistoryEntry(9, Received(ALICE, 4, "rent")),)
    assert c.egress.effects == ()
    token.invariants()


def test_transfer_of_the_whole_balance_forgets_the_account_balance() -> None:
    token = funded(alice=10)
    run(token, Origin.signed(ALICE), Transfer(BOB, 10, ""))
    assert ALICE not in token.balances
    assert token.get_balance(ALICE) == 0
    token.invariants()


def test_transfer_to_oneself_keeps_the_balance() -> None:
    token = funded(alice=10)
    run(token, Origin.signed(ALICE), Transfer(ALICE, 10, "me"))
    assert token.get_balance(ALICE) == 10
    assert token.get_history(ALICE)[-2:] == (
        HistoryEntry(1, Sent(ALICE, 10, "me")),
        HistoryEntry(1, Received(ALICE, 10, "me")),
    )
    token.invariants()


def test_transfer_refusals_change_nothing() -> None:
    token = funded(alice=10)
    assert_refused(token, Origin.signed(ALICE), COMMANDS.encode(Transfer(BOB, 11, "")), InsufficientBalance)
    assert_refused(token, Origin.signed(BOB), COMMANDS.encode(Transfer(ALICE, 1, "")), InsufficientBalance)
    assert_refused(token, Origin.signed(ALICE), COMMANDS.encode(Transfer(BOB, 0, "")), InvalidAmount)
    assert_refused(token, Origin.chain(ALICE), COMMANDS.encode(Transfer(BOB, 1, "")), BadOrigin)
    long_memo = "é" * (MAX_MEMO_LEN // 2 + 1)
    assert_refused(token, Origin.signed(ALICE), COMMANDS.encode(Transfer(BOB, 1, long_memo)), MemoTooLong)


def test_memo_at_the_limit_is_kept() -> None:
    token = funded(alice=10)
    memo = "m" * MAX_MEMO_LEN
    run(token, Origin.signed(ALICE), Transfer(BOB, 1, memo))
    assert token.get_history(BOB)[-1].event == Received(ALICE, 1, memo)


def test_history_keeps_the_newest_entries() -> None:
    token = funded(alice=HISTORY_LIMIT + 10)
    for block in range(2, HISTORY_LIMIT + 12):
        run(token, Origin.signed(ALICE), Transfer(BOB, 1, str(block)), block=block)
    history = token.get_history(ALICE)
    assert len(history) == HISTORY_LIMIT
    assert history[-1] == HistoryEntry(HISTORY_LIMIT + 11, Sent(BOB, 1, str(HISTORY_LIMIT + 11)))
    assert history[0].block == 12
    token.invariants()


# Withdrawals ---------------------------------------------------------------------------------------


def test_withdraw_debits_and_emits_the_payout() -> None:
    token = funded(alice=10)
    c = run(token, Origin.signed(ALICE), Withdraw(4), block=3)
    assert token.get_balance(ALICE) == 6
    assert c.egress.effects == (effects.Withdraw(ALICE, 4),)
    assert (token.total_deposited, token.total_withdrawn, token.get_total_issuance()) == (10, 4, 6)
    assert token.get_history(ALICE)[-1] == HistoryEntry(3, Withdrawn(4))
    token.invariants()


def test_withdraw_refusals_change_nothing() -> None:
    token = funded(alice=10)
    assert_refused(token, Origin.signed(ALICE), COMMANDS.encode(Withdraw(11)), InsufficientBalance)
    assert_refused(token, Origin.signed(ALICE), COMMANDS.encode(Withdraw(0)), InvalidAmount)
    assert_refused(token, Origin.chain(ALICE), COMMANDS.encode(Withdraw(1)), BadOrigin)


# Malformed commands --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x03",
        b"\x00" + ALICE,
        b"\x02" + u128(1) + b"\x00",
        b"\x01" + BOB + u128(1) + b"\x04\xff",  # memo length 1, byte 0xff: not UTF-8
        b"\x01" + BOB + u128(1) + b"\x08a",  # memo shorter than its length
    ],
)
def test_malformed_commands_are_bad_command(data: bytes) -> None:
    assert_refused(funded(alice=10), Origin.signed(ALICE), data, BadCommand)


def test_non_bytes_command_is_bad_command() -> None:
    with pytest.raises(BadCommand):
        Token().handle_command(ctx(), Origin.signed(ALICE), "text")  # type: ignore[arg-type]


# Queries -------------------------------------------------------------------------------------------


def test_balance_query_answers_the_owner() -> None:
    token = funded(alice=10)
    before = token.snapshot()
    assert query(token, ALICE, Balance()) == AccountBalance(ALICE, 10)
    assert query(token, ALICE, Balance(ALICE)) == AccountBalance(ALICE, 10)
    assert query(token, BOB, Balance()) == AccountBalance(BOB, 0)
    assert token.snapshot() == before


def test_balance_of_someone_else_is_unauthorized() -> None:
    token = funded(alice=10)
    with pytest.raises(Unauthorized):
        query(token, BOB, Balance(ALICE))


def test_history_query_answers_only_the_callers_history() -> None:
    token = funded(alice=10)
    run(token, Origin.signed(ALICE), Transfer(BOB, 4, "rent"), block=2)
    assert query(token, BOB, History()) == AccountHistory((HistoryEntry(2, Received(ALICE, 4, "rent")),))
    assert query(token, CAROL, History()) == AccountHistory(())


@pytest.mark.parametrize("data", [b"", b"\x02", b"\x00\x02", b"\x00\x01" + ALICE[:5], b"\x01\x00"])
def test_malformed_queries_are_bad_query(data: bytes) -> None:
    with pytest.raises(BadQuery):
        Token().handle_query(ctx(), ALICE, data)


def test_query_needs_a_32_byte_origin() -> None:
    with pytest.raises(Unauthorized):
        Token().handle_query(ctx(), b"\x00", QUERIES.encode(Balance()))


# Snapshots and invariants --------------------------------------------------------------------------


def _state(version: int = 1, deposited: int = 0, withdrawn: int = 0, balances: bytes = b"\x00") -> bytes:
    return bytes([version]) + u128(deposited) + u128(withdrawn) + balances + b"\x00"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x01",
        b"garbage bytes that mean nothing",
        _state() + b"\x00",  # trailing byte
        _state(version=2),
        _state(deposited=1),  # no balance holds the deposit
        _state(deposited=1, withdrawn=2),
        _state(deposited=0, balances=b"\x04" + ALICE + u128(0)),  # zero balance stored
        _state(deposited=2, balances=b"\x08" + BOB + u128(1) + ALICE + u128(1)),  # not ascending
        _state(deposited=2, balances=b"\x08" + ALICE + u128(1) + ALICE + u128(1)),  # duplicate
        bytes([1]) + u128(0) + u128(0) + b"\x00\x04" + ALICE + b"\x00",  # empty history
    ],
)
def test_bad_snapshots_are_refused_and_change_nothing(data: bytes) -> None:
    token = funded(alice=10)
    before = token.snapshot()
    with pytest.raises(BadSnapshot):
        token.restore(data)
    assert token.snapshot() == before


def test_snapshot_round_trip_and_state_hash() -> None:
    token = funded(alice=10, bob=5)
    run(token, Origin.signed(BOB), Transfer(CAROL, 5, "all of it"))
    run(token, Origin.signed(ALICE), Withdraw(3))
    copy = Token()
    copy.restore(token.snapshot())
    assert copy.snapshot() == token.snapshot()
    assert copy.state_hash() == token.state_hash()
    assert Token().state_hash() != token.state_hash()


def test_invariants_catch_a_corrupted_state() -> None:
    token = funded(alice=10)
    token.balances[BOB] = 1
    with pytest.raises(InvariantViolation):
        token.invariants()
    token = funded(alice=10)
    token.total_withdrawn = 11
    with pytest.raises(InvariantViolation):
        token.invariants()


def test_commands_decode_to_typed_values_only() -> None:
    with pytest.raises(DecodeError):
        COMMANDS.decode(b"\x09")
