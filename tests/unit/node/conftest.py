"""Fixtures of the node tests."""

from __future__ import annotations

import pytest

from tests.support.fake_chain import FakeChain


@pytest.fixture
def fake_chain() -> FakeChain:
    return FakeChain()
