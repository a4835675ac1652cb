"""What a worker registers on chain, and how its attestation binds it (`compute_report_data`).

The enclave generates its identity (sr25519) and encryption (X25519) keys, puts their public halves
in a `RegistrationInfo`, and asks its platform for a quote over `compute_report_data(info)`. The chain
recomputes the same 64 bytes from the info in the extrinsic and requires the quote to carry them: a
host cannot pair a genuine quote with keys of its own choosing.

SCALE layout (golden-tested):

    RegistrationInfo = { identity_public: [u8; 32], encryption_public: [u8; 32], provider: str,
                         operator: Option<AccountId32>, endpoint: Vec<u8>, version: u32 }

Trust root. An enclave believes one chain, fixed when it is initialised: a dev chain by its genesis
hash and dev authority key, a CometBFT chain by its genesis hash, chain id and the hash of its
initial validator set (CometBFT's validator-set hash). The report data binds that choice too:

    report_data = blake2_256(SCALE(RegistrationInfo)) ++ blake2_256(SCALE(TrustRoot))
    TrustRoot = enum { Dev { genesis_hash: [u8; 32], authority_public: [u8; 32], authority_key_type: u8 },
                       CometBft { genesis_hash: [u8; 32], chain_id: String, validator_set_hash: [u8; 32] } }

so a chain refuses a worker whose enclave follows another chain (its registry compares the second
half with the trust root it knows). 32 zero bytes stand for "no trust root" (an enclave that is not
initialised); no chain that knows its trust root accepts them.
"""

from __future__ import annotations

from dataclasses import dataclass

import dcap_qvl

from phalanx.attestation.errors import MalformedEvidence
from phalanx.attestation.evidence import AttestationEvidence, DcapEvidence, SimulatedEvidence
from phalanx.codec import U8, U32, AccountId, Bytes, Enum, FixedBytes, Option, Str, Struct, field_, variant
from phalanx.crypto import blake2_256

REGISTRATION_INFO_VERSION = 1
NO_TRUST_ROOT = bytes(32)


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


@dataclass(frozen=True)
class DevTrustRoot:
    """A dev-engine chain: blocks are final when its dev authority signed them."""

    genesis_hash: bytes
    authority_public: bytes
    authority_key_type: int


@dataclass(frozen=True)
class CometBftTrustRoot:
    """A CometBFT chain: `validator_set_hash` is CometBFT's hash of the genesis validator set."""

    genesis_hash: bytes
    chain_id: str
    validator_set_hash: bytes


TrustRoot = DevTrustRoot | CometBftTrustRoot

_HASH = FixedBytes(32)
TRUST_ROOT_CODEC = Enum(
    ("phalanx", "attestation", "TrustRoot"),
    [
        variant("Dev", 0, field_("genesis_hash", _HASH, "[u8; 32]"),
                field_("authority_public", _HASH, "[u8; 32]"), field_("authority_key_type", U8, "u8")),
        variant("CometBft", 1, field_("genesis_hash", _HASH, "[u8; 32]"), field_("chain_id", Str, "String"),
                field_("validator_set_hash", _HASH, "[u8; 32]")),
    ],
)  # fmt: skip


def encode_trust_root(root: TrustRoot) -> bytes:
    if isinstance(root, DevTrustRoot):
        return TRUST_ROOT_CODEC.encode(("Dev", {
            "genesis_hash": root.genesis_hash, "authority_public": root.authority_public,
            "authority_key_type": root.authority_key_type,
        }))  # fmt: skip
    return TRUST_ROOT_CODEC.encode(("CometBft", {
        "genesis_hash": root.genesis_hash, "chain_id": root.chain_id,
        "validator_set_hash": root.validator_set_hash,
    }))  # fmt: skip


def decode_trust_root(data: bytes) -> TrustRoot:
    name, fields = TRUST_ROOT_CODEC.decode(data)
    if name == "Dev":
        return DevTrustRoot(fields["genesis_hash"], fields["authority_public"], fields["authority_key_type"])
    return CometBftTrustRoot(fields["genesis_hash"], fields["chain_id"], fields["validator_set_hash"])


def compute_trust_root_hash(root: TrustRoot) -> bytes:
    """`blake2_256(SCALE(root))`: the second half of an initialised enclave's report data."""
    return blake2_256(encode_trust_root(root))


def compute_report_data(info: RegistrationInfo, trust_root_hash: bytes = NO_TRUST_ROOT) -> bytes:
    """The 64 report-data bytes a quote must carry for `info` from an enclave trusting `trust_root_hash`.

    `blake2_256(SCALE(info))` fills the first 32 bytes, `trust_root_hash` (`compute_trust_root_hash`)
    the last 32. The verifier compares all 64 bytes.
    """
    if len(trust_root_hash) != 32:
        raise ValueError("a trust root hash is 32 bytes")
    return blake2_256(encode_registration_info(info)) + trust_root_hash


def read_report_data(evidence: AttestationEvidence) -> bytes:
    """The 64 report-data bytes the evidence carries, read without verifying anything.

    Used to explain a refusal (which half differs), never to accept one. Raises `MalformedEvidence`.
    """
    if isinstance(evidence, SimulatedEvidence):
        return bytes(evidence.quote.report_data)
    if isinstance(evidence, DcapEvidence):
        try:
            return bytes(dcap_qvl.parse_quote(evidence.quote).report.report_data)
        except Exception as exc:  # the binding raises ValueError, but any failure means the same
            raise MalformedEvidence(f"the DCAP quote does not parse: {exc}") from None
    raise MalformedEvidence(f"unknown evidence type {type(evidence).__name__}")
