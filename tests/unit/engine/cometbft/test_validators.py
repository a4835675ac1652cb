"""The Validators runtime module and the validator updates the CometBFT application derives from it."""

from __future__ import annotations

import pytest

from phalanx.engine.abci.types import ValidatorUpdate
from phalanx.engine.cometbft.validators import validator_updates_from_events
from phalanx.runtime.errors import BadOrigin
from phalanx.runtime.framework import ROOT, Context, Origin
from phalanx.runtime.modules import validators
from phalanx.runtime.runtime import EventRecord
from phalanx.runtime.state import EmptyState, State

A, B, C = (bytes([i]) * 32 for i in (1, 2, 3))


def fresh() -> Context:
    ctx = Context(State(EmptyState()), 1)
    validators.genesis(ctx, [(A, 10), (B, 10)])
    return ctx


def test_genesis_and_changes_keep_the_invariants() -> None:
    ctx = fresh()
    assert sorted(validators.get_validators(ctx.state)) == [(A, 10), (B, 10)]
    validators.force_set_power(ctx, ROOT, C, 5)
    validators.force_set_power(ctx, ROOT, A, 20)
    validators.force_set_power(ctx, ROOT, B, 0)
    assert sorted(validators.get_validators(ctx.state)) == [(A, 20), (C, 5)]
    assert validators.invariants(ctx.state) == []
    assert len(ctx.events) == 3


def test_refusals_change_nothing() -> None:
    ctx = fresh()
    before = dict(ctx.state.changes)
    with pytest.raises(BadOrigin):
        validators.force_set_power(ctx, Origin.signed(A), C, 5)
    with pytest.raises(validators.NotAValidator):
        validators.force_set_power(ctx, ROOT, C, 0)
    with pytest.raises(validators.PowerTooHigh):
        validators.force_set_power(ctx, ROOT, C, validators.MAX_POWER + 1)
    validators.force_set_power(ctx, ROOT, B, 0)
    with pytest.raises(validators.WouldEmptySet):
        validators.force_set_power(ctx, ROOT, A, 0)
    assert validators.get_validators(ctx.state) == [(A, 10)]
    assert before[validators.Count.key] != ctx.state.changes[validators.Count.key]


def test_events_become_validator_updates_last_change_winning() -> None:
    records = [
        EventRecord(("ApplyExtrinsic", 1), "Validators", "PowerSet", {"pub_key": C, "power": 5}),
        EventRecord(("ApplyExtrinsic", 1), "Balances", "Transfer", {"from": A, "to": B, "amount": 1}),
        EventRecord(("ApplyExtrinsic", 2), "Validators", "PowerSet", {"pub_key": B, "power": 0}),
        EventRecord(("ApplyExtrinsic", 3), "Validators", "PowerSet", {"pub_key": C, "power": 7}),
    ]
    assert validator_updates_from_events(records) == (ValidatorUpdate(C, 7), ValidatorUpdate(B, 0))
