"""The built-in private coin: PHA deposited into the contract moves between accounts unseen.

The runtime moves public PHA into the contract's account and tells the contract (`Deposit`, a
chain-origin command). Inside, accounts `Transfer` to each other: amount, recipient and memo stay
in the enclave. `Withdraw` debits a private balance and emits a `Withdraw` egress effect, which the
runtime executes to pay the public PHA back. Only an account may read its own balance and history.

Invariant: the sum of private balances = total deposited - total withdrawn (= the PHA the contract
account holds on its behalf).

Shape: declarations (wire types, limits), the contract (thin handlers), logic (`process_*`),
snapshot, invariants.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from phalanx.codec import (
    U8,
    U64,
    U128,
    AccountId,
    DataclassEnum,
    Option,
    Str,
    Struct,
    Tuple,
    Vec,
    field_,
    member,
)
from phalanx.contracts import effects
from phalanx.contracts.errors import (
    BadCommand,
    BadOrigin,
    BadQuery,
    BadSnapshot,
    InsufficientBalance,
    InvalidAmount,
    InvariantViolation,
    MemoTooLong,
    Unauthorized,
)
from phalanx.contracts.messages import decode_or_raise
from phalanx.contracts.sdk import CommandResult, Contract, ContractContext, Origin

MAX_U128 = (1 << 128) - 1
MAX_MEMO_LEN = 256  # UTF-8 bytes
HISTORY_LIMIT = 128  # entries kept per account; the oldest are dropped first
SNAPSHOT_VERSION = 1

# ---------------------------------------------------------------------------------------------
# Declarations: commands, queries, answers, history


@dataclass(frozen=True)
class Deposit:
    """Chain only: `amount` public PHA reached the contract account for `who`."""

    who: bytes
    amount: int


@dataclass(frozen=True)
class Transfer:
    """Move `amount` from the signer to `to`; `memo` is kept in both accounts' private history."""

    to: bytes
    amount: int
    memo: str


@dataclass(frozen=True)
class Withdraw:
    """Debit the signer's private balance and pay the same amount of public PHA back to it."""

    amount: int


TokenCommand = Deposit | Transfer | Withdraw

COMMANDS: DataclassEnum[TokenCommand] = DataclassEnum(
    ("phalanx", "contracts", "token", "Command"),
    [
        member(0, Deposit, field_("who", AccountId, "AccountId"), field_("amount", U128, "Balance")),
        member(
            1,
            Transfer,
            field_("to", AccountId, "AccountId"),
            field_("amount", U128, "Balance"),
            field_("memo", Str),
        ),
        member(2, Withdraw, field_("amount", U128, "Balance")),
    ],
)


@dataclass(frozen=True)
class Balance:
    """Ask for a private balance: `of` must be the asker itself (None means the asker)."""

    of: bytes | None = None


@dataclass(frozen=True)
class History:
    """Ask for the asker's own history (deposits, transfers with memos, withdrawals)."""


TokenQuery = Balance | History

QUERIES: DataclassEnum[TokenQuery] = DataclassEnum(
    ("phalanx", "contracts", "token", "Query"),
    [member(0, Balance, field_("of", Option(AccountId), "Option<AccountId>")), member(1, History)],
)


@dataclass(frozen=True)
class Deposited:
    amount: int


@dataclass(frozen=True)
class Sent:
    recipient: bytes
    amount: int
    memo: str


@dataclass(frozen=True)
class Received:
    sender: bytes
    amount: int
    memo: str


@dataclass(frozen=True)
class Withdrawn:
    amount: int


HistoryEvent = Deposited | Sent | Received | Withdrawn

HISTORY_EVENT: DataclassEnum[HistoryEvent] = DataclassEnum(
    ("phalanx", "contracts", "token", "HistoryEvent"),
    [
        member(0, Deposited, field_("amount", U128, "Balance")),
        member(1, Sent, field_("recipient", AccountId), field_("amount", U128), field_("memo", Str)),
        member(2, Received, field_("sender", AccountId), field_("amount", U128), field_("memo", Str)),
        member(3, Withdrawn, field_("amount", U128, "Balance")),
    ],
)


@dataclass(frozen=True)
class HistoryEntry:
    """One line of an account's private history, stamped with the block it happened in."""

    block: int
    event: HistoryEvent


HISTORY_ENTRY = Struct(
    ("phalanx", "contracts", "token", "HistoryEntry"),
    [field_("block", U64, "BlockNumber"), field_("event", HISTORY_EVENT)],
    cls=HistoryEntry,
)


@dataclass(frozen=True)
class AccountBalance:
    account: bytes
    amount: int


@dataclass(frozen=True)
class AccountHistory:
    entries: tuple[HistoryEntry, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", tuple(self.entries))


TokenAnswer = AccountBalance | AccountHistory

ANSWERS: DataclassEnum[TokenAnswer] = DataclassEnum(
    ("phalanx", "contracts", "token", "Answer"),
    [
        member(0, AccountBalance, field_("account", AccountId), field_("amount", U128, "Balance")),
        member(1, AccountHistory, field_("entries", Vec(HISTORY_ENTRY), "Vec<HistoryEntry>")),
    ],
)

# The whole state, canonical: accounts ascending, no zero balances, no empty histories.
STATE = Struct(
    ("phalanx", "contracts", "token", "State"),
    [
        field_("version", U8),
        field_("total_deposited", U128),
        field_("total_withdrawn", U128),
        field_("balances", Vec(Tuple(AccountId, U128))),
        field_("histories", Vec(Tuple(AccountId, Vec(HISTORY_ENTRY)))),
    ],
)

# ---------------------------------------------------------------------------------------------
# The contract


class Token(Contract):
    """The private coin. State: balances, per-account history, and the two running totals."""

    NAME = "token"

    def __init__(self) -> None:
        self.balances: dict[bytes, int] = {}
        self.histories: dict[bytes, list[HistoryEntry]] = {}
        self.total_deposited = 0
        self.total_withdrawn = 0

    # Handlers: decode, dispatch, encode. Every refusal happens before the first write.

    def handle_command(self, ctx: ContractContext, origin: Origin, command: bytes) -> CommandResult:
        cmd = decode_or_raise(COMMANDS, command, BadCommand)
        if isinstance(cmd, Deposit):
            self.process_deposit(ctx, origin, cmd)
            return CommandResult()
        if isinstance(cmd, Transfer):
            self.process_transfer(ctx, origin, cmd)
        else:
            self.process_withdraw(ctx, origin, cmd)
        return CommandResult(ANSWERS.encode(AccountBalance(origin.account, self.get_balance(origin.account))))

    def handle_query(self, ctx: ContractContext, origin: bytes, query: bytes) -> bytes:
        q = decode_or_raise(QUERIES, query, BadQuery)
        if not isinstance(origin, bytes) or len(origin) != 32:
            raise Unauthorized("a query needs the 32-byte account that signed it")
        if isinstance(q, Balance):
            if q.of is not None and q.of != origin:
                raise Unauthorized("only an account itself may read its private balance")
            return ANSWERS.encode(AccountBalance(origin, self.get_balance(origin)))
        return ANSWERS.encode(AccountHistory(self.get_history(origin)))

    # Reads.

    def get_balance(self, account: bytes) -> int:
        return self.balances.get(account, 0)

    def get_history(self, account: bytes) -> tuple[HistoryEntry, ...]:
        return tuple(self.histories.get(account, ()))

    def get_total_issuance(self) -> int:
        """The PHA the contract account holds for its users: deposited minus withdrawn."""
        return self.total_deposited - self.total_withdrawn

    # Logic.

    def process_deposit(self, ctx: ContractContext, origin: Origin, cmd: Deposit) -> None:
        if not origin.is_chain:
            raise BadOrigin("Deposit comes only from the chain, which moved the public PHA")
        _check_amount(cmd.amount)
        if self.total_deposited + cmd.amount > MAX_U128:
            raise InvalidAmount("total deposits would exceed u128")
        self.total_deposited += cmd.amount
        self.balances[cmd.who] = self.get_balance(cmd.who) + cmd.amount
        self._record(cmd.who, HistoryEntry(ctx.block_number, Deposited(cmd.amount)))

    def process_transfer(self, ctx: ContractContext, origin: Origin, cmd: Transfer) -> None:
        sender = _signer(origin, "Transfer")
        _check_amount(cmd.amount)
        if len(cmd.memo.encode()) > MAX_MEMO_LEN:
            raise MemoTooLong(f"a memo holds at most {MAX_MEMO_LEN} UTF-8 bytes")
        have = self.get_balance(sender)
        if have < cmd.amount:
            raise InsufficientBalance(f"balance {have} is below the amount {cmd.amount}")
        self._set_balance(sender, have - cmd.amount)
        self._set_balance(cmd.to, self.get_balance(cmd.to) + cmd.amount)
        self._record(sender, HistoryEntry(ctx.block_number, Sent(cmd.to, cmd.amount, cmd.memo)))
        self._record(cmd.to, HistoryEntry(ctx.block_number, Received(sender, cmd.amount, cmd.memo)))

    def process_withdraw(self, ctx: ContractContext, origin: Origin, cmd: Withdraw) -> None:
        owner = _signer(origin, "Withdraw")
        _check_amount(cmd.amount)
        have = self.get_balance(owner)
        if have < cmd.amount:
            raise InsufficientBalance(f"balance {have} is below the amount {cmd.amount}")
        self._set_balance(owner, have - cmd.amount)
        self.total_withdrawn += cmd.amount
        self._record(owner, HistoryEntry(ctx.block_number, Withdrawn(cmd.amount)))
        ctx.egress.emit(effects.Withdraw(owner, cmd.amount))

    def _set_balance(self, account: bytes, amount: int) -> None:
        if amount:
            self.balances[account] = amount
        else:
            self.balances.pop(account, None)

    def _record(self, account: bytes, entry: HistoryEntry) -> None:
        lines = self.histories.setdefault(account, [])
        lines.append(entry)
        if len(lines) > HISTORY_LIMIT:
            del lines[0]

    # Snapshot: the canonical encoding of the whole state.

    def snapshot(self) -> bytes:
        return STATE.encode(
            {
                "version": SNAPSHOT_VERSION,
                "total_deposited": self.total_deposited,
                "total_withdrawn": self.total_withdrawn,
                "balances": sorted(self.balances.items()),
                "histories": sorted(self.histories.items()),
            }
        )

    def restore(self, data: bytes) -> None:
        state: dict[str, Any] = decode_or_raise(STATE, data, BadSnapshot)
        if state["version"] != SNAPSHOT_VERSION:
            raise BadSnapshot(f"snapshot version {state['version']}, this contract reads {SNAPSHOT_VERSION}")
        balances: list[tuple[bytes, int]] = state["balances"]
        histories: list[tuple[bytes, list[HistoryEntry]]] = state["histories"]
        if not (
            _strictly_ascending([a for a, _ in balances]) and _strictly_ascending([a for a, _ in histories])
        ):
            raise BadSnapshot("accounts are not in strictly ascending order")
        restored = Token()
        restored.total_deposited = state["total_deposited"]
        restored.total_withdrawn = state["total_withdrawn"]
        restored.balances = dict(balances)
        restored.histories = {a: list(h) for a, h in histories}
        try:
            restored.invariants()
        except InvariantViolation as exc:
            raise BadSnapshot(f"snapshot is not a consistent state: {exc.message}") from None
        self.balances, self.histories = restored.balances, restored.histories
        self.total_deposited, self.total_withdrawn = restored.total_deposited, restored.total_withdrawn

    # Invariants.

    def invariants(self) -> None:
        if self.total_withdrawn > self.total_deposited:
            raise InvariantViolation("more was withdrawn than deposited")
        if any(amount <= 0 for amount in self.balances.values()):
            raise InvariantViolation("a zero or negative balance is stored")
        if sum(self.balances.values()) != self.get_total_issuance():
            raise InvariantViolation("balances do not add up to deposits minus withdrawals")
        for lines in self.histories.values():
            if not 0 < len(lines) <= HISTORY_LIMIT:
                raise InvariantViolation(f"a history is empty or longer than {HISTORY_LIMIT}")
            for entry in lines:
                if entry.event.amount <= 0:
                    raise InvariantViolation("a history entry has a zero amount")
                memo = entry.event.memo if isinstance(entry.event, Sent | Received) else ""
                if len(memo.encode()) > MAX_MEMO_LEN:
                    raise InvariantViolation("a stored memo is longer than the limit")


def _signer(origin: Origin, what: str) -> bytes:
    if not origin.is_signed:
        raise BadOrigin(f"{what} must be signed by the account it spends from")
    return origin.account


def _check_amount(amount: int) -> None:
    if amount <= 0:
        raise InvalidAmount("an amount must be at least 1 planck")


def _strictly_ascending(keys: list[bytes]) -> bool:
    return all(a < b for a, b in itertools.pairwise(keys))
