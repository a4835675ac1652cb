"""`phalanx transfer`: sign a balance transfer, submit it, wait for finalization, show its events."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from phalanx.cli.account import resolve_account
from phalanx.cli.common import DEFAULT_RPC, RpcOption, console, format_pha, parse_pha, run
from phalanx.client.chain import Chain, Receipt, compose_call
from phalanx.client.rpc import RpcClient
from phalanx.crypto.errors import CryptoError
from phalanx.crypto.keys import Keypair
from phalanx.primitives.ss58 import ss58_encode


def describe_events(receipt: Receipt) -> list[str]:
    """One line per event of the extrinsic, decoded with the runtime's event codec."""
    if receipt.events_error is not None:  # a runtime of another version: say so rather than fail
        return [f"(events not decoded: {receipt.events_error})"]
    return [f"{record.module}.{record.name} {_render(record.fields)}" for record in receipt.events]


def _render(value: Any) -> str:
    if isinstance(value, bytes):
        return ss58_encode(value) if len(value) == 32 else "0x" + value.hex()
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_render(v)}" for k, v in value.items()) + "}"
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str) and value[1] is None:
        return value[0]  # an enum variant without fields
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(_render(v) for v in value) + ")"
    return str(value)


async def submit_finalized(rpc: str, signer: Keypair, call: bytes) -> Receipt:
    """Sign `call` with the next nonce, submit it, wait for finalization; the receipt holds its events."""
    async with RpcClient.connect(rpc) as client:
        with console.status("waiting for finalization…"):
            return await Chain(client).submit(signer, call)


def transfer(
    amount: Annotated[str, typer.Argument(help="Amount in PHA (decimal, up to 12 decimals), e.g. 1.5")],
    source: Annotated[str, typer.Option("--from", help="Secret URI of the sender, e.g. //Alice.")],
    dest: Annotated[str, typer.Option("--to", help="Receiver: SS58 address, 0x public key or secret URI.")],
    keep_alive: Annotated[bool, typer.Option("--keep-alive", help="Refuse if the sender would be reaped.")]
    = False,
    rpc: RpcOption = DEFAULT_RPC,
) -> None:
    """Transfer PHA: signs with --from, submits, waits for finalization and prints the events."""
    planck = parse_pha(amount)
    try:
        signer = Keypair.from_suri(source)
    except CryptoError as error:
        raise typer.BadParameter(f"not a usable secret URI: {error.message}", param_hint="--from") from None
    receiver = resolve_account(dest)
    call_name = "transfer_keep_alive" if keep_alive else "transfer_allow_death"
    call = compose_call("Balances", call_name, dest=("Id", receiver), value=planck)

    receipt = run(submit_finalized(rpc, signer, call))
    xt_hash, block = "0x" + receipt.extrinsic_hash.hex(), "0x" + receipt.block_hash.hex()
    sender_address, receiver_address = ss58_encode(signer.public_key), ss58_encode(receiver)
    console.print(f"transferred {format_pha(planck)} from {sender_address} to {receiver_address}")
    console.print(f"extrinsic {xt_hash} finalized in block {block} (index {receipt.index})")
    for line in describe_events(receipt):
        console.print(f"  {line}")
