"""Session's genesis configuration: the session length and the session keys set at genesis.

JSON (`"economics": {"session": {...}}`): `{"session_length": 600, "keys": [["<ss58 stash>", "0x<key>"]]}`;
missing keys take the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from phalanx.primitives.ss58 import parse_account, ss58_encode
from phalanx.runtime.errors import GenesisError


@dataclass(frozen=True)
class SessionConfig:
    session_length: int = 600
    """Blocks in a session (an hour at 6-second blocks)."""
    keys: tuple[tuple[bytes, bytes], ...] = ()
    """Genesis session keys: (stash, ed25519 consensus key); JSON `[["<ss58 stash>", "0x<key>"], ...]`."""

    def check(self) -> None:
        """Raise GenesisError for parameters Session cannot run with."""
        if self.session_length <= 0:
            raise GenesisError(
                f"economics parameter session_length must be above 0, got {self.session_length}"
            )

    def to_json(self) -> dict[str, Any]:
        return {
            "session_length": self.session_length,
            "keys": [[ss58_encode(stash), "0x" + key.hex()] for stash, key in self.keys],
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> SessionConfig:
        """Raises KeyError, TypeError or ValueError for malformed JSON."""
        d = dict(d)
        keys = tuple(
            (parse_account(stash), bytes.fromhex(str(key).removeprefix("0x")))
            for stash, key in d.pop("keys", ())
        )
        numbers: dict[str, Any] = {k: int(v) for k, v in d.items()}
        return replace(cls(keys=keys), **numbers)
