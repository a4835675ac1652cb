"""Storage items of the module framework: appending to a `Vec` value without decoding it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from phalanx.codec import U32, Bytes, Vec
from phalanx.runtime.framework import StorageValue
from phalanx.runtime.state import EmptyState, State

ITEMS = StorageValue("Test", "Items", Vec(Bytes), [])


@given(st.lists(st.binary(max_size=80), max_size=70))
def test_append_equals_put_of_the_whole_list(items: list[bytes]) -> None:
    appended, written = State(EmptyState()), State(EmptyState())
    for item in items:
        ITEMS.append(appended, item)
    ITEMS.put(written, items)
    assert appended.get(ITEMS.key) == (written.get(ITEMS.key) if items else None)
    assert ITEMS.get(appended) == items


def test_append_crosses_compact_length_modes() -> None:
    state = State(EmptyState())
    for n in range(70):  # 63 -> 64 items changes the length prefix from one byte to two
        ITEMS.append(state, bytes([n]))
    assert ITEMS.get(state) == [bytes([n]) for n in range(70)]


def test_append_is_for_vec_values_only() -> None:
    with pytest.raises(TypeError):
        StorageValue("Test", "Number", U32, 0).append(State(EmptyState()), 1)
