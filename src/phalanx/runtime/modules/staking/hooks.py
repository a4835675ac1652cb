"""How Staking meets the consensus engine: validator-set listeners and block-author finders.

The runtime does not know who orders blocks, so Staking asks and tells through two small hooks that
the composition (`phalanx.runtime.assembly`) wires once, to the consensus-facing module's functions
(so every node runs the same ones):

- `on_new_validator_set(hook)`: `hook(ctx, era, elected)` runs in the block that starts an era, with
  `elected` = ((stash, total exposure in planck), ...) in election order. The Validators module (index
  14) turns it into CometBFT voting powers. The dev engine keeps its single dev authority whatever the
  election says (it has no other signer); the elected set then only decides who is paid.
- `register_author_finder(finder)`: `finder(ctx) -> stash | None` names the stash that authored the
  current block (CometBFT: the proposer in the block digest, mapped to its stash by the Validators
  module). The first finder that answers wins; with none, Staking credits its `FallbackAuthor` (the
  genesis dev authority on dev chains).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from phalanx.runtime.framework import Context

ValidatorSetHook = Callable[[Context, int, Sequence[tuple[bytes, int]]], None]
AuthorFinder = Callable[[Context], bytes | None]

_SET_HOOKS: list[ValidatorSetHook] = []
_AUTHOR_FINDERS: list[AuthorFinder] = []


def on_new_validator_set(hook: ValidatorSetHook) -> ValidatorSetHook:
    """Register `hook` (usable as a decorator); registering the same function twice is a no-op."""
    if hook not in _SET_HOOKS:
        _SET_HOOKS.append(hook)
    return hook


def register_author_finder(finder: AuthorFinder) -> AuthorFinder:
    if finder not in _AUTHOR_FINDERS:
        _AUTHOR_FINDERS.append(finder)
    return finder


def notify_validator_set(ctx: Context, era: int, elected: Sequence[tuple[bytes, int]]) -> None:
    for hook in _SET_HOOKS:
        hook(ctx, era, elected)


def find_author(ctx: Context) -> bytes | None:
    for finder in _AUTHOR_FINDERS:
        author = finder(ctx)
        if author is not None:
            return author
    return None
