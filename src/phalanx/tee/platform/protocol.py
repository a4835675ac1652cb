"""The host-enclave channel: length-prefixed frames carrying SCALE-encoded requests and responses.

Frame: `u32 big-endian length ++ payload`, payload at most `MAX_FRAME` bytes. The host writes one
request frame and reads one response frame; the enclave answers requests in order.

    EnclaveRequest  = Measurement | GetInfo { endpoint, operator } | SealRoundtrip { data, label } | Shutdown
    EnclaveResponse = Measurement([u8; 32]) | Info { info, evidence } | Sealed { sealed, unsealed } | Done
                    | Error { module, code, message }

`SealRoundtrip` exists for tests of the platform's sealing inside the enclave process; the full
enclave runtime will grow its own requests (blocks, queries) on the same framing.
"""

from __future__ import annotations

from collections.abc import Callable

from phalanx.attestation import EVIDENCE_CODEC, REGISTRATION_INFO_CODEC
from phalanx.codec import U32, AccountId, Bytes, Enum, FixedBytes, Option, Str, field_, variant
from phalanx.tee.platform.errors import EnclaveProtocolError

MAX_FRAME = 1 << 20
HEADER_LEN = 4

REQUEST_CODEC = Enum(
    ("phalanx", "tee", "EnclaveRequest"),
    [
        variant("Measurement", 0),
        variant("GetInfo", 1, field_("endpoint", Bytes), field_("operator", Option(AccountId))),
        variant("SealRoundtrip", 2, field_("data", Bytes), field_("label", Str)),
        variant("Shutdown", 3),
    ],
)

RESPONSE_CODEC = Enum(
    ("phalanx", "tee", "EnclaveResponse"),
    [
        variant("Measurement", 0, field_(None, FixedBytes(32))),
        variant("Info", 1, field_("info", REGISTRATION_INFO_CODEC), field_("evidence", EVIDENCE_CODEC)),
        variant("Sealed", 2, field_("sealed", Bytes), field_("unsealed", Bytes)),
        variant("Done", 3),
        variant("Error", 4, field_("module", Str), field_("code", U32), field_("message", Str)),
    ],
)


def encode_frame(payload: bytes) -> bytes:
    if len(payload) > MAX_FRAME:
        raise EnclaveProtocolError(f"frame of {len(payload)} bytes exceeds the limit of {MAX_FRAME}")
    return len(payload).to_bytes(HEADER_LEN, "big") + payload


def read_frame(read_exact: Callable[[int], bytes]) -> bytes:
    """Read one frame with `read_exact(n)`, which returns exactly n bytes or raises."""
    length = int.from_bytes(read_exact(HEADER_LEN), "big")
    if length > MAX_FRAME:
        raise EnclaveProtocolError(f"announced frame of {length} bytes exceeds the limit of {MAX_FRAME}")
    return read_exact(length)
