"""`phalanx transfer`: sign a balance transfer, submit it, wait for finalization, show its events."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from phalanx.cli.account import resolve_account
from phalanx.cli.common import DEFAULT_RPC, RpcOption, console, format_pha, parse_pha, run
from phalanx.client.rpc import RpcClient
from phalanx.client.tx import (
    Finalized,
    compose_signed_extrinsic,
    encode_transfer_call,
    fetch_chain_context,
    next_nonce,
    submit_and_wait_finalized,
)
from phalanx.crypto.errors import CryptoError
from phalanx.crypto.keys import Keypair
from phalanx.errors import PhalanxError
from phalanx.primitives.ss58 import ss58_encode
from phalanx.runtime.modules.system import declarations as system_d

EVENTS_KEY = system_d.Events.key


def balances_call_indices() -> tuple[int, dict[str, int]]:
    """The Balances module index and its call indices, from the runtime's declarations."""
    from phalanx.runtime.modules.balances.calls import CALLS
    from phalanx.runtime.modules.balances.declarations import INDEX

    return INDEX, {call.name: call.index for call in CALLS}


def describe_events(raw: bytes, extrinsic_index: int | None) -> list[str]:
    """One line per event of the extrinsic, decoded with the runtime's event codec."""
    from phalanx.runtime.runtime import decode_events

    try:
        records = decode_events(raw)
    except PhalanxError as error:  # a runtime of another version: say so rather than fail
        return [f"(events not decoded: {error.message})"]
    lines = []
    for record in records:
        if extrinsic_index is not None and record.phase != ("ApplyExtrinsic", extrinsic_index):
            continue
        lines.append(f"{record.module}.{record.name} {_render(record.fields)}")
    return lines


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


async def submit_finalized(rpc: str, signer: Keypair, call: bytes) -> tuple[Finalized, bytes]:
    """Sign `call` with the next nonce, submit it, wait for finalization; also the block's encoded events."""
    async with RpcClient.connect(rpc) as client:
        chain = await fetch_chain_context(client)
        nonce = await next_nonce(client, signer.public_key)
        xt = compose_signed_extrinsic(signer, call, nonce, chain)
        with console.status("waiting for finalization…"):
            done = await submit_and_wait_finalized(client, xt)
        block = "0x" + done.block_hash.hex()
        raw = await client.request("state_getStorage", ["0x" + EVENTS_KEY.hex(), block])
        return done, bytes.fromhex(raw[2:]) if raw else b""


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
    pallet, calls = balances_call_indices()
    call_name = "transfer_keep_alive" if keep_alive else "transfer_allow_death"
    call = encode_transfer_call(pallet, calls[call_name], receiver, planck)

    done, events = run(submit_finalized(rpc, signer, call))
    xt_hash, block, index = "0x" + done.extrinsic_hash.hex(), "0x" + done.block_hash.hex(), done.index
    sender_address, receiver_address = ss58_encode(signer.public_key), ss58_encode(receiver)
    console.print(f"transferred {format_pha(planck)} from {sender_address} to {receiver_address}")
    console.print(f"extrinsic {xt_hash} finalized in block {block} (index {index})")
    for line in describe_events(events, index):
        console.print(f"  {line}")
