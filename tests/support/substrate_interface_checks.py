"""What a stock substrate-interface 1.8.1 client must see of a phalanx chain, checked against a node URL.

Run against a `phalanx dev` process (`tests/integration/test_substrate_interface.py`) and against a
CometBFT validator (`tests/integration/test_cometbft_net_runtime.py`).
"""

from __future__ import annotations

from typing import Any

import pytest
from substrateinterface import Keypair, SubstrateInterface
from substrateinterface.exceptions import SubstrateRequestException

PHA = 10**12


def free_balance(substrate: SubstrateInterface, address: str) -> int:
    return int(substrate.query("System", "Account", [address]).value["data"]["free"])


def refusal(error: SubstrateRequestException) -> dict[str, Any]:
    detail = error.args[0]
    assert isinstance(detail, dict), detail
    return detail


def check_transfer_follow_to_finality_and_refusals(url: str) -> None:
    """A transfer followed to finality, a failing one that pays its fee, and three refused extrinsics."""
    substrate = SubstrateInterface(url=url, ss58_format=30)
    try:
        alice = Keypair.create_from_uri("//Alice", ss58_format=30)
        bob = Keypair.create_from_uri("//Bob", ss58_format=30)
        assert free_balance(substrate, alice.ss58_address) == 1_000_000 * PHA
        bob_before = free_balance(substrate, bob.ss58_address)

        call = substrate.compose_call("Balances", "transfer_keep_alive",
                                      {"dest": bob.ss58_address, "value": 5 * PHA})
        xt = substrate.create_signed_extrinsic(call=call, keypair=alice)
        receipt = substrate.submit_extrinsic(xt, wait_for_finalization=True)
        assert receipt.is_success, receipt.error_message
        events = [(e.value["module_id"], e.value["event_id"]) for e in receipt.triggered_events]
        assert ("Balances", "Transfer") in events
        assert free_balance(substrate, bob.ss58_address) == bob_before + 5 * PHA
        alice_after_first = free_balance(substrate, alice.ss58_address)
        assert alice_after_first == 1_000_000 * PHA - 5 * PHA - receipt.total_fee_amount

        too_much = substrate.compose_call("Balances", "transfer_keep_alive",
                                          {"dest": bob.ss58_address, "value": 10**9 * PHA})
        failing = substrate.create_signed_extrinsic(call=too_much, keypair=alice)
        failed = substrate.submit_extrinsic(failing, wait_for_finalization=True)
        assert not failed.is_success
        assert failed.error_message["name"] == "InsufficientBalance"
        assert free_balance(substrate, alice.ss58_address) == alice_after_first - failed.total_fee_amount
        assert free_balance(substrate, bob.ss58_address) == bob_before + 5 * PHA

        forged = substrate.create_signed_extrinsic(call=call, keypair=alice, signature="0x" + "11" * 64)
        with pytest.raises(SubstrateRequestException) as bad_signature:
            substrate.submit_extrinsic(forged, wait_for_finalization=True)
        assert refusal(bad_signature.value)["code"] == 1010
        assert refusal(bad_signature.value)["data"] == "Transaction has a bad signature"

        replayed = substrate.create_signed_extrinsic(call=call, keypair=alice, nonce=0)
        with pytest.raises(SubstrateRequestException) as outdated:
            substrate.submit_extrinsic(replayed, wait_for_finalization=True)
        assert refusal(outdated.value) == {"code": 1010, "message": "Invalid Transaction",
                                           "data": "Transaction is outdated"}
        with pytest.raises(SubstrateRequestException) as again:
            substrate.submit_extrinsic(xt, wait_for_finalization=True)  # the very same bytes
        assert refusal(again.value)["code"] in (1010, 1012)
    finally:
        substrate.close()


def check_genesis_totals_through_rpc(url: str) -> None:
    """The genesis issuance, its shares and the chain properties (run before any fee is paid)."""
    substrate = SubstrateInterface(url=url, ss58_format=30)
    try:
        total = 10**9 * PHA
        assert int(substrate.query("Balances", "TotalIssuance").value) == total
        accounts = {str(key.value): int(info.value["data"]["free"])
                    for key, info in substrate.query_map("System", "Account", page_size=100)}
        assert sum(accounts.values()) == total
        shares = {  # the five genesis shares (see the chain spec), dev endowments and treasury carved out
            "436H4jat7U3B1gNzgG2P8W3aQJQff5kqfe1HtrVJuFiaTkYh": total * 70 // 100,
            "436H4jat7U3B1QTY6U9fCcevVT9mV5tAj7caMpZquq7sa3wP": total * 9 // 100,
            "436H4jat7U3B1rypwMBvL66sygysWy2BC12HJHKWpXyPR6s7": total * 15 // 100,
            "436H4jat7U3B1QNKLNWLNTqVUZ5WBhwXvoPRh3haVoH5ghpU": total * 5 // 100 - 6 * 1_000_000 * PHA,
            "436H4jat7U3B1ZJxGocoVLANvURjWqtqFJHaduPSWuPsV3w8": total // 100 - PHA,
        }
        for address, amount in shares.items():
            assert accounts[address] == amount, address
        assert accounts["436H4jat8E3x6whTRudzJFuF1aFqkxmkYyQqNbh9C9EKhcz7"] == PHA  # treasury
        assert substrate.rpc_request("system_properties", [])["result"] == {
            "ss58Format": 30, "tokenDecimals": 12, "tokenSymbol": "PHA"}
    finally:
        substrate.close()
