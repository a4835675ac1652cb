"""CLI commands that need no node: help texts, keys, amounts."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from phalanx.cli.common import format_pha, parse_pha
from phalanx.cli.main import app

runner = CliRunner()
ALICE_PUBLIC = "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"


@pytest.mark.parametrize("args", [[], ["dev"], ["account"], ["account", "new"], ["account", "inspect"],
                                  ["account", "balance"], ["transfer"], ["chain"], ["chain", "head"],
                                  ["chain", "block"]])
def test_help_everywhere(args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_account_new_and_inspect() -> None:
    result = runner.invoke(app, ["account", "new", "--scheme", "ed25519"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "mnemonic" in result.output and "public key" in result.output
    result = runner.invoke(app, ["account", "inspect", "//Alice"], env={"COLUMNS": "200"})
    assert "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY" in result.output
    assert ALICE_PUBLIC in result.output
    address = "45R2pfjQUW2s9PQRHU48HQKLKHVMaDja7N3wpBtmF28UYDs2"
    result = runner.invoke(app, ["account", "inspect", address], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and ALICE_PUBLIC in result.output
    result = runner.invoke(app, ["account", "new", "--scheme", "rsa"])
    assert result.exit_code != 0


def test_amounts() -> None:
    assert parse_pha("1.5") == 1_500_000_000_000
    assert parse_pha("0.000000000001") == 1
    for bad in ("-1", "abc", "0.0000000000001", "nan", "inf"):
        with pytest.raises(typer.BadParameter):
            parse_pha(bad)
    assert format_pha(1_500_000_000_000) == "1.5 PHA"
    assert format_pha(10**21) == "1,000,000,000 PHA"


def test_network_commands_fail_cleanly_without_a_node() -> None:
    result = runner.invoke(app, ["chain", "head", "--rpc", "ws://127.0.0.1:1"])
    assert result.exit_code == 1
    assert "cannot connect" in result.output
