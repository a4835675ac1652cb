"""`phalanx account`: create and inspect keys, read balances."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from phalanx.cli.common import DEFAULT_RPC, RpcOption, console, format_pha, run
from phalanx.client.chain import Chain
from phalanx.client.rpc import RpcClient
from phalanx.crypto.errors import CryptoError
from phalanx.crypto.keys import Keypair, KeyType, generate_mnemonic
from phalanx.primitives.ss58 import SS58_PREFIX, InvalidAddress, parse_account, ss58_encode

app = typer.Typer(help="Create and inspect account keys; read balances.", no_args_is_help=True)

SCHEMES = {"sr25519": KeyType.SR25519, "ed25519": KeyType.ED25519}


def resolve_account(text: str) -> bytes:
    """An account id from an SS58 address, 0x-hex public key, or a secret URI (e.g. //Alice)."""
    try:
        return parse_account(text)
    except InvalidAddress:
        pass
    try:
        return Keypair.from_suri(text).public_key
    except CryptoError:
        raise typer.BadParameter(f"{text!r} is neither an address nor a secret URI") from None


def _key_table(title: str, rows: list[tuple[str, str]]) -> Table:
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for name, value in rows:
        table.add_row(name, value)
    return table


@app.command()
def new(
    scheme: Annotated[str, typer.Option(help="Signature scheme: sr25519 or ed25519.")] = "sr25519",
    words: Annotated[int, typer.Option(help="Mnemonic length: 12, 15, 18, 21 or 24 words.")] = 12,
) -> None:
    """Generate a new key: prints its mnemonic (keep it secret), SS58 address (prefix 30) and public key."""
    if scheme not in SCHEMES:
        raise typer.BadParameter("the scheme is sr25519 or ed25519", param_hint="--scheme")
    mnemonic = generate_mnemonic(words)
    pair = Keypair.from_mnemonic(mnemonic, SCHEMES[scheme])
    console.print(_key_table("new account", [
        ("mnemonic", mnemonic),
        ("scheme", scheme),
        ("address (SS58 30)", ss58_encode(pair.public_key, SS58_PREFIX)),
        ("public key", "0x" + pair.public_key.hex()),
    ]))


@app.command()
def inspect(
    key: Annotated[str, typer.Argument(help="A secret URI (//Alice, a mnemonic, 0x-seed) or an address.")],
    scheme: Annotated[str, typer.Option(help="Signature scheme for a secret URI.")] = "sr25519",
) -> None:
    """Show the address and public key of a secret URI, or decode an address."""
    if scheme not in SCHEMES:
        raise typer.BadParameter("the scheme is sr25519 or ed25519", param_hint="--scheme")
    rows: list[tuple[str, str]]
    try:
        public = parse_account(key)
        rows = [("public key", "0x" + public.hex())]
    except InvalidAddress:
        try:
            public = Keypair.from_suri(key, SCHEMES[scheme]).public_key
        except CryptoError as error:
            raise typer.BadParameter(f"neither an address nor a usable secret URI: {error.message}") from None
        rows = [("scheme", scheme), ("public key", "0x" + public.hex())]
    rows.append(("address (SS58 30)", ss58_encode(public, SS58_PREFIX)))
    rows.append(("generic (SS58 42)", ss58_encode(public, 42)))
    console.print(_key_table("account", rows))


async def fetch_account_info(rpc: RpcClient, account: bytes,
                             at: bytes | None = None) -> tuple[int, int, int, int]:
    """(nonce, free, reserved, frozen) of an account; zeros if it does not exist."""
    info = await Chain(rpc).read("System", "Account", account, at=at)
    return info.nonce, info.free, info.reserved, info.frozen


@app.command()
def balance(
    account: Annotated[str, typer.Argument(help="SS58 address, 0x public key or secret URI.")],
    rpc: RpcOption = DEFAULT_RPC,
) -> None:
    """Show an account's free, reserved and frozen balance and its nonce."""
    who = resolve_account(account)

    async def main() -> tuple[int, int, int, int]:
        async with RpcClient.connect(rpc) as client:
            return await fetch_account_info(client, who)

    nonce, free, reserved, frozen = run(main())
    console.print(_key_table(ss58_encode(who), [
        ("free", format_pha(free)), ("reserved", format_pha(reserved)), ("frozen", format_pha(frozen)),
        ("nonce", str(nonce)),
    ]))
