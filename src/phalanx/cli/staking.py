"""`phalanx staking`, `phalanx gov` and `phalanx treasury`: stake, vote and read the chain's economics.

Each command that changes the chain signs one extrinsic with `--from`, submits it over `--rpc`,
waits for finalization and prints its events; status commands read storage and decode it with the
runtime's own declarations.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from phalanx.cli.account import resolve_account
from phalanx.cli.common import DEFAULT_RPC, RpcOption, console, format_pha, parse_pha, run
from phalanx.cli.transfer import describe_events, submit_finalized
from phalanx.client.chain import Chain, build_call, compose_call
from phalanx.client.rpc import RpcClient
from phalanx.crypto.errors import CryptoError
from phalanx.crypto.keys import Keypair
from phalanx.economics.voting import Conviction
from phalanx.primitives.ss58 import ss58_encode
from phalanx.runtime.framework import StorageMap, StorageValue

staking_app = typer.Typer(help="Bond PHA, validate or nominate, claim era rewards.", no_args_is_help=True)
gov_app = typer.Typer(help="Public proposals and referenda with conviction voting.", no_args_is_help=True)
treasury_app = typer.Typer(help="The treasury's balance and spends.", no_args_is_help=True)

FromOption = Annotated[str, typer.Option("--from", help="Secret URI of the signer, e.g. //Alice.")]


def _signer(suri: str) -> Keypair:
    try:
        return Keypair.from_suri(suri)
    except CryptoError as error:
        raise typer.BadParameter(f"not a usable secret URI: {error.message}", param_hint="--from") from None


def send(rpc: str, suri: str, module: str, function: str, **args: Any) -> None:
    """Sign `module.function(**args)` with `suri`, submit it, wait for finalization, print its events."""
    signer = _signer(suri)
    call = compose_call(module, function, **args)

    receipt = run(submit_finalized(rpc, signer, call))
    console.print(f"{module}.{function} finalized in block 0x{receipt.block_hash.hex()}")
    for line in describe_events(receipt):
        console.print(f"  {line}")


def read(rpc: str, items: list[tuple[StorageValue | StorageMap, Any]]) -> list[Any]:
    """Decoded values of storage items (maps with their key) at the best block."""

    async def main() -> list[Any]:
        out = []
        async with RpcClient.connect(rpc) as client:
            chain = Chain(client)
            for item, key in items:
                out.append(await (chain.get_value(item) if isinstance(item, StorageValue)
                                  else chain.get_entry(item, key)))  # fmt: skip
        return out

    return run(main())


# -- staking -------------------------------------------------------------------------------------------


@staking_app.command()
def bond(
    amount: Annotated[str, typer.Argument(help="PHA to bond")],
    source: FromOption,
    rpc: RpcOption = DEFAULT_RPC,
) -> None:
    """Bond PHA (or add to an existing bond)."""
    from phalanx.runtime.modules.staking import declarations as d

    stash = _signer(source).public_key
    (ledger,) = read(rpc, [(d.Ledger, stash)])
    if ledger is None:
        send(rpc, source, "Staking", "bond", value=parse_pha(amount))
    else:
        send(rpc, source, "Staking", "bond_extra", max_additional=parse_pha(amount))


@staking_app.command()
def validate(
    source: FromOption,
    commission: Annotated[float, typer.Option(help="Commission in percent.")] = 0.0,
    rpc: RpcOption = DEFAULT_RPC,
) -> None:
    """Offer to validate, keeping `--commission` percent of each era's reward first."""
    if not 0 <= commission <= 100:
        raise typer.BadParameter("a commission is 0..100 percent", param_hint="--commission")
    send(
        rpc, source, "Staking", "validate", prefs={"commission": round(commission * 10**7), "blocked": False}
    )


@staking_app.command()
def nominate(
    targets: Annotated[list[str], typer.Argument(help="Validator addresses")],
    source: FromOption,
    rpc: RpcOption = DEFAULT_RPC,
) -> None:
    """Nominate validator candidates with the bonded stake."""
    send(rpc, source, "Staking", "nominate", targets=[("Id", resolve_account(t)) for t in targets])


@staking_app.command()
def chill(source: FromOption, rpc: RpcOption = DEFAULT_RPC) -> None:
    """Stop validating or nominating; a validator leaves the set at the next era."""
    send(rpc, source, "Staking", "chill")


@staking_app.command("set-keys")
def set_keys(
    key_file: Annotated[
        Path, typer.Argument(help="The node's CometBFT consensus key file (priv_validator_key.json)")
    ],
    source: FromOption,
    rpc: RpcOption = DEFAULT_RPC,
) -> None:
    """Register the stash's consensus key (signed by that key); it takes effect when the stash is elected."""
    from phalanx.localnet.cometbft.keys import read_key_file
    from phalanx.runtime.modules import session

    try:
        key = read_key_file(key_file)
    except (OSError, KeyError, ValueError, TypeError) as error:
        raise typer.BadParameter(f"not a CometBFT key file: {error}", param_hint="KEY_FILE") from None
    proof = key.sign(session.keys_proof_message(_signer(source).public_key))
    send(rpc, source, "Session", "set_keys", keys={"consensus": key.public_key}, proof=proof)


@staking_app.command()
def unbond(
    amount: Annotated[str, typer.Argument(help="PHA to unbond")],
    source: FromOption,
    rpc: RpcOption = DEFAULT_RPC,
) -> None:
    """Schedule PHA to unlock after the bonding duration; `withdraw` later with `phalanx staking withdraw`."""
    send(rpc, source, "Staking", "unbond", value=parse_pha(amount))


@staking_app.command()
def withdraw(source: FromOption, rpc: RpcOption = DEFAULT_RPC) -> None:
    """Unlock unbonded PHA whose bonding duration has passed."""
    send(rpc, source, "Staking", "withdraw_unbonded")


@staking_app.command()
def payout(
    validator: Annotated[str, typer.Argument(help="Validator stash address")],
    era: Annotated[int, typer.Argument(help="A finished era")],
    source: FromOption,
    rpc: RpcOption = DEFAULT_RPC,
) -> None:
    """Pay a validator and its nominators for a finished era (anyone may)."""
    send(rpc, source, "Staking", "payout_stakers", validator_stash=resolve_account(validator), era=era)


@staking_app.command()
def status(
    account: Annotated[str | None, typer.Argument(help="Show this stash's ledger too.")] = None,
    rpc: RpcOption = DEFAULT_RPC,
) -> None:
    """The active era, its validators and total stake; a stash's bond and role."""
    from phalanx.runtime.modules.staking import declarations as d

    (active,) = read(rpc, [(d.ActiveEra, None)])
    if active is None:
        console.print("staking has no active era")
        return
    era = active.index
    elected, total, count = read(
        rpc, [(d.ErasElected, era), (d.ErasTotalStake, era), (d.ValidatorCount, None)]
    )
    console.print(f"era {era}: {len(elected)} of {count} validators, {format_pha(total)} at stake")
    for stash in elected:
        console.print(f"  {ss58_encode(stash)}")
    if account is not None:
        who = resolve_account(account)
        ledger, prefs, nominations = read(rpc, [(d.Ledger, who), (d.Validators, who), (d.Nominators, who)])
        if ledger is None:
            console.print(f"{ss58_encode(who)} has nothing bonded")
            return
        role = "validator" if prefs else "nominator" if nominations else "idle"
        console.print(
            f"{ss58_encode(who)}: {role}, bonded {format_pha(ledger.total)}, "
            f"active {format_pha(ledger.active)}"
        )
        for chunk in ledger.unlocking:
            console.print(f"  unlocking {format_pha(chunk.value)} at era {chunk.era}")


# -- governance ----------------------------------------------------------------------------------------


@gov_app.command()
def propose(
    call: Annotated[str, typer.Argument(help="Module.function, e.g. Staking.set_validator_count")],
    deposit: Annotated[str, typer.Argument(help="Deposit in PHA")],
    source: FromOption,
    args: Annotated[
        str, typer.Option(help="Arguments as JSON, e.g. '{\"new\": 7}'; addresses as SS58.")
    ] = "{}",
    rpc: RpcOption = DEFAULT_RPC,
) -> None:
    """Propose a call for a referendum (dispatched as root if approved)."""
    from phalanx.runtime.assembly import CALLS
    from phalanx.runtime.types import MULTI_ADDRESS

    module, _, function = call.partition(".")
    try:
        values = json.loads(args)
        decl = CALLS.by_name[(module, function)][1]
    except (json.JSONDecodeError, KeyError):
        raise typer.BadParameter(f"unknown call {call!r} or arguments that are not JSON") from None
    for f in decl.args:
        if f.codec is MULTI_ADDRESS and isinstance(values.get(f.name), str):
            values[f.name] = ("Id", resolve_account(values[f.name]))
    send(
        rpc,
        source,
        "Democracy",
        "propose",
        proposal=build_call(module, function, **values),
        value=parse_pha(deposit),
    )


@gov_app.command()
def second(
    proposal: Annotated[int, typer.Argument(help="Proposal index")],
    source: FromOption,
    rpc: RpcOption = DEFAULT_RPC,
) -> None:
    """Second a public proposal (reserves the same deposit)."""
    send(rpc, source, "Democracy", "second", proposal=proposal)


@gov_app.command()
def vote(
    referendum: Annotated[int, typer.Argument(help="Referendum index")],
    choice: Annotated[str, typer.Argument(help="aye or nay")],
    amount: Annotated[str, typer.Argument(help="PHA to vote (and lock)")],
    source: FromOption,
    conviction: Annotated[int, typer.Option(help="0 (0.1x, no lock) or 1..6 (locks 1..32 periods)")] = 1,
    rpc: RpcOption = DEFAULT_RPC,
) -> None:
    """Vote in a referendum with a conviction."""
    from phalanx.runtime.modules.democracy.logic import encode_vote

    if choice not in ("aye", "nay") or not 0 <= conviction <= 6:
        raise typer.BadParameter("vote aye or nay with a conviction of 0..6")
    packed = encode_vote(choice == "aye", Conviction(conviction))
    send(
        rpc,
        source,
        "Democracy",
        "vote",
        ref_index=referendum,
        vote=("Standard", {"vote": packed, "balance": parse_pha(amount)}),
    )


@gov_app.command()
def referenda(rpc: RpcOption = DEFAULT_RPC) -> None:
    """List referenda with their state and tally, and the waiting proposals."""
    from phalanx.runtime.modules.democracy import declarations as d

    count, props = read(rpc, [(d.ReferendumCount, None), (d.PublicProps, None)])
    infos = read(rpc, [(d.ReferendumInfoOf, i) for i in range(count)])
    for index, info in enumerate(infos):
        if info is None:
            continue
        kind, body = info
        if kind == "Ongoing":
            t = body["tally"]
            console.print(
                f"#{index} ongoing until block {body['end']}: {body['proposal'].name} — "
                f"ayes {format_pha(t.ayes)}, nays {format_pha(t.nays)}, turnout {format_pha(t.turnout)}"
            )
        else:
            verdict = "approved" if body["approved"] else "rejected"
            console.print(f"#{index} {verdict} at block {body['end']}")
    for index, call, proposer in props:
        console.print(f"proposal #{index}: {call.name} by {ss58_encode(proposer)}")


# -- treasury ------------------------------------------------------------------------------------------


@treasury_app.command("status")
def treasury_status(rpc: RpcOption = DEFAULT_RPC) -> None:
    """The treasury's free balance and what it has paid out."""
    from phalanx.runtime.modules import treasury
    from phalanx.runtime.modules.system import declarations as system_d

    info, spends, spent = read(
        rpc, [(system_d.Account, treasury.ACCOUNT), (treasury.SpendCount, None), (treasury.TotalSpent, None)]
    )
    console.print(f"treasury {ss58_encode(treasury.ACCOUNT)}: {format_pha(info.free)}")
    console.print(f"{spends} spends, {format_pha(spent)} paid out")
