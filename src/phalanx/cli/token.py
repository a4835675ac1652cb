"""`phalanx token`: the private coin. Deposit public PHA, transfer privately, read your balance, withdraw.

Amounts are PHA (up to 12 decimals). Transfers are encrypted to the contract's key: the chain, the
node and the worker hosts see neither amount, recipient nor memo. Commands that change private
state return once the contract's workers applied them, so a following `balance` shows the result.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer

from phalanx.cli.account import resolve_account
from phalanx.cli.common import DEFAULT_RPC, RpcOption, console, format_pha, parse_pha, run
from phalanx.client.confidential import ConfidentialClient
from phalanx.client.rpc import RpcClient
from phalanx.client.token import TokenClient
from phalanx.crypto.errors import CryptoError
from phalanx.crypto.keys import Keypair
from phalanx.primitives.ss58 import ss58_encode

T = TypeVar("T")

token_app = typer.Typer(help="The private coin: deposit, transfer, balance, withdraw.", no_args_is_help=True)

FromOption = Annotated[str, typer.Option("--from", help="Secret URI of the signing account, e.g. //Alice.")]


def _signer(suri: str, option: str) -> Keypair:
    try:
        return Keypair.from_suri(suri)
    except CryptoError as error:
        raise typer.BadParameter(f"not a usable secret URI: {error.message}", param_hint=option) from None


def _with_token(url: str, action: Callable[[TokenClient], Awaitable[T]]) -> T:
    async def main() -> T:
        async with RpcClient.connect(url) as rpc, ConfidentialClient(rpc) as client:
            return await action(TokenClient(client))

    return run(main())


@token_app.command()
def deposit(
    amount: Annotated[str, typer.Argument(help="Amount in PHA, e.g. 100")],
    source: FromOption,
    rpc: RpcOption = DEFAULT_RPC,
) -> None:
    """Move public PHA into the private coin; it is credited to --from."""
    planck, signer = parse_pha(amount), _signer(source, "--from")

    async def action(token: TokenClient) -> int:
        with console.status("depositing, waiting for the workers to apply it…"):
            included = await token.deposit(signer, planck)
        return included.block_number

    block = _with_token(rpc, action)
    address = ss58_encode(signer.public_key)
    console.print(f"deposited {format_pha(planck)} from {address} (block #{block})", soft_wrap=True)


@token_app.command()
def transfer(
    amount: Annotated[str, typer.Argument(help="Amount in PHA, e.g. 30.5")],
    source: FromOption,
    dest: Annotated[str, typer.Option("--to", help="Recipient: SS58 address, 0x public key or secret URI.")],
    memo: Annotated[str, typer.Option("--memo", help="Private note for sender and recipient.")] = "",
    rpc: RpcOption = DEFAULT_RPC,
) -> None:
    """Transfer private PHA; amount, recipient and memo are encrypted to the contract."""
    planck, signer, recipient = parse_pha(amount), _signer(source, "--from"), resolve_account(dest)

    async def action(token: TokenClient) -> int:
        with console.status("sending the encrypted transfer, waiting for the workers to apply it…"):
            included = await token.transfer(signer, recipient, planck, memo)
        return included.block_number

    block = _with_token(rpc, action)
    address = ss58_encode(recipient)
    console.print(f"transferred {format_pha(planck)} privately to {address} (block #{block})", soft_wrap=True)


@token_app.command()
def balance(
    asker: Annotated[str, typer.Option("--as", help="Secret URI of the account that signs the query.")],
    of: Annotated[
        str | None, typer.Option("--of", help="Account to read (default: the asker; others are refused).")
    ] = None,
    rpc: RpcOption = DEFAULT_RPC,
) -> None:
    """Read a private balance through a signed, encrypted query to a worker."""
    signer = _signer(asker, "--as")
    target = resolve_account(of) if of is not None else None

    async def action(token: TokenClient) -> int:
        return await token.balance(signer, target)

    amount = _with_token(rpc, action)
    address = ss58_encode(target or signer.public_key)
    console.print(f"{address}: {format_pha(amount)} (private)", soft_wrap=True)


@token_app.command()
def withdraw(
    amount: Annotated[str, typer.Argument(help="Amount in PHA, e.g. 10")],
    source: FromOption,
    rpc: RpcOption = DEFAULT_RPC,
) -> None:
    """Move private PHA back to the public balance of --from; returns once the chain paid it."""
    planck, signer = parse_pha(amount), _signer(source, "--from")

    async def action(token: TokenClient) -> int:
        with console.status("withdrawing, waiting for the payout on chain…"):
            withdrawal = await token.withdraw(signer, planck)
        return withdrawal.paid_in_block

    block = _with_token(rpc, action)
    address = ss58_encode(signer.public_key)
    console.print(f"withdrew {format_pha(planck)} to {address} (paid in block #{block})", soft_wrap=True)
