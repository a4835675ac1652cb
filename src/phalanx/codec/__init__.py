"""SCALE, the encoding of every chain type, with descriptors that also feed the metadata type registry."""

from phalanx.codec.compact import decode_compact, encode_compact
from phalanx.codec.dataclass_enum import DataclassEnum, Mapped, Member, member
from phalanx.codec.dataclass_struct import DataclassStruct
from phalanx.codec.errors import CodecError, DecodeError, EncodeError
from phalanx.codec.registry import TypeRegistry
from phalanx.codec.types import (
    H256,
    I8,
    I16,
    I32,
    I64,
    I128,
    U8,
    U16,
    U32,
    U64,
    U128,
    U256,
    AccountId,
    Array,
    Balance,
    BlockNumber,
    Bool,
    Bytes,
    Codec,
    Compact,
    Enum,
    FieldInfo,
    FixedBytes,
    Option,
    Str,
    Struct,
    Tuple,
    TypeInfo,
    Unit,
    VariantInfo,
    Vec,
    field_,
    variant,
)  # fmt: skip

__all__ = [
    "H256", "I8", "I16", "I32", "I64", "I128", "U8", "U16", "U32", "U64", "U128", "U256",
    "AccountId", "Array", "Balance", "BlockNumber", "Bool", "Bytes", "Codec", "CodecError", "Compact",
    "DataclassEnum", "DecodeError", "EncodeError", "Enum", "FieldInfo", "FixedBytes", "Mapped", "Member",
    "Option", "Str", "Struct", "Tuple", "TypeInfo", "TypeRegistry", "Unit", "VariantInfo", "Vec",
    "decode_compact", "encode_compact", "field_", "member", "variant",
]  # fmt: skip
__all__ += ["DataclassStruct"]
