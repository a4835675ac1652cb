"""Contracts: confidential contract instances, their workers, encrypted commands, deposits and egress.

Rules:
- A built-in contract (`phalanx.contracts`) is deployed at genesis or by root; its id is
  `compute_builtin_id(name)`, its public PHA sit in `logic.compute_contract_account(id)`.
- Each contract runs on up to `REPLICAS` registered workers, assigned when it is deployed and when
  workers register (the Registry's new-worker listener, wired in assembly); `logic.unassign_worker`
  (for the availability module) moves it elsewhere.
- `push_command(contract_id, ciphertext)`: the chain never sees plaintext; it queues the ciphertext
  for enclaves in `Mq.InboundMessages` with the signer as origin, and emits only
  `CommandPushed { contract, sender, sequence }`.
- `deposit(contract_id, amount)`: public PHA into the contract account and a chain-origin `Deposit`
  command; `Withdraw` effects from the contract's verified egress (routed by Mq to `routes`) pay
  back out.
Storage layout: see `declarations`.
"""

from __future__ import annotations

from phalanx.runtime.framework import Context, Module
from phalanx.runtime.modules.contracts import declarations as d
from phalanx.runtime.modules.contracts import logic
from phalanx.runtime.modules.contracts.calls import CALLS
from phalanx.runtime.modules.contracts.genesis_config import ContractsGenesis
from phalanx.runtime.modules.system import logic as system
from phalanx.runtime.state import State


def genesis(ctx: Context, config: ContractsGenesis) -> None:
    for name in config.builtins:
        logic.instantiate_builtin(ctx, name)


def invariants(state: State) -> list[str]:
    """Every contract account is empty or holds at least the ED; assignments are unique and bounded."""
    problems = []
    for contract_id, instance in d.Instances.iter(state):
        held = system.get_account(state, instance.account)
        if 0 < held.free + held.reserved < logic.ED:
            problems.append(f"contract 0x{contract_id.hex()} account holds less than the ED")
        assigned = d.Assignments.get(state, contract_id)
        if len(set(assigned)) != len(assigned) or len(assigned) > d.REPLICAS:
            problems.append(f"contract 0x{contract_id.hex()} has a bad assignment list")
    return problems


MODULE = Module.from_declarations(
    d, CALLS, genesis=lambda ctx, config: genesis(ctx, config.contracts), invariants=invariants,
)

__all__ = ["MODULE", "ContractsGenesis", "genesis", "invariants"]
