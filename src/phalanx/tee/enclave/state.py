"""The enclave's state and its canonical snapshot, the plaintext of the sealed state file.

What an enclave holds: its own keys (identity sr25519 seed, X25519 secret), the chain trust root
it was initialised with, where it is in the chain (last block), its worker egress sequence, the
gatekeeper core's state (every enclave follows the registry through it; only gatekeepers hold
master keys) and one `ContractSlot` per contract assigned to it.

A slot holds the contract key once it arrived, the live contract instance, the contract's egress
sequence, and the commands that came before the key (applied in order as soon as it arrives).

Ownership: contract instances are mutable objects owned by the state that holds them; `core.apply`
moves them into the state it returns (copying every contract per block would cost its whole state).
A refused input raises before anything is touched, so the old state stays valid then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from phalanx.attestation.registration import decode_trust_root, encode_trust_root
from phalanx.codec import (
    U8,
    U32,
    U64,
    Bool,
    Bytes,
    CodecError,
    FixedBytes,
    Option,
    Struct,
    Tuple,
    Vec,
    field_,
)
from phalanx.contracts import ORIGIN, Contract, ContractError, Origin, create_builtin
from phalanx.crypto import Keypair, KeyType
from phalanx.crypto.box import X25519Keypair
from phalanx.errors import PhalanxError
from phalanx.tee.enclave.cometbft import CometBftProgress
from phalanx.tee.enclave.errors import InvalidSealedState
from phalanx.tee.gatekeeper import (
    ContractKeys,
    GatekeeperState,
    compute_contract_keys,
    decode_state,
    encode_state,
    initial_state,
)
from phalanx.wire.enclave_protocol import PRE_GENESIS_HASH
from phalanx.wire.trust import ChainTrust, CometBftTrust, trust_from_root

STATE_VERSION = 2


@dataclass(frozen=True)
class PendingCommand:
    """A command seen before the contract key: kept (still encrypted) to be applied when it arrives."""

    block_number: int
    block_hash: bytes
    timestamp_ms: int
    origin: Origin
    payload: bytes = field(repr=False)
    encrypted: bool


# Every `replace` of a state or slot runs `__post_init__`, i.e. several times per block: the keys
# derived from the same secrets are kept rather than derived again each time.
@lru_cache(maxsize=8)
def _identity(seed: bytes) -> Keypair:
    return Keypair.from_seed(seed, KeyType.SR25519)


@lru_cache(maxsize=8)
def _x25519(secret: bytes) -> X25519Keypair:
    return X25519Keypair.from_secret(secret)


@lru_cache(maxsize=256)
def _contract_keys(contract_key: bytes) -> ContractKeys:
    return compute_contract_keys(contract_key)


@dataclass(frozen=True)
class ContractSlot:
    """A contract assigned to this worker. `contract_keys` are (generation, key), oldest first; the
    oldest one received signs the contract's egress, every one may have encrypted a command."""

    contract_id: bytes
    contract_keys: tuple[tuple[int, bytes], ...] = field(default=(), repr=False)
    egress_sequence: int = 0
    instance: Contract | None = field(default=None, repr=False, compare=False)
    pending: tuple[PendingCommand, ...] = ()
    derived: tuple[ContractKeys, ...] = field(init=False, repr=False, compare=False)
    egress_key: Keypair | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "derived", tuple(_contract_keys(k) for _, k in self.contract_keys))
        # The contract's first generation signs its egress for good: the chain keeps that public key.
        object.__setattr__(self, "egress_key", self.derived[0].egress if self.derived else None)

    @property
    def has_key(self) -> bool:
        return bool(self.contract_keys)


@dataclass(frozen=True)
class EnclaveState:
    identity_seed: bytes = field(repr=False)
    x25519_secret: bytes = field(repr=False)
    trust: ChainTrust
    block_number: int
    block_hash: bytes
    block_timestamp_ms: int
    worker_sequence: int
    gatekeeper: GatekeeperState = field(repr=False)
    contracts: tuple[ContractSlot, ...] = ()
    light: CometBftProgress | None = None
    """Under CometBFT finality, the light client's progress (None before the genesis block)."""
    identity: Keypair = field(init=False, repr=False, compare=False)
    x25519: X25519Keypair = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "identity", _identity(self.identity_seed))
        object.__setattr__(self, "x25519", _x25519(self.x25519_secret))

    def get_contract(self, contract_id: bytes) -> ContractSlot | None:
        return next((slot for slot in self.contracts if slot.contract_id == contract_id), None)


def initial_enclave_state(identity_seed: bytes, x25519_secret: bytes, trust: ChainTrust) -> EnclaveState:
    """A fresh enclave that trusts `trust` and has applied no block yet: the next is the genesis block
    (whose messages, e.g. contracts deployed at genesis, it reads with proofs) or block 1."""
    identity = Keypair.from_seed(identity_seed, KeyType.SR25519)
    return EnclaveState(
        identity_seed=identity_seed,
        x25519_secret=x25519_secret,
        trust=trust,
        block_number=0,
        block_hash=PRE_GENESIS_HASH,
        block_timestamp_ms=0,
        worker_sequence=0,
        gatekeeper=initial_state(identity.public_key, x25519_secret),
    )


_KEY = FixedBytes(32)
_PENDING = Struct(
    ("phalanx", "enclave", "PendingCommand"),
    [
        field_("block_number", U32),
        field_("block_hash", _KEY),
        field_("timestamp_ms", U64),
        field_("origin", ORIGIN),
        field_("payload", Bytes),
        field_("encrypted", Bool),
    ],
    cls=PendingCommand,
)
_SLOT = Struct(
    ("phalanx", "enclave", "ContractSlot"),
    [
        field_("contract_id", _KEY),
        field_("contract_keys", Vec(Tuple(U32, _KEY))),
        field_("egress_sequence", U64),
        field_("snapshot", Option(Bytes)),
        field_("pending", Vec(_PENDING)),
    ],
)
_LIGHT = Struct(
    ("phalanx", "enclave", "CometBftProgress"),
    [field_("next_height", U64), field_("next_validators_hash", Bytes), field_("last_block_hash", Bytes)],
    cls=CometBftProgress,
)
_STATE = Struct(
    ("phalanx", "enclave", "State"),
    [
        field_("version", U8),
        field_("identity_seed", _KEY),
        field_("x25519_secret", _KEY),
        field_("trust_root", Bytes),
        field_("light", Option(_LIGHT)),
        field_("block_number", U32),
        field_("block_hash", _KEY),
        field_("block_timestamp_ms", U64),
        field_("worker_sequence", U64),
        field_("gatekeeper", Bytes),
        field_("contracts", Vec(_SLOT)),
    ],
)


def encode_enclave_state(state: EnclaveState) -> bytes:
    """The canonical snapshot of the whole enclave (secrets included: seal it before it leaves)."""
    slots = [
        {
            "contract_id": slot.contract_id,
            "contract_keys": list(slot.contract_keys),
            "egress_sequence": slot.egress_sequence,
            "snapshot": slot.instance.snapshot() if slot.instance is not None else None,
            "pending": list(slot.pending),
        }
        for slot in state.contracts
    ]
    return _STATE.encode(
        {
            "version": STATE_VERSION,
            "identity_seed": state.identity_seed,
            "x25519_secret": state.x25519_secret,
            "trust_root": encode_trust_root(state.trust.to_root()),
            "light": state.light,
            "block_number": state.block_number,
            "block_hash": state.block_hash,
            "block_timestamp_ms": state.block_timestamp_ms,
            "worker_sequence": state.worker_sequence,
            "gatekeeper": encode_state(state.gatekeeper),
            "contracts": slots,
        }
    )


def decode_enclave_state(data: bytes) -> EnclaveState:
    """Rebuild a state (contract instances included); raises `InvalidSealedState` for anything else."""
    try:
        raw = _STATE.decode(data)
        if raw["version"] != STATE_VERSION:
            raise InvalidSealedState(f"sealed state version {raw['version']} is not {STATE_VERSION}")
        trust = trust_from_root(decode_trust_root(raw["trust_root"]))
        slots = tuple(_decode_slot(entry) for entry in raw["contracts"])
        state = EnclaveState(
            identity_seed=raw["identity_seed"],
            x25519_secret=raw["x25519_secret"],
            trust=trust,
            block_number=raw["block_number"],
            block_hash=raw["block_hash"],
            block_timestamp_ms=raw["block_timestamp_ms"],
            worker_sequence=raw["worker_sequence"],
            gatekeeper=decode_state(raw["gatekeeper"]),
            contracts=slots,
            light=raw["light"],
        )
    except InvalidSealedState:
        raise
    except (PhalanxError, ValueError) as exc:
        text = exc.message if isinstance(exc, PhalanxError) else str(exc)
        raise InvalidSealedState(f"sealed state does not decode: {text}") from None
    if [s.contract_id for s in slots] != sorted({s.contract_id for s in slots}):
        raise InvalidSealedState("sealed state lists contracts out of order or twice")
    following = isinstance(trust, CometBftTrust) and state.block_hash != PRE_GENESIS_HASH
    if (state.light is not None) != following:
        raise InvalidSealedState("sealed light-client progress does not match the chain the state trusts")
    if state.gatekeeper.identity != state.identity.public_key:
        raise InvalidSealedState("sealed gatekeeper state belongs to another identity")
    return state


def _decode_slot(entry: dict[str, object]) -> ContractSlot:
    contract_id = entry["contract_id"]
    snapshot = entry["snapshot"]
    if not isinstance(contract_id, bytes):
        raise CodecError("contract id")
    instance: Contract | None = None
    if snapshot is not None:
        if not isinstance(snapshot, bytes):
            raise CodecError("contract snapshot")
        try:
            instance = create_builtin(contract_id)
            instance.restore(snapshot)
            instance.invariants()
        except ContractError as exc:
            raise InvalidSealedState(f"contract 0x{contract_id.hex()}: {exc.message}") from None
    keys, sequence, pending = entry["contract_keys"], entry["egress_sequence"], entry["pending"]
    if not isinstance(keys, list) or not isinstance(sequence, int) or not isinstance(pending, list):
        raise CodecError("contract slot fields")
    generations = [generation for generation, _ in keys]
    if generations != sorted(set(generations)):
        raise InvalidSealedState(f"contract 0x{contract_id.hex()}: key generations out of order")
    if (instance is not None) != bool(keys):
        raise InvalidSealedState(f"contract 0x{contract_id.hex()}: an instance exists exactly with a key")
    return ContractSlot(contract_id, tuple(tuple(k) for k in keys), sequence, instance, tuple(pending))
