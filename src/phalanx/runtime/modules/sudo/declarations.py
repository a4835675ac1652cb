"""Sudo declarations: the sudo key, the events reporting each sudo dispatch, and its one error."""

from __future__ import annotations

from phalanx.codec import AccountId, Enum, Option, Unit, field_, variant
from phalanx.runtime.errors import ModuleError
from phalanx.runtime.framework import EventDecl, StorageValue
from phalanx.runtime.types import DISPATCH_ERROR

NAME = "Sudo"
INDEX = 4
CRATE = "pallet_sudo"

# -- storage -------------------------------------------------------------------------------------------

Key = StorageValue(NAME, "Key", AccountId, None, docs="The `AccountId` of the sudo key.")

STORAGE = (Key,)

# -- events --------------------------------------------------------------------------------------------

DISPATCH_RESULT = Enum(
    ("Result",),
    [variant("Ok", 0, field_(None, Unit)), variant("Err", 1, field_(None, DISPATCH_ERROR))],
    params=(("T", Unit), ("E", DISPATCH_ERROR)),
)
Sudid = EventDecl(
    "Sudid", 0, (field_("sudo_result", DISPATCH_RESULT, "DispatchResult"),), ("A sudo call just took place.",)
)
KeyChanged = EventDecl(
    "KeyChanged",
    1,
    (field_("old", Option(AccountId), "Option<T::AccountId>"), field_("new", AccountId, "T::AccountId")),
    ("The sudo key has been updated.",),
)
KeyRemoved = EventDecl("KeyRemoved", 2, (), ("The key was permanently removed.",))
SudoAsDone = EventDecl(
    "SudoAsDone",
    3,
    (field_("sudo_result", DISPATCH_RESULT, "DispatchResult"),),
    ("A sudo_as call just took place.",),
)

EVENTS = (Sudid, KeyChanged, KeyRemoved, SudoAsDone)

# -- errors --------------------------------------------------------------------------------------------


class RequireSudo(ModuleError):
    """Sender must be the Sudo account."""

    module = "sudo"
    code = 0


ERRORS = (RequireSudo,)
