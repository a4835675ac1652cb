"""Helpers for runtime tests: a dev-chain runtime on a temporary LMDB store, block helpers, and
`assert_noop`, the check that a failed call changed nothing but its fee and nonce."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from phalanx.chain import Blockchain
from phalanx.crypto import Keypair
from phalanx.errors import PhalanxError
from phalanx.runtime import BuiltBlock
from phalanx.runtime.assembly import CALLS, MODULES, MODULES_BY_INDEX
from phalanx.runtime.extrinsic import sign_extrinsic
from phalanx.runtime.modules.system import declarations as system_d
from phalanx.runtime.state import State
from phalanx.runtime.types import ACCOUNT_INFO
from phalanx.runtime.version import SPEC_VERSION, TRANSACTION_VERSION

ALICE = Keypair.from_suri("//Alice")
BOB = Keypair.from_suri("//Bob")
CHARLIE = Keypair.from_suri("//Charlie")
PHA = 10**12


class Chain:
    """A runtime plus helpers that build, commit and check blocks."""

    def __init__(self, runtime: Blockchain) -> None:
        self.rt = runtime
        self.now = 1_700_000_000_000

    def call(self, module: str, function: str, **args: Any) -> bytes:
        return CALLS.encode(CALLS.call(module, function, **args))

    def sign(self, who: Keypair, call: bytes, nonce: int | None = None, **kw: Any) -> bytes:
        if nonce is None:
            nonce = self.rt.account_nonce(who.public_key)
        return sign_extrinsic(
            who,
            call,
            nonce,
            genesis_hash=self.rt.genesis_hash,
            spec_version=SPEC_VERSION,
            transaction_version=TRANSACTION_VERSION,
            **kw,
        )

    def block(self, xts: Sequence[bytes] = (), commit: bool = True) -> BuiltBlock:
        self.now += 6000
        built = self.rt.build_block(self.rt.best_hash(), self.now, list(xts))
        if commit:
            self.rt.commit(built)
            assert invariant_problems(self.rt) == []
        return built

    def free(self, who: bytes) -> int:
        from phalanx.runtime.modules.system import logic

        return logic.get_account(State(self.rt.state_at(None)), who).free

    def events(self) -> list[tuple[str, str]]:
        return [(e.module, e.name) for e in self.rt.events()]


def invariant_problems(rt: Blockchain) -> list[str]:
    state = State(rt.state_at(None))
    problems: list[str] = []
    for m in MODULES:
        if m.invariants is not None:
            problems += m.invariants(state)
    return problems


# -- a failed call changes nothing but its fee and nonce --------------------------------------------------

_FEE_EVENTS = {
    ("Balances", "Withdraw"),
    ("Balances", "Deposit"),
    ("TransactionPayment", "TransactionFeePaid"),
}
"""What a failed signed extrinsic deposits before its `System.ExtrinsicFailed`: the fee changing hands."""
_PER_EXTRINSIC_KEYS = (system_d.Events.key, system_d.EventCount.key, system_d.ExtrinsicCount.key)
"""System bookkeeping that counts the block's extrinsics and events."""


def assert_noop(chain: Chain, signer: Keypair, call: bytes, error: type[PhalanxError] | str) -> int:
    """Include `call`, signed by `signer`, alone in the next block: it must fail with `error` and change
    nothing but what every failed signed extrinsic changes. Returns the fee it paid.

    `error` is the exception class, or the name of the dispatch error (`"BadOrigin"`, a module error's
    name). The committed state is compared, key by key, with the same block built without the
    extrinsic: the only differences allowed are the signer's nonce moving on and its free balance
    paying the fee, the fee's recipient being credited with it, and the block's event and extrinsic
    bookkeeping; the extrinsic's own events are the fee's and `ExtrinsicFailed`.
    """
    parent = chain.rt.best_hash()
    before = dict(State(chain.rt.state_at(None)).iter_prefix(b""))
    for key, value in chain.rt.build_block(parent, chain.now + 6000, []).state.changes.items():
        if value is None:
            before.pop(key, None)
        else:
            before[key] = value
    built = chain.block([chain.sign(signer, call)])
    assert built.block.header.parent_hash == parent, "assert_noop needs the chain's next block to itself"
    outcome = built.outcomes[1]
    assert not outcome.success, f"the call succeeded; expected {error}"
    if not isinstance(error, str):
        assert isinstance(outcome.error, error), f"failed with {outcome.error!r}, expected {error.__name__}"
    events = [e for e in chain.rt.events() if e.phase == ("ApplyExtrinsic", 1)]
    *paying, failed = events
    assert (failed.module, failed.name) == ("System", "ExtrinsicFailed")
    assert _dispatch_error_name(failed.fields["dispatch_error"]) == (
        error if isinstance(error, str) else error.__name__
    )
    assert {(e.module, e.name) for e in paying} <= _FEE_EVENTS, [(e.module, e.name) for e in paying]
    fee = sum(int(e.fields["actual_fee"]) for e in paying if e.name == "TransactionFeePaid")
    credited = {bytes(e.fields["who"]): int(e.fields["amount"]) for e in paying if e.name == "Deposit"}
    assert sum(credited.values()) == fee

    after = dict(State(chain.rt.state_at(None)).iter_prefix(b""))
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if old == new or key in _PER_EXTRINSIC_KEYS:
            continue
        if key.startswith(system_d.Account.prefix) and old is not None and new is not None:
            who = key[-32:]
            was, now = ACCOUNT_INFO.decode(old), ACCOUNT_INFO.decode(new)
            if who == signer.public_key:
                expected = replace(was, nonce=was.nonce + 1, free=was.free - fee + credited.get(who, 0))
            else:
                expected = replace(was, free=was.free + credited.get(who, 0))
            assert now == expected, f"account 0x{who.hex()}: {now}, expected {expected}"
            continue
        raise AssertionError(f"the failed call changed storage key 0x{key.hex()}: {old!r} -> {new!r}")
    return fee


def _dispatch_error_name(dispatch_error: tuple[str, Any]) -> str:
    kind, payload = dispatch_error
    if kind != "Module":
        return kind
    found = MODULES_BY_INDEX[payload["index"]].error_by_index(payload["error"][0])
    assert found is not None, f"no error {payload['error'][0]} in module {payload['index']}"
    return found.__name__
