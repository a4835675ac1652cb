"""Helpers for runtime tests: a dev-chain runtime on a temporary LMDB store, and block helpers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from phalanx.crypto import Keypair
from phalanx.runtime import BuiltBlock, Runtime
from phalanx.runtime.assembly import CALLS, MODULES
from phalanx.runtime.extrinsic import sign_extrinsic
from phalanx.runtime.state import State
from phalanx.runtime.version import SPEC_VERSION, TRANSACTION_VERSION

ALICE = Keypair.from_suri("//Alice")
BOB = Keypair.from_suri("//Bob")
CHARLIE = Keypair.from_suri("//Charlie")
PHA = 10**12


class Chain:
    """A runtime plus helpers that build, commit and check blocks."""

    def __init__(self, runtime: Runtime) -> None:
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

        return logic.get_account(State(self.rt._reader(None)), who).free

    def events(self) -> list[tuple[str, str]]:
        return [(e.module, e.name) for e in self.rt.events()]


def invariant_problems(rt: Runtime) -> list[str]:
    state = State(rt._reader(None))
    problems: list[str] = []
    for m in MODULES:
        if m.invariants is not None:
            problems += m.invariants(state)
    return problems
