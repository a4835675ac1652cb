"""The runtime version (`state_getRuntimeVersion`, `Core_version`) and its runtime API list."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from phalanx.codec import encode_compact

SPEC_NAME = "phalanx"
IMPL_NAME = "phalanx-python"
SPEC_VERSION = 1
IMPL_VERSION = 1
AUTHORING_VERSION = 1
TRANSACTION_VERSION = 1
STATE_VERSION = 1

API_VERSIONS: tuple[tuple[str, int], ...] = (
    ("Core", 4),
    ("Metadata", 1),
    ("BlockBuilder", 6),
    ("TaggedTransactionQueue", 3),
    ("AccountNonceApi", 1),
    ("TransactionPaymentApi", 4),
)


def api_id(name: str) -> bytes:
    """The 8-byte id of a runtime API: blake2b-64 of its trait name (as `sp_api` computes it)."""
    return hashlib.blake2b(name.encode(), digest_size=8).digest()


def _str(text: str) -> bytes:
    raw = text.encode()
    return encode_compact(len(raw)) + raw


@dataclass(frozen=True)
class RuntimeVersion:
    spec_name: str = SPEC_NAME
    impl_name: str = IMPL_NAME
    authoring_version: int = AUTHORING_VERSION
    spec_version: int = SPEC_VERSION
    impl_version: int = IMPL_VERSION
    apis: tuple[tuple[str, int], ...] = API_VERSIONS
    transaction_version: int = TRANSACTION_VERSION
    state_version: int = STATE_VERSION

    def encode(self) -> bytes:
        return b"".join(
            (
                _str(self.spec_name),
                _str(self.impl_name),
                self.authoring_version.to_bytes(4, "little"),
                self.spec_version.to_bytes(4, "little"),
                self.impl_version.to_bytes(4, "little"),
                encode_compact(len(self.apis)),
                *(api_id(name) + version.to_bytes(4, "little") for name, version in self.apis),
                self.transaction_version.to_bytes(4, "little"),
                bytes((self.state_version,)),
            )
        )

    def to_json(self) -> dict[str, Any]:
        """The `state_getRuntimeVersion` answer."""
        return {
            "specName": self.spec_name,
            "implName": self.impl_name,
            "authoringVersion": self.authoring_version,
            "specVersion": self.spec_version,
            "implVersion": self.impl_version,
            "apis": [["0x" + api_id(name).hex(), version] for name, version in self.apis],
            "transactionVersion": self.transaction_version,
            "stateVersion": self.state_version,
        }
