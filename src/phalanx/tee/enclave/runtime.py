"""The pRuntime driver: the pure core plus what it needs from the world (platform, disk, entropy, clock).

`PRuntime` owns the enclave's keys and `EnclaveState`. It feeds blocks through `core.apply`, seals
the state (`STATE_FILE`) when the core asks (new key material) and every `checkpoint_interval`
blocks, answers queries, and hands the host only public data: signed egress messages, public keys,
log lines without secrets, sealed blobs and sealed query answers.

Restart: the sealed state names the last block it reflects; the host feeds blocks from the next one.
If the host rolls the sealed file back, the enclave replays the same finalized blocks to the same
state (the core is deterministic): egress repeats with the same sequence numbers, which the chain
accepts once. Key material is sealed before any message that depends on it leaves the enclave.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from phalanx.attestation import AttestationEvidence, RegistrationInfo, compute_report_data
from phalanx.attestation.registration import NO_TRUST_ROOT
from phalanx.codec import FixedBytes, Struct, field_
from phalanx.contracts import ContractContext, ContractError
from phalanx.crypto import Keypair, KeyType
from phalanx.crypto.box import X25519Keypair
from phalanx.files import write_atomically
from phalanx.mq import SignedMessage
from phalanx.tee.enclave.core import Egress, FeedBlock, Log, StoreState, apply
from phalanx.tee.enclave.errors import ContractNotHosted, NotInitialized
from phalanx.tee.enclave.replay import ReplayGuard
from phalanx.tee.enclave.state import (
    EnclaveState,
    decode_enclave_state,
    encode_enclave_state,
    initial_enclave_state,
)
from phalanx.tee.platform.base import Platform
from phalanx.wire.enclave_protocol import BlockInput
from phalanx.wire.query import QueryAnswer, open_query, seal_answer
from phalanx.wire.trust import ChainTrust, compute_chain_trust_hash

log = logging.getLogger("phalanx.tee.enclave")

ENCLAVE_VERSION = 1
IDENTITY_FILE = "identity.sealed"
IDENTITY_LABEL = "phalanx/enclave/identity/v1"
STATE_FILE = "state.sealed"
STATE_LABEL = "phalanx/enclave/state/v1"
DEFAULT_CHECKPOINT_INTERVAL = 16

_SEALED_KEYS_CODEC = Struct(
    ("phalanx", "tee", "SealedKeys"),
    [field_("identity_seed", FixedBytes(32)), field_("encryption_secret", FixedBytes(32))],
)


@dataclass(frozen=True)
class EnclaveKeys:
    identity_seed: bytes
    encryption_secret: bytes
    identity: Keypair
    encryption: X25519Keypair


@dataclass(frozen=True)
class FeedResult:
    """What the host gets back for one block: egress to submit and log lines (public data only)."""

    block_number: int
    egress: tuple[SignedMessage, ...]
    logs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Status:
    initialized: bool
    block_number: int
    block_hash: bytes
    identity_public: bytes
    encryption_public: bytes
    contracts: tuple[tuple[bytes, bool], ...]


class PRuntime:
    """The enclave runtime. Every method either succeeds or raises a typed error, state unchanged."""

    def __init__(
        self, platform: Platform, data_dir: Path, *, checkpoint_interval: int = DEFAULT_CHECKPOINT_INTERVAL
    ) -> None:
        self._platform = platform
        self._data_dir = data_dir
        self._checkpoint_interval = max(1, checkpoint_interval)
        self._keys: EnclaveKeys | None = None
        self._state: EnclaveState | None = None
        self._sealed_at = -1
        self._guard: ReplayGuard | None = None

    # --- keys and attestation ---------------------------------------------------------------------

    def keys(self) -> EnclaveKeys:
        if self._keys is None:
            self._keys = self._load_or_create_keys()
        return self._keys

    def get_info(
        self, endpoint: bytes, operator: bytes | None
    ) -> tuple[RegistrationInfo, AttestationEvidence]:
        """The registration info and a quote over `blake2_256(SCALE(info)) ++ trust root hash`
        (32 zero bytes before Init: no chain that checks trust roots accepts that quote)."""
        keys = self.keys()
        info = RegistrationInfo(
            identity_public=keys.identity.public_key,
            encryption_public=keys.encryption.public_key,
            provider=self._platform.name,
            operator=operator,
            endpoint=endpoint,
            version=ENCLAVE_VERSION,
        )
        # The chain this enclave follows is bound beside its keys: a chain refuses an enclave that
        # trusts another chain (see `phalanx.attestation.registration`).
        trust_hash = NO_TRUST_ROOT if self._state is None else compute_chain_trust_hash(self._state.trust)
        return info, self._platform.quote(compute_report_data(info, trust_hash))

    def _load_or_create_keys(self) -> EnclaveKeys:
        path = self._data_dir / IDENTITY_FILE
        if path.exists():
            fields = _SEALED_KEYS_CODEC.decode(self._platform.unseal(path.read_bytes(), IDENTITY_LABEL))
            seed, secret = fields["identity_seed"], fields["encryption_secret"]
            log.info("enclave unsealed its keys from %s", IDENTITY_FILE)
        else:
            seed, secret = secrets.token_bytes(32), secrets.token_bytes(32)
            plain = _SEALED_KEYS_CODEC.encode({"identity_seed": seed, "encryption_secret": secret})
            write_atomically(path, self._platform.seal(plain, IDENTITY_LABEL))
            log.info("enclave generated new keys and sealed them to %s", IDENTITY_FILE)
        return EnclaveKeys(
            seed, secret, Keypair.from_seed(seed, KeyType.SR25519), X25519Keypair.from_secret(secret)
        )

    # --- chain ------------------------------------------------------------------------------------

    def init(self, trust: ChainTrust) -> Status:
        """Trust a chain. Resumes the sealed state if there is one (it must name the same chain)."""
        keys = self.keys()
        if self._state is None:
            path = self._data_dir / STATE_FILE
            if path.exists():
                state = decode_enclave_state(self._platform.unseal(path.read_bytes(), STATE_LABEL))
                if state.identity_seed != keys.identity_seed:
                    raise NotInitialized("the sealed state belongs to another enclave identity")
                self._sealed_at = state.block_number
                log.info("enclave resumed its sealed state at block #%d", state.block_number)
            else:
                state = initial_enclave_state(keys.identity_seed, keys.encryption_secret, trust)
            self._state = state
        if self._state.trust != trust:
            raise NotInitialized("the enclave already trusts another chain (its trust root differs)")
        return self.status()

    def _require_state(self) -> EnclaveState:
        if self._state is None:
            raise NotInitialized("the enclave trusts no chain yet: send Init first")
        return self._state

    def feed_block(self, block: BlockInput) -> FeedResult:
        state = self._require_state()
        new_state, effects = apply(state, FeedBlock(block, secrets.token_bytes(32)))
        must_seal = any(isinstance(effect, StoreState) for effect in effects)
        self._state = new_state
        if must_seal or new_state.block_number - self._sealed_at >= self._checkpoint_interval:
            self.checkpoint()
        egress = tuple(effect.message for effect in effects if isinstance(effect, Egress))
        logs = tuple((effect.level, effect.text) for effect in effects if isinstance(effect, Log))
        for level, text in logs:
            log.log(logging.getLevelName(level.upper()), "%s", text)
        return FeedResult(new_state.block_number, egress, logs)

    def checkpoint(self) -> int:
        """Seal the whole state to `STATE_FILE` now; returns the block number it reflects."""
        state = self._require_state()
        write_atomically(
            self._data_dir / STATE_FILE, self._platform.seal(encode_enclave_state(state), STATE_LABEL)
        )
        self._sealed_at = state.block_number
        return state.block_number

    def status(self) -> Status:
        keys = self.keys()
        state = self._state
        if state is None:
            return Status(False, 0, bytes(32), keys.identity.public_key, keys.encryption.public_key, ())
        contracts = tuple((slot.contract_id, slot.has_key) for slot in state.contracts)
        return Status(
            True,
            state.block_number,
            state.block_hash,
            keys.identity.public_key,
            keys.encryption.public_key,
            contracts,
        )

    # --- queries ----------------------------------------------------------------------------------

    def query(self, box: bytes, now_ms: int) -> bytes:
        """Answer one sealed query with a sealed, signed answer. Errors before the signature check
        (not for this worker, bad signature, replay) raise; contract refusals are answered, sealed."""
        state = self._require_state()
        if self._guard is None:
            self._guard = ReplayGuard(started_ms=now_ms - 1)
        signed, reply_to, request_hash = open_query(state.x25519, box)
        self._guard.check(signed.query, now_ms)
        query = signed.query
        answer_bytes, error = b"", None
        try:
            answer_bytes = self.run_query(state, query.contract_id, query.account, query.payload)
        except (ContractError, ContractNotHosted) as exc:
            error = (exc.module, exc.code)
        answer = QueryAnswer(request_hash, state.block_number, state.block_hash, answer_bytes, error)
        return seal_answer(state.identity, answer, reply_to)

    @staticmethod
    def run_query(state: EnclaveState, contract_id: bytes, origin: bytes, payload: bytes) -> bytes:
        slot = state.get_contract(contract_id)
        if slot is None or slot.instance is None:
            raise ContractNotHosted(f"this worker does not run contract 0x{contract_id.hex()} (yet)")
        ctx = ContractContext(contract_id, state.block_number, state.block_timestamp_ms, state.block_hash)
        return slot.instance.handle_query(ctx, origin, payload)
