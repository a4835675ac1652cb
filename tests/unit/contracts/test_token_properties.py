"""Properties of the private coin: a model check over random command sequences, replica agreement,
snapshot/restore in mid-run, and snapshots of arbitrary bytes."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from phalanx.contracts import (
    BadCommand,
    BadOrigin,
    BadSnapshot,
    ContractContext,
    ContractError,
    Effect,
    InsufficientBalance,
    InvalidAmount,
    MemoTooLong,
    Origin,
    Unauthorized,
    effects,
    execute_command,
)
from phalanx.contracts.token import (
    ANSWERS,
    COMMANDS,
    MAX_MEMO_LEN,
    MAX_U128,
    QUERIES,
    AccountBalance,
    Balance,
    Deposit,
    History,
    Token,
    Transfer,
    Withdraw,
)
from phalanx.crypto import blake2_256

ACCOUNTS = [bytes([i]) * 32 for i in (0x11, 0x22, 0x33, 0x44)]
CID = bytes([0xCC]) * 32


def ctx(block: int) -> ContractContext:
    return ContractContext(CID, block, 6_000 * block, blake2_256(block.to_bytes(8, "little")))


# A model check: a dict of balances predicts the outcome of every command ---------------------------


@dataclass(frozen=True)
class Step:
    signed: bool
    actor: int
    kind: str  # deposit | transfer | withdraw | raw | balance | history
    other: int = 0
    amount: int = 0
    memo: str = ""
    raw: bytes = b""


amounts = st.one_of(st.integers(0, 60), st.just(MAX_U128), st.integers(0, MAX_U128))
memos = st.one_of(st.text(max_size=8), st.just("é" * (MAX_MEMO_LEN // 2 + 1)))
index = st.integers(0, len(ACCOUNTS) - 1)
steps = st.builds(
    Step,
    signed=st.booleans(),
    actor=index,
    kind=st.sampled_from(
        ["deposit", "deposit", "transfer", "transfer", "withdraw", "raw", "balance", "history"]
    ),
    other=index,
    amount=amounts,
    memo=memos,
    raw=st.binary(max_size=60),
)


def _expected_error(step: Step, model: dict[bytes, int], deposited: int) -> type[ContractError] | None:
    actor = ACCOUNTS[step.actor]
    if step.kind == "deposit":
        if step.signed:
            return BadOrigin
        if step.amount == 0 or deposited + step.amount > MAX_U128:  # the running total is a u128
            return InvalidAmount
        return None
    if not step.signed:
        return BadOrigin
    if step.amount == 0:
        return InvalidAmount
    if step.kind == "transfer" and len(step.memo.encode()) > MAX_MEMO_LEN:
        return MemoTooLong
    if model.get(actor, 0) < step.amount:
        return InsufficientBalance
    return None


def _command(step: Step) -> bytes:
    actor, other = ACCOUNTS[step.actor], ACCOUNTS[step.other]
    if step.kind == "deposit":
        return COMMANDS.encode(Deposit(actor, step.amount))
    if step.kind == "transfer":
        return COMMANDS.encode(Transfer(other, step.amount, step.memo))
    if step.kind == "withdraw":
        return COMMANDS.encode(Withdraw(step.amount))
    return step.raw


@settings(max_examples=150, deadline=None)
@given(st.lists(steps, max_size=40))
def test_random_commands_match_the_model_and_keep_the_invariant(sequence: list[Step]) -> None:
    token = Token()
    model: dict[bytes, int] = {}
    deposited = withdrawn = paid_out = 0
    for block, step in enumerate(sequence, start=1):
        c = ctx(block)
        actor, other = ACCOUNTS[step.actor], ACCOUNTS[step.other]
        before = token.snapshot()
        if step.kind in ("balance", "history"):
            query = QUERIES.encode(Balance(other) if step.kind == "balance" else History())
            try:
                answer = ANSWERS.decode(token.handle_query(c, actor, query))
            except Unauthorized:
                assert step.kind == "balance" and other != actor
            else:
                if step.kind == "balance":
                    assert answer == AccountBalance(actor, model.get(actor, 0))
            assert token.snapshot() == before
            continue
        origin = Origin.signed(actor) if step.signed else Origin.chain(actor)
        command = _command(step)
        expected = BadCommand if step.kind == "raw" else _expected_error(step, model, deposited)
        try:
            execute_command(token, c, origin, command)
        except ContractError as refusal:
            if step.kind != "raw":
                assert type(refusal) is expected
            assert token.snapshot() == before
            assert not c.egress.effects
        else:
            assert expected is None or step.kind == "raw"
            if step.kind == "raw":
                # Rarely, random bytes are a valid command: re-derive the model from the contract.
                model = dict(token.balances)
                deposited, withdrawn = token.total_deposited, token.total_withdrawn
            elif step.kind == "deposit":
                model[actor] = model.get(actor, 0) + step.amount
                deposited += step.amount
            elif step.kind == "transfer":
                model[actor] -= step.amount
                model[other] = model.get(other, 0) + step.amount
            else:
                model[actor] -= step.amount
                withdrawn += step.amount
        paid_out += sum(e.amount for e in c.egress.effects if isinstance(e, effects.Withdraw))
        token.invariants()
        assert {a: v for a, v in model.items() if v} == token.balances
        assert (token.total_deposited, token.total_withdrawn) == (deposited, withdrawn)
    assert paid_out == token.total_withdrawn
    assert sum(token.balances.values()) == token.total_deposited - token.total_withdrawn


# Replicas: the same 1,000 commands give the same state, byte for byte ------------------------------


def command_stream(seed: bytes, count: int) -> list[tuple[int, Origin, bytes]]:
    """`count` (block, origin, command) triples drawn from blake2 over a counter: the same on any
    machine and Python version, so the final state hash below is a test vector."""
    counter = 0

    def draw(bound: int) -> int:
        nonlocal counter
        counter += 1
        return int.from_bytes(blake2_256(seed + counter.to_bytes(8, "little"))[:16], "little") % bound

    out: list[tuple[int, Origin, bytes]] = []
    block = 1
    for _ in range(count):
        if draw(8) == 0:
            block += 1
        actor, other = ACCOUNTS[draw(len(ACCOUNTS))], ACCOUNTS[draw(len(ACCOUNTS))]
        roll, amount = draw(100), (draw(1_000) if draw(25) else 0)
        if roll < 25:
            out.append((block, Origin.chain(actor), COMMANDS.encode(Deposit(actor, amount))))
        elif roll < 75:
            memo = f"memo {draw(1_000_000)}"
            out.append((block, Origin.signed(actor), COMMANDS.encode(Transfer(other, amount, memo))))
        elif roll < 92:
            out.append((block, Origin.signed(actor), COMMANDS.encode(Withdraw(amount))))
        elif roll < 96:
            out.append((block, Origin.signed(actor), COMMANDS.encode(Deposit(actor, amount))))  # refused
        else:
            garbage = blake2_256(seed + b"garbage" + counter.to_bytes(8, "little"))[: draw(33)]
            out.append((block, Origin.signed(actor), garbage))
    return out


def replay(token: Token, stream: list[tuple[int, Origin, bytes]]) -> tuple[list[Effect], list[int]]:
    """Apply a stream block by block, as an enclave would; returns the effects and refusal codes."""
    emitted: list[Effect] = []
    refusals: list[int] = []
    current: ContractContext | None = None
    for block, origin, command in stream:
        if current is None or current.block_number != block:
            if current is not None:
                token.on_block_end(current)
                emitted += current.egress.drain()
            current = ctx(block)
        try:
            execute_command(token, current, origin, command)
        except ContractError as refusal:
            refusals.append(refusal.code)
    if current is not None:
        token.on_block_end(current)
        emitted += current.egress.drain()
    return emitted, refusals


STREAM_SEED = b"phalanx/test/token-replicas"
FINAL_STATE_HASH = "4a52f1add9e2c65eed8b0b070401f0648fabbf72bb67a652d5e671e1b701d90e"


def test_two_replicas_agree_byte_for_byte() -> None:
    stream = command_stream(STREAM_SEED, 1_000)
    first, second = Token(), Token()
    effects_1, refusals_1 = replay(first, stream)
    effects_2, refusals_2 = replay(second, stream)
    assert first.snapshot() == second.snapshot()
    assert first.state_hash() == second.state_hash()
    assert effects_1 == effects_2 and refusals_1 == refusals_2
    first.invariants()
    # The stream exercises every path: payouts, and refusals of several kinds.
    assert len(effects_1) > 50
    assert {BadOrigin.code, BadCommand.code, InsufficientBalance.code, InvalidAmount.code} <= set(refusals_1)
    assert first.state_hash().hex() == FINAL_STATE_HASH


def test_snapshot_and_restore_in_mid_run_reach_the_same_state() -> None:
    stream = command_stream(STREAM_SEED, 1_000)
    straight = Token()
    replay(straight, stream)
    # Cut at a block boundary, as a checkpoint would be.
    cut = next(i for i in range(500, len(stream)) if stream[i][0] != stream[i - 1][0])
    before_cut = Token()
    effects_a, _ = replay(before_cut, stream[:cut])
    resumed = Token()
    resumed.restore(before_cut.snapshot())
    assert resumed.state_hash() == before_cut.state_hash()
    effects_b, _ = replay(resumed, stream[cut:])
    assert resumed.state_hash() == straight.state_hash()
    assert effects_a + effects_b == replay(Token(), stream)[0]


def test_a_different_order_gives_a_different_state() -> None:
    stream = command_stream(STREAM_SEED, 200)
    a, b = Token(), Token()
    replay(a, stream)
    replay(b, list(reversed(stream)))
    assert a.state_hash() != b.state_hash()


# Snapshots of arbitrary bytes ---------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_restoring_arbitrary_bytes_is_a_snapshot_or_bad_snapshot(data: bytes) -> None:
    token = Token()
    try:
        token.restore(data)
    except BadSnapshot:
        assert token.state_hash() == Token().state_hash()
        return
    token.invariants()
    assert token.snapshot() == data  # only canonical encodings are accepted


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 255), st.booleans())
def test_damaged_snapshots_are_refused_or_canonical(position: int, value: int, truncate: bool) -> None:
    token = Token()
    replay(token, command_stream(b"small", 40))
    data = bytearray(token.snapshot())
    position %= len(data)
    if truncate:
        del data[position:]
    else:
        data[position] = value
    copy = Token()
    try:
        copy.restore(bytes(data))
    except BadSnapshot:
        return
    copy.invariants()
    assert copy.snapshot() == bytes(data)
