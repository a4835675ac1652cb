"""A stock substrate-interface 1.8.1 client against a real `phalanx dev` process."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.support.substrate_interface_checks import (
    check_genesis_totals_through_rpc,
    check_transfer_follow_to_finality_and_refusals,
)

if TYPE_CHECKING:
    from tests.support.dev_nodes import DevProcess

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]


def test_transfer_follow_to_finality_and_refusals(dev_node: DevProcess) -> None:
    check_transfer_follow_to_finality_and_refusals(dev_node.url)


def test_genesis_totals_through_rpc(dev_node: DevProcess) -> None:
    check_genesis_totals_through_rpc(dev_node.url)
