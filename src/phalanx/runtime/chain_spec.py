"""Chain specifications: the chain's name, token properties and genesis configuration.

Genesis supply is exactly 1,000,000,000 PHA (10**21 planck), allocated to five accounts derived like
Substrate's `PalletId` accounts (`b"modl" ++ id ++ zeros`); their SS58 (prefix 30) addresses:

    70%  mining reward pool               phx/mine  436H4jat7U3B1gNzgG2P8W3aQJQff5kqfe1HtrVJuFiaTkYh
     9%  stakedrop and parachain auction  phx/drop  436H4jat7U3B1QTY6U9fCcevVT9mV5tAj7caMpZquq7sa3wP
    15%  private sale                     phx/sale  436H4jat7U3B1rypwMBvL66sygysWy2BC12HJHKWpXyPR6s7
     5%  developers and community         phx/devc  436H4jat7U3B1QNKLNWLNTqVUZ5WBhwXvoPRh3haVoH5ghpU
     1%  incentives                       phx/incv  436H4jat7U3B1ZJxGocoVLANvURjWqtqFJHaduPSWuPsV3w8

The treasury account (`py/trsry`, 436H4jat8E3x6whTRudzJFuF1aFqkxmkYyQqNbh9C9EKhcz7) receives 1 PHA
out of the incentives share, so it exists (holds at least the existential deposit) from genesis and
fees of any size can flow into it. Development chains endow //Alice, //Bob, //Charlie, //Dave, //Eve
and //Ferdie (sr25519) with 1,000,000 PHA each out of the developers-and-community share, make
//Alice the sudo key and the dev authority (which signs the dev engine's finality proofs). The total
stays exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from phalanx.crypto import Keypair
from phalanx.primitives.ss58 import parse_account, ss58_encode
from phalanx.runtime.errors import GenesisError
from phalanx.runtime.framework import pallet_account
from phalanx.runtime.modules.balances.declarations import EXISTENTIAL_DEPOSIT, PHA
from phalanx.runtime.modules.contracts.genesis_config import ContractsGenesis
from phalanx.runtime.modules.democracy.genesis_config import DemocracyConfig
from phalanx.runtime.modules.registry.genesis_config import RegistryGenesis
from phalanx.runtime.modules.session.genesis_config import SessionConfig
from phalanx.runtime.modules.staking.genesis_config import StakingConfig
from phalanx.runtime.modules.system.declarations import TREASURY_ACCOUNT

TOTAL_SUPPLY = 1_000_000_000 * PHA
DEV_ACCOUNTS = ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie")
DEV_ENDOWMENT = 1_000_000 * PHA
TREASURY_ENDOWMENT = PHA

ALLOCATIONS: tuple[tuple[str, bytes, int], ...] = (
    ("mining reward pool", b"phx/mine", 70),
    ("stakedrop and parachain auction", b"phx/drop", 9),
    ("private sale", b"phx/sale", 15),
    ("developers and community", b"phx/devc", 5),
    ("incentives", b"phx/incv", 1),
)
"""(purpose, pallet id, percent of the total supply)."""


def allocation_account(pallet_id: bytes) -> bytes:
    return pallet_account(pallet_id)


@dataclass(frozen=True)
class EconomicsGenesis:
    """The genesis configurations of the economics modules, which a chain spec keeps together under
    `"economics"` (each module's own is in its `genesis_config`)."""

    staking: StakingConfig = field(default_factory=StakingConfig)
    session: SessionConfig = field(default_factory=SessionConfig)
    democracy: DemocracyConfig = field(default_factory=DemocracyConfig)

    def check(self) -> None:
        """Raise GenesisError for parameters the modules cannot run with."""
        self.staking.check()
        self.session.check()
        self.democracy.check()

    def to_json(self) -> dict[str, Any]:
        return {
            "staking": self.staking.to_json(),
            "session": self.session.to_json(),
            "democracy": self.democracy.to_json(),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any] | None) -> EconomicsGenesis:
        if not d:
            return cls()
        try:
            staking = StakingConfig.from_json(d.get("staking") or {})
            session = SessionConfig.from_json(d.get("session") or {})
            democracy = DemocracyConfig.from_json(d.get("democracy") or {})
        except (KeyError, TypeError, ValueError) as exc:
            raise GenesisError(f"malformed economics genesis: {exc}") from None
        return cls(staking, session, democracy)


@dataclass(frozen=True)
class GenesisConfig:
    """Everything block 0 contains. `sudo_key` None disables Sudo; `dev_authority` signs dev-engine blocks."""

    balances: tuple[tuple[bytes, int], ...]
    sudo_key: bytes | None = None
    dev_authority: bytes | None = None
    timestamp_ms: int = 0
    economics: EconomicsGenesis = field(default_factory=EconomicsGenesis)
    registry: RegistryGenesis = field(default_factory=RegistryGenesis)
    contracts: ContractsGenesis = field(default_factory=ContractsGenesis)
    validators: tuple[tuple[bytes, int], ...] = ()
    """CometBFT's genesis validators: (ed25519 consensus key, voting power); empty under the dev engine."""

    def total(self) -> int:
        return sum(amount for _, amount in self.balances)

    def check(self) -> None:
        """Raise GenesisError unless every balance reaches the ED, accounts are unique, keys are 32 bytes."""
        seen = set()
        for who, amount in self.balances:
            if len(who) != 32:
                raise GenesisError("genesis accounts are 32 bytes")
            if who in seen:
                raise GenesisError(f"account {ss58_encode(who)} is endowed twice")
            seen.add(who)
            if amount < EXISTENTIAL_DEPOSIT:
                raise GenesisError(f"account {ss58_encode(who)} gets {amount}, below the existential deposit")
        for key in (self.sudo_key, self.dev_authority):
            if key is not None and len(key) != 32:
                raise GenesisError("sudo and authority keys are 32 bytes")

    def to_json(self) -> dict[str, Any]:
        return {
            "balances": [[ss58_encode(who), amount] for who, amount in self.balances],
            "sudoKey": None if self.sudo_key is None else ss58_encode(self.sudo_key),
            "devAuthority": None if self.dev_authority is None else "0x" + self.dev_authority.hex(),
            "timestamp": self.timestamp_ms,
            "economics": self.economics.to_json(),
            "registry": self.registry.to_json(),
            "contracts": self.contracts.to_json(),
            "validators": [["0x" + key.hex(), power] for key, power in self.validators],
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> GenesisConfig:
        try:
            return cls(
                balances=tuple((parse_account(who), int(amount)) for who, amount in d["balances"]),
                sudo_key=None if d.get("sudoKey") is None else parse_account(d["sudoKey"]),
                dev_authority=None if d.get("devAuthority") is None else bytes.fromhex(d["devAuthority"][2:]),
                timestamp_ms=int(d.get("timestamp", 0)),
                economics=EconomicsGenesis.from_json(d.get("economics")),
                registry=RegistryGenesis.from_json(d.get("registry") or {}),
                contracts=ContractsGenesis.from_json(d.get("contracts") or {}),
                validators=tuple(
                    (bytes.fromhex(str(key).removeprefix("0x")), int(power))
                    for key, power in d.get("validators") or ()
                ),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise GenesisError(f"malformed genesis config: {exc}") from None


def standard_allocation(dev_accounts: tuple[bytes, ...] = ()) -> tuple[tuple[bytes, int], ...]:
    """The five genesis shares; `dev_accounts` and the treasury are carved out of shares as documented."""
    balances: list[tuple[bytes, int]] = []
    for _purpose, pallet_id, percent in ALLOCATIONS:
        amount = TOTAL_SUPPLY * percent // 100
        if pallet_id == b"phx/devc":
            amount -= DEV_ENDOWMENT * len(dev_accounts)
        if pallet_id == b"phx/incv":
            amount -= TREASURY_ENDOWMENT
        balances.append((pallet_account(pallet_id), amount))
    balances.append((TREASURY_ACCOUNT, TREASURY_ENDOWMENT))
    balances.extend((who, DEV_ENDOWMENT) for who in dev_accounts)
    return tuple(balances)


@dataclass(frozen=True)
class ChainSpec:
    name: str
    id: str
    chain_type: str
    genesis: GenesisConfig
    properties: dict[str, Any] = field(
        default_factory=lambda: {"ss58Format": 30, "tokenDecimals": 12, "tokenSymbol": "PHA"}
    )

    @classmethod
    def development(cls) -> ChainSpec:
        """//Alice..//Ferdie endowed from the developers share; sudo and dev authority //Alice."""
        return cls._dev("phalanx dev", "phalanx_dev", "Development")

    @classmethod
    def local(cls) -> ChainSpec:
        return cls._dev("phalanx local", "phalanx_local", "Local")

    @classmethod
    def _dev(cls, name: str, id_: str, chain_type: str) -> ChainSpec:
        accounts = tuple(Keypair.from_suri(f"//{n}").public_key for n in DEV_ACCOUNTS)
        genesis = GenesisConfig(
            standard_allocation(accounts), sudo_key=accounts[0], dev_authority=accounts[0]
        )
        return cls(name, id_, chain_type, genesis)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "id": self.id,
            "chainType": self.chain_type,
            "properties": dict(self.properties),
            "genesis": self.genesis.to_json(),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ChainSpec:
        try:
            return cls(
                d["name"],
                d["id"],
                d["chainType"],
                GenesisConfig.from_json(d["genesis"]),
                dict(d.get("properties") or {}),
            )
        except (KeyError, TypeError) as exc:
            raise GenesisError(f"malformed chain spec: {exc}") from None
