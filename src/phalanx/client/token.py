"""The private coin (built-in contract `token`) from a user's side: deposit, transfer, balance, withdraw.

    token = TokenClient(ConfidentialClient(rpc))
    await token.deposit(alice, 100 * PLANCK_PER_PHA)
    await token.transfer(alice, bob.public_key, 30 * PLANCK_PER_PHA, memo="rent")
    await token.balance(bob)                      # 30 PHA, read from a worker's signed answer

Every call that changes private state returns once the contract's workers have applied it, so a
following `balance` shows the result. Amounts are planck (1 PHA = 10^12 planck).

`withdraw` returns after the chain paid the public PHA back: the contract's egress (`Withdraw`
effect) is signed inside the enclave, submitted by a worker host, verified and executed by the chain,
which emits `Contracts.Withdrawn`.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from phalanx.client.confidential import (
    DEFAULT_APPLY_TIMEOUT_S,
    TOKEN_ID,
    ConfidentialClient,
    ConfidentialError,
    Included,
    NotApplied,
)
from phalanx.contracts import token
from phalanx.crypto import Keypair


class InsufficientPrivateBalance(ConfidentialError):
    """The private balance is below the amount; the command would be refused inside the contract."""

    code = 28


@dataclass(frozen=True)
class Withdrawal:
    """A withdrawal paid out on chain: the command's block and the block of the `Withdrawn` event."""

    command: Included
    paid_in_block: int


class TokenClient:
    """Operations on the private coin for accounts whose keys the caller holds."""

    def __init__(self, client: ConfidentialClient, contract_id: bytes = TOKEN_ID) -> None:
        self.client = client
        self.contract_id = contract_id

    async def balance(self, signer: Keypair, of: bytes | None = None, min_block: int = 0) -> int:
        """The signer's private balance (planck). Asking for another account (`of`) is refused by the
        contract (`QueryRefused`): only an account itself may read it."""
        payload = token.QUERIES.encode(token.Balance(of))
        answer = await self.client.query(signer, self.contract_id, payload, min_block=min_block)
        decoded = token.ANSWERS.decode(answer.payload)
        if not isinstance(decoded, token.AccountBalance):
            raise ConfidentialError("the contract answered a balance query with something else")
        return decoded.amount

    async def history(self, signer: Keypair, min_block: int = 0) -> tuple[token.HistoryEntry, ...]:
        """The signer's private history: deposits, transfers with their memos, withdrawals."""
        payload = token.QUERIES.encode(token.History())
        answer = await self.client.query(signer, self.contract_id, payload, min_block=min_block)
        decoded = token.ANSWERS.decode(answer.payload)
        if not isinstance(decoded, token.AccountHistory):
            raise ConfidentialError("the contract answered a history query with something else")
        return decoded.entries

    async def wait_applied(self, signer: Keypair, included: Included,
                           timeout: float = DEFAULT_APPLY_TIMEOUT_S) -> None:  # fmt: skip
        probe = token.QUERIES.encode(token.Balance(None))
        await self.client.wait_applied(signer, self.contract_id, probe, included.block_number, timeout)

    async def deposit(self, signer: Keypair, amount: int, wait: bool = True) -> Included:
        """Move `amount` public planck into the private coin, credited to the signer."""
        included = await self.client.deposit(signer, self.contract_id, amount)
        if wait:
            await self.wait_applied(signer, included)
        return included

    async def transfer(self, signer: Keypair, to: bytes, amount: int, memo: str = "",
                       wait: bool = True) -> Included:  # fmt: skip
        """Send `amount` privately to `to` with an optional memo (at most 256 UTF-8 bytes)."""
        if len(memo.encode()) > token.MAX_MEMO_LEN:
            raise ConfidentialError(f"a memo holds at most {token.MAX_MEMO_LEN} UTF-8 bytes")
        await self._check_funds(signer, amount)
        command = token.COMMANDS.encode(token.Transfer(to, amount, memo))
        included = await self.client.push_command(signer, self.contract_id, command)
        if wait:
            await self.wait_applied(signer, included)
        return included

    async def withdraw(self, signer: Keypair, amount: int,
                       timeout: float = DEFAULT_APPLY_TIMEOUT_S) -> Withdrawal:  # fmt: skip
        """Pay `amount` of the signer's private balance back to its public balance; returns once paid."""
        await self._check_funds(signer, amount)
        command = token.COMMANDS.encode(token.Withdraw(amount))
        included = await self.client.push_command(signer, self.contract_id, command)
        await self.wait_applied(signer, included, timeout)
        paid = await self.wait_withdrawn(signer.public_key, amount, included.block_number, timeout)
        return Withdrawal(included, paid)

    async def wait_withdrawn(self, to: bytes, amount: int, from_block: int,
                             timeout: float = DEFAULT_APPLY_TIMEOUT_S) -> int:  # fmt: skip
        """The number of the first block from `from_block` whose events pay `amount` to `to` out of the
        contract (`Contracts.Withdrawn`); raises `NotApplied` after `timeout` seconds."""
        chain = self.client.chain
        deadline = time.monotonic() + timeout
        number = from_block
        while True:
            head = await chain.get_block_number(await chain.get_finalized_head())
            while number <= head:
                block = await chain.get_block_hash(number)
                for record in await chain.get_events(block) if block is not None else ():
                    fields = record.fields
                    if (record.module, record.name) == ("Contracts", "Withdrawn") and (
                        fields["contract"], fields["to"], fields["amount"]
                    ) == (self.contract_id, to, amount):
                        return number
                number += 1
            if time.monotonic() >= deadline:
                raise NotApplied(f"no payout of the withdrawal by block #{number - 1} after {timeout:.0f} s")
            await asyncio.sleep(0.25)

    async def _check_funds(self, signer: Keypair, amount: int) -> None:
        if amount <= 0:
            raise ConfidentialError("an amount must be at least 1 planck")
        have = await self.balance(signer)
        if have < amount:
            raise InsufficientPrivateBalance(
                f"the private balance ({have} planck) is below the amount ({amount} planck)"
            )
