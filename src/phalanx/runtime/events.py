"""Decoded `System.Events`: the records a block's extrinsics and hooks deposited.

Pure decoding over the runtime's event codec (the composition in `assembly.py`), with no block store
behind it, so that clients outside the node read events without opening a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import phalanx.runtime.assembly  # noqa: F401  (binds the runtime event codec that System.Events uses)
from phalanx.codec import DecodeError
from phalanx.runtime.errors import InvalidBlock
from phalanx.runtime.modules.system import declarations as system_d


@dataclass(frozen=True)
class EventRecord:
    """A decoded `frame_system::EventRecord`: phase ("ApplyExtrinsic", index) / ("Finalization", None) ..."""

    phase: tuple[str, int | None]
    module: str
    name: str
    fields: dict[str, Any]
    topics: tuple[bytes, ...] = ()


_EVENTS_CODEC = system_d.Events.codec


def decode_events(raw: bytes) -> list[EventRecord]:
    """Decode `System.Events` storage bytes."""
    try:
        records = _EVENTS_CODEC.decode(raw)
    except DecodeError as exc:
        raise InvalidBlock(f"System.Events does not decode: {exc}") from None
    out = []
    for rec in records:
        module, (name, fields) = rec["event"]
        phase_name, phase_value = rec["phase"]
        out.append(
            EventRecord((phase_name, phase_value), module, name, dict(fields or {}), tuple(rec["topics"]))
        )
    return out


__all__ = ["EventRecord", "decode_events"]
