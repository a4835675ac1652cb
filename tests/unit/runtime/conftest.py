"""Fixtures for runtime tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from phalanx.chain import Blockchain
from phalanx.runtime import ChainSpec
from phalanx.storage import Database
from tests.support.runtime_testchain import Chain


@pytest.fixture
def chain() -> Iterator[Chain]:
    db = Database.temporary()
    try:
        yield Chain(Blockchain(db, ChainSpec.development()))
    finally:
        db.close()
