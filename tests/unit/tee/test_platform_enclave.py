"""The enclave request handler and its framing, driven in memory (the process tests use real pipes)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from phalanx.attestation import compute_report_data, evidence_from_value
from phalanx.tee.enclave.process_main import IDENTITY_FILE, SimulatedEnclave, serve
from phalanx.tee.platform import EnclaveProtocolError, SimulatedPlatform
from phalanx.wire.enclave_protocol import (
    MAX_FRAME,
    REQUEST_CODEC,
    RESPONSE_CODEC,
    encode_frame,
    read_frame,
)

MEASUREMENT = bytes([0x33]) * 32


def run(tmp_path: Path, frames: list[bytes]) -> list[tuple[str, Any]]:
    enclave = SimulatedEnclave(SimulatedPlatform(tmp_path / "machine", MEASUREMENT), tmp_path / "data")
    out = io.BytesIO()
    serve(enclave, io.BytesIO(b"".join(frames)), out)
    stream = io.BytesIO(out.getvalue())
    responses = []
    while stream.tell() < len(out.getvalue()):
        responses.append(RESPONSE_CODEC.decode(read_frame(stream.read)))
    return responses


def request(value: tuple[str, Any]) -> bytes:
    return encode_frame(REQUEST_CODEC.encode(value))


def test_answers_in_order_and_stops_at_shutdown(tmp_path: Path) -> None:
    responses = run(
        tmp_path,
        [
            request(("Measurement", None)),
            request(("GetInfo", {"endpoint": b"e", "operator": None})),
            request(("SealRoundtrip", {"data": b"d", "label": "l"})),
            request(("Shutdown", None)),
            request(("Measurement", None)),  # after shutdown: not answered
        ],
    )
    assert [r[0] for r in responses] == ["Measurement", "Info", "Sealed", "Done"]
    assert responses[0][1] == MEASUREMENT
    info = responses[1][1]["info"]
    evidence = evidence_from_value(responses[1][1]["evidence"])
    assert evidence.quote.report_data == compute_report_data(info)  # type: ignore[union-attr]
    assert responses[2][1]["unsealed"] == b"d"
    assert (tmp_path / "data" / IDENTITY_FILE).exists()


def test_a_malformed_request_gets_an_error_and_the_channel_stays_open(tmp_path: Path) -> None:
    responses = run(tmp_path, [encode_frame(b"\x07garbage"), request(("Measurement", None))])
    assert responses[0][0] == "Error" and responses[0][1]["module"] == "platform"
    assert responses[1] == ("Measurement", MEASUREMENT)


def test_an_oversized_frame_closes_the_channel(tmp_path: Path) -> None:
    assert run(tmp_path, [(MAX_FRAME + 1).to_bytes(4, "big"), request(("Measurement", None))]) == []
    with pytest.raises(EnclaveProtocolError):
        encode_frame(bytes(MAX_FRAME + 1))


def test_end_of_input_ends_the_loop(tmp_path: Path) -> None:
    assert run(tmp_path, [request(("Measurement", None))[:-1]]) == []
