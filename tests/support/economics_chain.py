"""A runtime test chain with staking stakers, short periods and an issuance check after every block."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from phalanx.chain import Blockchain
from phalanx.crypto import Keypair
from phalanx.runtime import BuiltBlock, ChainSpec
from phalanx.runtime.chain_spec import EconomicsGenesis, GenesisConfig
from phalanx.runtime.modules.balances import declarations as balances_d
from phalanx.runtime.modules.democracy.genesis_config import DemocracyConfig
from phalanx.runtime.modules.session.genesis_config import SessionConfig
from phalanx.runtime.modules.staking.genesis_config import Staker, StakingConfig
from phalanx.runtime.modules.system.declarations import TREASURY_ACCOUNT
from phalanx.runtime.state import State
from phalanx.storage import Database
from tests.support.runtime_testchain import Chain

PHA = 10**12
KEYS = {name: Keypair.from_suri(f"//{name}") for name in ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie")}
REST = Keypair.from_suri("//Rest").public_key


def account(name: str) -> bytes:
    return KEYS[name].public_key


def spec(
    balances: dict[str, int],
    total: int,
    *,
    stakers: Sequence[Staker] = (),
    staking: dict[str, Any] | None = None,
    session_length: int = 2,
    democracy: dict[str, Any] | None = None,
    sudo: bool = True,
) -> ChainSpec:
    """A chain whose balances sum exactly to `total` (the rest to one account), Alice as dev authority."""
    endowed = [(account(n), v) for n, v in balances.items()] + [(TREASURY_ACCOUNT, PHA)]
    endowed.append((REST, total - sum(v for _, v in endowed)))
    economics = EconomicsGenesis(
        replace(
            StakingConfig(sessions_per_era=1, bonding_duration=2, stakers=tuple(stakers)), **(staking or {})
        ),
        SessionConfig(session_length),
        replace(DemocracyConfig(), **(democracy or {})),
    )
    genesis = GenesisConfig(
        tuple(endowed),
        sudo_key=account("Alice") if sudo else None,
        dev_authority=account("Alice"),
        economics=economics,
    )
    return ChainSpec("econ test", "econ_test", "Development", genesis)


def issuance(rt: Blockchain) -> int:
    return int(balances_d.TotalIssuance.get(State(rt.state_at(None))))


def expected_issuance_delta(rt: Blockchain) -> int:
    """Minted rewards and treasury remainders, minus burned dust and slashed reserves, of the best block."""
    delta = 0
    for e in rt.events():
        if (e.module, e.name) == ("Staking", "Rewarded"):
            delta += e.fields["amount"]
        elif (e.module, e.name) == ("Staking", "EraPaid"):
            delta += e.fields["remainder"]
        elif (e.module, e.name) in (("Balances", "DustLost"), ("Balances", "Slashed")):
            delta -= e.fields["amount"]
    return delta


class EconChain(Chain):
    """`Chain` that also checks, after every block, that issuance moved only by minting and burning."""

    def block(self, xts: Sequence[bytes] = (), commit: bool = True) -> BuiltBlock:
        before = issuance(self.rt)
        built = super().block(xts, commit)
        if commit:
            assert issuance(self.rt) - before == expected_issuance_delta(self.rt)
            failed = [e.fields for e in self.rt.events() if e.name == "ExtrinsicFailed"]
            self.last_failures = failed
        return built

    def state(self) -> State:
        return State(self.rt.state_at(None))

    def submit(self, who: str, module: str, function: str, **args: Any) -> bytes:
        return self.sign(KEYS[who], self.call(module, function, **args))


def open_chain(chain_spec: ChainSpec) -> tuple[EconChain, Database]:
    db = Database.temporary()
    return EconChain(Blockchain(db, chain_spec)), db
