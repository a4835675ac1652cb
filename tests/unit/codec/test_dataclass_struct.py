"""DataclassStruct: the bytes and the metadata of a Struct, with a frozen dataclass as the value."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from phalanx.codec import U32, U128, Compact, DataclassStruct, EncodeError, Struct, TypeRegistry, Vec, field_


@dataclass(frozen=True)
class Chunk:
    value: int
    era: int


@dataclass
class Mutable:
    value: int
    era: int


FIELDS = [field_("value", Compact(U128), "Balance"), field_("era", U32, "EraIndex")]
PATH = ("pallet_staking", "UnlockChunk")


def test_encodes_and_decodes_as_the_dict_struct() -> None:
    codec = DataclassStruct(Chunk, PATH, FIELDS)
    plain = Struct(PATH, FIELDS)
    raw = plain.encode({"value": 10**15, "era": 7})
    assert codec.encode(Chunk(10**15, 7)) == raw
    assert codec.decode(raw) == Chunk(10**15, 7)
    assert Vec(codec).decode(Vec(plain).encode([{"value": 1, "era": 2}])) == [Chunk(1, 2)]


def test_describes_itself_as_the_dict_struct() -> None:
    with_dataclass, with_dict = TypeRegistry(), TypeRegistry()
    with_dataclass.register(Vec(DataclassStruct(Chunk, PATH, FIELDS)))
    with_dict.register(Vec(Struct(PATH, FIELDS)))
    assert with_dataclass.encode() == with_dict.encode()


def test_refuses_other_values_and_mismatched_classes() -> None:
    codec = DataclassStruct(Chunk, PATH, FIELDS)
    with pytest.raises(EncodeError):
        codec.encode({"value": 1, "era": 2})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        DataclassStruct(Mutable, PATH, FIELDS)
    with pytest.raises(TypeError):
        DataclassStruct(Chunk, PATH, list(reversed(FIELDS)))
