"""What `phalanx node` makes of CometBFT's answers when it hands an extrinsic to the mempool."""

from __future__ import annotations

from phalanx.node.cometbft import classify_broadcast_reply


def test_accepted_or_already_gossiped_stays_pooled() -> None:
    assert classify_broadcast_reply({"jsonrpc": "2.0", "id": 1, "result": {"code": 0, "log": ""}}) is None
    gossiped = {"error": {"code": -32603, "message": "Internal error", "data": "tx already exists in cache"}}
    assert classify_broadcast_reply(gossiped) is None


def test_checktx_refusal_is_invalid_with_its_log() -> None:
    status = classify_broadcast_reply({"result": {"code": 1010, "log": "Transaction is outdated"}})
    assert status is not None and status.kind == "invalid" and status.reason == "Transaction is outdated"


def test_other_failures_are_dropped() -> None:
    for reply in ({"error": {"code": -32603, "data": "mempool is full"}}, {"id": 1}, "garbage", None):
        status = classify_broadcast_reply(reply)
        assert status is not None and status.kind == "dropped"
