"""What a worker registers on chain, and how its attestation binds it (`compute_report_data`).

The enclave generates its identity (sr25519) and encryption (X25519) keys, puts their public halves
in a `RegistrationInfo`, and asks its platform for a quote over `compute_report_data(info)`. The chain
recomputes the same 64 bytes from the info in the extrinsic and requires the quote to carry them: a
host cannot pair a genuine quote with keys of its own choosing.

SCALE layout (golden-tested):

    RegistrationInfo = { identity_public: [u8; 32], encryption_public: [u8; 32], provider: str,
                         operator: Option<AccountId32>, endpoint: Vec<u8>, version: u32 }
"""

from __future__ import annotations

from dataclasses import dataclass

from phalanx.attestation.evidence import REPORT_DATA_LEN
from phalanx.codec import U32, AccountId, Bytes, FixedBytes, Option, Str, Struct, field_
from phalanx.crypto import blake2_256

REGISTRATION_INFO_VERSION = 1


@dataclass(frozen=True)
class RegistrationInfo:
    """A worker's public registration record.

    identity_public: sr25519 public key of the enclave's identity (signs egress and query answers).
    encryption_public: X25519 public key that gatekeepers and users encrypt to.
    provider: the attestation provider the worker runs under ("simulated", "dcap").
    operator: the account that operates the worker, if it names one.
    endpoint: where the worker answers queries (an opaque byte string, e.g. a URL in UTF-8).
    version: the enclave's software version number.
    """

    identity_public: bytes
    encryption_public: bytes
    provider: str
    operator: bytes | None
    endpoint: bytes
    version: int


REGISTRATION_INFO_CODEC = Struct(
    ("phalanx", "attestation", "RegistrationInfo"),
    [
        field_("identity_public", FixedBytes(32), "[u8; 32]"),
        field_("encryption_public", FixedBytes(32), "[u8; 32]"),
        field_("provider", Str, "String"),
        field_("operator", Option(AccountId), "Option<AccountId32>"),
        field_("endpoint", Bytes, "Vec<u8>"),
        field_("version", U32, "u32"),
    ],
    cls=RegistrationInfo,
)


def encode_registration_info(info: RegistrationInfo) -> bytes:
    return REGISTRATION_INFO_CODEC.encode(info)


def decode_registration_info(data: bytes) -> RegistrationInfo:
    info: RegistrationInfo = REGISTRATION_INFO_CODEC.decode(data)
    return info


def compute_report_data(info: RegistrationInfo) -> bytes:
    """The 64 report-data bytes a quote must carry for `info`.

    `blake2_256(SCALE(info))` fills the first 32 bytes; the last 32 are zero. The padding is fixed, and
    the verifier compares all 64 bytes, so a quote whose upper half is anything but zeros is refused.
    """
    return blake2_256(encode_registration_info(info)).ljust(REPORT_DATA_LEN, b"\x00")
