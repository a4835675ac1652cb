"""Shared pieces of the CLI: the `--rpc` option, amounts in PHA, error display, running async code."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from phalanx.client.rpc import DEFAULT_RPC_URL
from phalanx.errors import PhalanxError

T = TypeVar("T")

PHA_DECIMALS = 12
PLANCK_PER_PHA = 10**PHA_DECIMALS

console = Console(highlight=False)
error_console = Console(stderr=True, highlight=False)

RpcOption = Annotated[str, typer.Option("--rpc", help="WebSocket URL of the node's JSON-RPC.")]
DEFAULT_RPC = DEFAULT_RPC_URL


def parse_pha(text: str) -> int:
    """'1.5' PHA -> planck. Refuses negative amounts and more than 12 decimals."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise typer.BadParameter(f"{text!r} is not a decimal amount of PHA") from None
    if not value.is_finite() or value < 0:
        raise typer.BadParameter("the amount must be a non-negative number of PHA")
    planck = value * PLANCK_PER_PHA
    if planck != planck.to_integral_value():
        raise typer.BadParameter("PHA has 12 decimals; the amount has more")
    return int(planck)


def format_pha(planck: int) -> str:
    whole, fraction = divmod(planck, PLANCK_PER_PHA)
    text = f"{whole:,}"
    if fraction:
        text += "." + f"{fraction:012d}".rstrip("0")
    return f"{text} PHA"


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine`; typed phalanx errors become a one-line message and exit code 1."""
    try:
        return asyncio.run(coroutine)
    except PhalanxError as error:
        error_console.print(f"[red]error:[/red] {error.message}")
        raise typer.Exit(1) from None
