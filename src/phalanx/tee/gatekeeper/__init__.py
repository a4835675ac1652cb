"""Gatekeeper: custody, sharing and rotation of the master key, and distribution of contract keys.

`core.apply(state, event) -> (state, effects)` is the whole behaviour, pure and replayable; `keys`
is the key hierarchy with its labels; `events` the chain events in and effects out; `state` the
state and its sealed snapshot. The enclave runtime drives the core with verified blocks.
"""

from phalanx.tee.gatekeeper.core import SNAPSHOT_NAME, Plan, apply, compute_message, is_usable_x25519
from phalanx.tee.gatekeeper.errors import GatekeeperError, InvalidEvent, InvalidKeyMaterial, InvalidSnapshot
from phalanx.tee.gatekeeper.events import (
    BlockStarted,
    ChainEvent,
    ContractAssigned,
    ContractDeployed,
    Effect,
    Emit,
    EmitAsWorker,
    GatekeeperRegistered,
    Log,
    MasterKeyPublished,
    MasterKeyShareReceived,
    RotationRequested,
    StoreSealed,
    WorkerRegistered,
    events_from_message,
)
from phalanx.tee.gatekeeper.keys import (
    ContractKeys,
    compute_contract_key,
    compute_contract_keys,
    compute_gatekeeper_identity,
    compute_sealing_randomness,
    open_contract_key,
    open_master_share,
)
from phalanx.tee.gatekeeper.state import GatekeeperState, decode_state, encode_state, initial_state

__all__ = [
    "SNAPSHOT_NAME", "BlockStarted", "ChainEvent", "ContractAssigned", "ContractDeployed", "ContractKeys",
    "Effect", "Emit", "EmitAsWorker", "GatekeeperError", "GatekeeperRegistered", "GatekeeperState",
    "InvalidEvent", "InvalidKeyMaterial", "InvalidSnapshot", "Log", "MasterKeyPublished",
    "MasterKeyShareReceived", "Plan", "RotationRequested", "StoreSealed", "WorkerRegistered", "apply",
    "compute_contract_key", "compute_contract_keys", "compute_gatekeeper_identity", "compute_message",
    "compute_sealing_randomness", "decode_state", "encode_state", "events_from_message", "initial_state",
    "is_usable_x25519", "open_contract_key", "open_master_share",
]  # fmt: skip
