"""Registry declarations: workers, gatekeepers, the attestation policy and master public keys.

Storage (keys are `twox128("Registry") ++ twox128(item) [++ hasher(SCALE(key))]`):

- `Workers: map [u8; 32] (Blake2_128Concat, the worker's sr25519 identity) -> WorkerInfo` with
  `WorkerInfo = { encryption_public: [u8; 32], provider: String, measurement: [u8; 32],
  confidence_level: u8, tcb_status: String, endpoint: Vec<u8>, operator: Option<AccountId32>,
  host: AccountId32, version: u32, registered_at: u32, last_attested_ms: u64 }`
  (`host` signed the registration; `registered_at` is the block of the first registration,
  `last_attested_ms` the block time of the latest one).
- `Gatekeepers: Vec<[u8; 32]>`: gatekeeper identities in registration order; the first one makes
  master key generation 0.
- `AllowedMeasurements: Vec<[u8; 32]>`: the measurement allowlist (SGX MRENCLAVE, TDX digest or
  simulated code hash).
- `AttestationSettings: { allow_simulated: bool, simulated_attestation_key: Option<[u8; 32]>,
  allow_out_of_date: bool }` (from genesis).
- `MasterPublicKeys: map u32 (Twox64Concat, generation) -> [u8; 32]`: the gatekeeper group's ed25519
  identity of each master-key generation, as published through Mq.
- `MasterKeyGeneration: Option<u32>`: the newest published generation (absent before generation 0).
- `PendingRotation: Option<u32>`: a generation governance asked for and that is not published yet.
- `TrustAnchor: Option<TrustAnchor>` with `TrustAnchor = enum { Dev { authority_public: [u8; 32],
  authority_key_type: u8 }, CometBft { chain_id: String, validator_set_hash: [u8; 32] } }` (from
  genesis) and `GenesisHash: Option<[u8; 32]>` (recorded at block 1 when an anchor is set): with
  them the chain knows the trust root (`phalanx.attestation.TrustRoot`) a worker's enclave must
  follow; its hash is the second half of the report data.
"""

from __future__ import annotations

from dataclasses import dataclass

from phalanx.codec import (
    U8,
    U32,
    U64,
    AccountId,
    Bool,
    Bytes,
    DataclassStruct,
    Enum,
    FixedBytes,
    Option,
    Str,
    Vec,
    field_,
    variant,
)
from phalanx.runtime.errors import ModuleError
from phalanx.runtime.framework import EventDecl, Hasher, StorageMap, StorageValue

NAME = "Registry"
INDEX = 20
CRATE = "pallet_registry"

KEY = FixedBytes(32)



@dataclass(frozen=True)
class WorkerInfo:
    """A registered worker: its keys, what its attestation proved, and who registered it when."""

    encryption_public: bytes
    provider: str
    measurement: bytes
    confidence_level: int
    tcb_status: str
    endpoint: bytes
    operator: bytes | None
    host: bytes
    version: int
    registered_at: int
    last_attested_ms: int


@dataclass(frozen=True)
class AttestationConfig:
    """The value of `AttestationSettings`: which attestation the chain accepts (from genesis)."""

    allow_simulated: bool = False
    simulated_attestation_key: bytes | None = None
    allow_out_of_date: bool = False


WORKER_INFO = DataclassStruct(
    WorkerInfo,
    ("phalanx", "runtime", "registry", "WorkerInfo"),
    [
        field_("encryption_public", KEY, "[u8; 32]"),
        field_("provider", Str, "String"),
        field_("measurement", KEY, "[u8; 32]"),
        field_("confidence_level", U8, "u8"),
        field_("tcb_status", Str, "String"),
        field_("endpoint", Bytes, "Vec<u8>"),
        field_("operator", Option(AccountId), "Option<AccountId32>"),
        field_("host", AccountId, "AccountId32"),
        field_("version", U32, "u32"),
        field_("registered_at", U32, "BlockNumber"),
        field_("last_attested_ms", U64, "u64"),
    ],
)
ATTESTATION_SETTINGS = DataclassStruct(
    AttestationConfig,
    ("phalanx", "runtime", "registry", "AttestationSettings"),
    [
        field_("allow_simulated", Bool, "bool"),
        field_("simulated_attestation_key", Option(KEY), "Option<[u8; 32]>"),
        field_("allow_out_of_date", Bool, "bool"),
    ],
)
TRUST_ANCHOR = Enum(
    ("phalanx", "runtime", "registry", "TrustAnchor"),
    [
        variant("Dev", 0, field_("authority_public", KEY, "[u8; 32]"),
                field_("authority_key_type", U8, "u8")),
        variant("CometBft", 1, field_("chain_id", Str, "String"),
                field_("validator_set_hash", KEY, "[u8; 32]")),
    ],
)  # fmt: skip
DEFAULT_SETTINGS = AttestationConfig()

# -- storage -------------------------------------------------------------------------------------------

Workers = StorageMap(NAME, "Workers", Hasher.BLAKE2_128_CONCAT, KEY, WORKER_INFO, None,
                     docs="Registered workers by identity public key.")  # fmt: skip
Gatekeepers = StorageValue(NAME, "Gatekeepers", Vec(KEY), [], docs="Gatekeeper identities, in order.")
AllowedMeasurements = StorageValue(NAME, "AllowedMeasurements", Vec(KEY), [],
                                   docs="Enclave measurements governance allows.")  # fmt: skip
AttestationSettings = StorageValue(NAME, "AttestationSettings", ATTESTATION_SETTINGS, DEFAULT_SETTINGS,
                                   docs="Which attestation the chain accepts (from genesis).")  # fmt: skip
MasterPublicKeys = StorageMap(NAME, "MasterPublicKeys", Hasher.TWOX_64_CONCAT, U32, KEY, None,
                              docs="The gatekeepers' identity of each master-key generation.")  # fmt: skip
MasterKeyGeneration = StorageValue(NAME, "MasterKeyGeneration", U32, None,
                                   docs="The newest published master-key generation.")  # fmt: skip
PendingRotation = StorageValue(NAME, "PendingRotation", U32, None,
                               docs="The master-key generation requested and not yet published.")  # fmt: skip
TrustAnchor = StorageValue(NAME, "TrustAnchor", TRUST_ANCHOR, None,
                          docs="What, beside the genesis hash, an enclave must trust.")  # fmt: skip
GenesisHash = StorageValue(NAME, "GenesisHash", KEY, None,
                           docs="The genesis hash, recorded at block 1 with an anchor.")  # fmt: skip

STORAGE = (Workers, Gatekeepers, AllowedMeasurements, AttestationSettings, MasterPublicKeys,
           MasterKeyGeneration, PendingRotation, TrustAnchor, GenesisHash)  # fmt: skip

# -- events --------------------------------------------------------------------------------------------

_WORKER = field_("worker", KEY, "[u8; 32]")
_MEASUREMENT = field_("measurement", KEY, "[u8; 32]")

WorkerRegistered = EventDecl(
    "WorkerRegistered", 0,
    (_WORKER, field_("operator", Option(AccountId), "Option<AccountId32>"), _MEASUREMENT,
     field_("confidence_level", U8, "u8"), field_("first_time", Bool, "bool")),
    ("An attested worker registered (first_time false: it re-registered and its record was updated).",),
)  # fmt: skip
GatekeeperRegistered = EventDecl("GatekeeperRegistered", 1, (_WORKER,),
                                 ("Governance made a registered worker a gatekeeper.",))  # fmt: skip
MeasurementAllowed = EventDecl("MeasurementAllowed", 2, (_MEASUREMENT,),
                               ("A measurement was added to the allowlist.",))  # fmt: skip
MeasurementRemoved = EventDecl("MeasurementRemoved", 3, (_MEASUREMENT,),
                               ("A measurement was removed from the allowlist.",))  # fmt: skip
MasterKeyPublished = EventDecl(
    "MasterKeyPublished",
    4,
    (field_("generation", U32, "u32"), field_("master_public", KEY, "[u8; 32]")),
    ("The gatekeepers published the public identity of a master-key generation.",),
)
MasterKeyRotationRequested = EventDecl("MasterKeyRotationRequested", 5, (field_("generation", U32, "u32"),),
                                       ("Governance asked for a new master-key generation.",))  # fmt: skip

EVENTS = (WorkerRegistered, GatekeeperRegistered, MeasurementAllowed, MeasurementRemoved, MasterKeyPublished,
          MasterKeyRotationRequested)  # fmt: skip

# -- errors --------------------------------------------------------------------------------------------
# Codes 0-12 mirror `phalanx.attestation` errors (attestation code - 1); see `logic.ATTESTATION_ERRORS`.


class RegistryError(ModuleError):
    module = "registry"


class MalformedEvidence(RegistryError):
    """The attestation evidence does not decode, or a field is out of range."""

    code = 0


class SimulatedNotAllowed(RegistryError):
    """Simulated attestation on a chain that accepts only hardware attestation."""

    code = 1


class BadAttestationSignature(RegistryError):
    """The simulated quote is not signed by the attestation key configured at genesis."""

    code = 2


class QuoteVerificationFailed(RegistryError):
    """The DCAP quote failed verification (signature, certificate chain, TCB level)."""

    code = 3


class CollateralExpired(RegistryError):
    """The DCAP collateral expired before the block time: fetch fresh collateral."""

    code = 4


class CollateralNotYetValid(RegistryError):
    """The DCAP collateral was issued after the block time."""

    code = 5


class MeasurementNotAllowed(RegistryError):
    """The enclave measurement is not in the allowlist."""

    code = 6


class ReportDataMismatch(RegistryError):
    """The quote's report data does not bind the registration info (its keys)."""

    code = 7


class TcbRevoked(RegistryError):
    """The platform's TCB or a certificate in its chain is revoked."""

    code = 8


class TcbOutOfDate(RegistryError):
    """The platform's TCB is out of date and the chain does not accept that."""

    code = 9


class DebugEnclave(RegistryError):
    """The quote comes from a debug-mode enclave."""

    code = 10


class TcbStatusUnknown(RegistryError):
    """The verifier returned a TCB status the chain cannot rate."""

    code = 11


class StaleQuote(RegistryError):
    """The simulated quote's timestamp is too far from the block time."""

    code = 12


class ProviderMismatch(RegistryError):
    """The registration names another attestation provider than the evidence is from."""

    code = 13


class NotOperator(RegistryError):
    """The registration names an operator, and the signer is not that account."""

    code = 14


class UnknownWorker(RegistryError):
    """No worker is registered with this identity."""

    code = 15


class AlreadyGatekeeper(RegistryError):
    """The worker is a gatekeeper already."""

    code = 16


class MeasurementAlreadyAllowed(RegistryError):
    """The measurement is in the allowlist already."""

    code = 17


class MeasurementNotListed(RegistryError):
    """The measurement is not in the allowlist."""

    code = 18


class UnexpectedMasterKey(RegistryError):
    """A master-key publication the chain did not expect (wrong sender or generation)."""

    code = 19


class NoMasterKey(RegistryError):
    """No master key has been published yet."""

    code = 20


class RotationPending(RegistryError):
    """A master-key rotation is requested already and not yet published."""

    code = 21


class TrustRootMismatch(RegistryError):
    """The worker's enclave follows another chain: its attested trust root is not this chain's."""

    code = 22


ERRORS = (
    MalformedEvidence, SimulatedNotAllowed, BadAttestationSignature, QuoteVerificationFailed,
    CollateralExpired,
    CollateralNotYetValid, MeasurementNotAllowed, ReportDataMismatch, TcbRevoked, TcbOutOfDate, DebugEnclave,
    TcbStatusUnknown, StaleQuote, ProviderMismatch, NotOperator, UnknownWorker, AlreadyGatekeeper,
    MeasurementAlreadyAllowed, MeasurementNotListed, UnexpectedMasterKey, NoMasterKey, RotationPending,
    TrustRootMismatch,
)  # fmt: skip
