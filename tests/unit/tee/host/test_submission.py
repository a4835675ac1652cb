"""The submitter names a failed call's error from the chain's events, and backs off between attempts."""

from __future__ import annotations

from phalanx.runtime.modules.mq import declarations as mq_d
from phalanx.runtime.modules.registry import declarations as registry_d
from phalanx.runtime.runtime import EventRecord
from phalanx.tee.host.submission import RetryPolicy, compute_extrinsic_failure, describe_dispatch_error


def failed(index: int, error: object) -> EventRecord:
    return EventRecord(("ApplyExtrinsic", index), "System", "ExtrinsicFailed",
                       {"dispatch_error": error, "dispatch_info": None})  # fmt: skip


def test_a_module_error_is_named_with_its_module_and_doc_line() -> None:
    error = registry_d.MeasurementNotAllowed("not allowed").dispatch_error()
    text = describe_dispatch_error(error)
    assert text.startswith("Registry.MeasurementNotAllowed")
    doc = (registry_d.MeasurementNotAllowed.__doc__ or "").strip().splitlines()
    assert not doc or text == f"Registry.MeasurementNotAllowed: {doc[0].strip()}"
    assert describe_dispatch_error(mq_d.OutOfOrder("x").dispatch_error()).split(":")[0] == "Mq.OutOfOrder"


def test_other_dispatch_errors_are_named_by_their_variant() -> None:
    assert describe_dispatch_error(("BadOrigin", None)) == "BadOrigin"
    assert describe_dispatch_error(("Module", {"index": 250, "error": b"\x01\x00\x00\x00"})) == (
        "module error 01 of pallet 250"
    )
    assert describe_dispatch_error(("Module", {"index": registry_d.INDEX, "error": b"\xee\x00\x00\x00"})) == (
        f"module error ee of pallet {registry_d.INDEX}"
    )


def test_the_failure_of_one_extrinsic_is_read_from_the_block_events() -> None:
    error = registry_d.TrustRootMismatch("other chain").dispatch_error()
    events = [
        EventRecord(("ApplyExtrinsic", 0), "System", "ExtrinsicSuccess", {"dispatch_info": None}),
        failed(2, error),
    ]
    assert compute_extrinsic_failure(events, 0) is None
    assert compute_extrinsic_failure(events, 1) is None
    failure = compute_extrinsic_failure(events, 2)
    assert failure is not None and failure.startswith("Registry.TrustRootMismatch")


def test_the_backoff_doubles_up_to_its_ceiling() -> None:
    policy = RetryPolicy(attempts=6, backoff_s=1.0, max_backoff_s=5.0)
    assert [policy.delay(attempt) for attempt in range(1, 7)] == [0.0, 1.0, 2.0, 4.0, 5.0, 5.0]
