"""The built-in contracts, by name and by id.

A built-in contract's id is fixed by its name, `blake2_256("phalanx/contract/builtin/" ++ name)`,
so the chain, the enclaves and clients agree on it without a deployment step. New built-ins
(voting, tickets, messaging, analytics) are added to `BUILTINS`; a name is never reused.
"""

from __future__ import annotations

from phalanx.contracts.errors import UnknownBuiltin
from phalanx.contracts.sdk import Contract
from phalanx.contracts.token import Token
from phalanx.crypto import blake2_256

_BUILTIN_ID_PREFIX = b"phalanx/contract/builtin/"

BUILTINS: dict[str, type[Contract]] = {Token.NAME: Token}


def compute_builtin_id(name: str) -> bytes:
    """The 32-byte contract id of the built-in contract `name` (whether or not it exists)."""
    return blake2_256(_BUILTIN_ID_PREFIX + name.encode())


def get_builtin_names() -> tuple[str, ...]:
    return tuple(sorted(BUILTINS))


def get_builtin_class(name_or_id: str | bytes) -> type[Contract]:
    """Look a built-in up by name or by 32-byte id; raises `UnknownBuiltin`."""
    if isinstance(name_or_id, str):
        cls = BUILTINS.get(name_or_id)
    else:
        cls = next((c for n, c in sorted(BUILTINS.items()) if compute_builtin_id(n) == name_or_id), None)
    if cls is None:
        shown = name_or_id if isinstance(name_or_id, str) else name_or_id.hex()
        raise UnknownBuiltin(f"no built-in contract {shown!r}; known: {', '.join(get_builtin_names())}")
    return cls


def create_builtin(name_or_id: str | bytes) -> Contract:
    """A new built-in contract in its genesis (empty) state."""
    return get_builtin_class(name_or_id)()
