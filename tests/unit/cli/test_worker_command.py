"""`phalanx worker` is the one worker command line: the options the dev supervisor and the tests pass."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from phalanx.cli.main import app

runner = CliRunner()

OPTIONS = ("--node", "--base-path", "--platform-dir", "--account", "--dev-authority", "--cometbft-rpc",
           "--query-host", "--query-port", "--checkpoint-interval", "--log-level", "--gatekeeper")


def test_worker_help_lists_every_option() -> None:
    result = runner.invoke(app, ["worker", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for option in OPTIONS:
        assert re.search(rf"{option}\b", result.output), option


@pytest.mark.parametrize("args", [["--log-level", "loud"], ["--checkpoint-interval", "many"]])
def test_worker_refuses_bad_values(args: list[str]) -> None:
    result = runner.invoke(app, ["worker", *args], env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output


def test_worker_refuses_a_bad_key() -> None:
    result = runner.invoke(app, ["worker", "--dev-authority", "0xnothex"], env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
