"""Runtime-wide SCALE types, with the type paths stock Substrate clients recognise.

`AccountInfo` has a hand-packed codec (one `struct.Struct` for all eight integers) because it is read
and written twice per transfer. `Era` is Substrate's transaction mortality encoding.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from phalanx.codec import (
    H256,
    U8,
    U32,
    U64,
    U128,
    AccountId,
    Bytes,
    Codec,
    Compact,
    DecodeError,
    EncodeError,
    Enum,
    FixedBytes,
    Struct,
    TypeInfo,
    Vec,
    field_,
    variant,
)
from phalanx.codec.types import FieldInfo, VariantInfo

# ----------------------------------------------------------------------------------------------------
# Accounts


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """`frame_system::AccountInfo<u32, pallet_balances::AccountData<u128>>`, flattened."""

    nonce: int = 0
    consumers: int = 0
    providers: int = 0
    sufficients: int = 0
    free: int = 0
    reserved: int = 0
    frozen: int = 0
    flags: int = 0


ACCOUNT_DATA = Struct(
    ("pallet_balances", "types", "AccountData"),
    [
        field_("free", U128, "Balance"),
        field_("reserved", U128, "Balance"),
        field_("frozen", U128, "Balance"),
        field_(
            "flags",
            Struct(("pallet_balances", "types", "ExtraFlags"), [field_(None, U128, "u128")]),
            "ExtraFlags",
        ),
    ],
    params=(("Balance", U128),),
)

_M64 = (1 << 64) - 1


class AccountInfoCodec(Codec[AccountInfo]):
    _packer = struct.Struct("<IIII8Q")

    def encode_into(self, buf: bytearray, value: AccountInfo) -> None:
        free, reserved, frozen, flags = value.free, value.reserved, value.frozen, value.flags
        try:
            buf += self._packer.pack(
                value.nonce,
                value.consumers,
                value.providers,
                value.sufficients,
                free & _M64,
                free >> 64,
                reserved & _M64,
                reserved >> 64,
                frozen & _M64,
                frozen >> 64,
                flags & _M64,
                flags >> 64,
            )
        except struct.error as exc:
            raise EncodeError(f"AccountInfo: {exc}") from None

    def decode_from(self, data: bytes, offset: int) -> tuple[AccountInfo, int]:
        end = offset + 80
        if end > len(data):
            raise DecodeError("truncated AccountInfo")
        n, c, p, s, f0, f1, r0, r1, z0, z1, g0, g1 = self._packer.unpack_from(data, offset)
        return AccountInfo(n, c, p, s, f0 | f1 << 64, r0 | r1 << 64, z0 | z1 << 64, g0 | g1 << 64), end

    def type_info(self) -> TypeInfo:
        return TypeInfo(
            "composite",
            path=("frame_system", "AccountInfo"),
            params=(("Nonce", U32), ("AccountData", ACCOUNT_DATA)),
            fields=(
                field_("nonce", U32, "Nonce"),
                field_("consumers", U32, "RefCount"),
                field_("providers", U32, "RefCount"),
                field_("sufficients", U32, "RefCount"),
                field_("data", ACCOUNT_DATA, "AccountData"),
            ),
        )

    def __repr__(self) -> str:
        return "frame_system::AccountInfo"


ACCOUNT_INFO = AccountInfoCodec()

# ----------------------------------------------------------------------------------------------------
# Addresses and signatures

MULTI_ADDRESS = Enum(
    ("sp_runtime", "multiaddress", "MultiAddress"),
    [
        variant("Id", 0, field_(None, AccountId, "AccountId")),
        variant("Index", 1, field_(None, Compact(U32), "AccountIndex")),
        variant("Raw", 2, field_(None, Bytes, "Vec<u8>")),
        variant("Address32", 3, field_(None, FixedBytes(32), "[u8; 32]")),
        variant("Address20", 4, field_(None, FixedBytes(20), "[u8; 20]")),
    ],
    params=(("AccountId", AccountId), ("AccountIndex", U32)),
)

MULTI_SIGNATURE = Enum(
    ("sp_runtime", "MultiSignature"),
    [
        variant(
            "Ed25519",
            0,
            field_(None, FixedBytes(64, ("sp_core", "ed25519", "Signature")), "ed25519::Signature"),
        ),
        variant(
            "Sr25519",
            1,
            field_(None, FixedBytes(64, ("sp_core", "sr25519", "Signature")), "sr25519::Signature"),
        ),
        variant(
            "Ecdsa", 2, field_(None, FixedBytes(65, ("sp_core", "ecdsa", "Signature")), "ecdsa::Signature")
        ),
    ],
)

# ----------------------------------------------------------------------------------------------------
# Era (transaction mortality)

Era = tuple[int, int] | None
"""None is immortal; (period, phase) is mortal: valid from its birth block for `period` blocks."""


def encode_era(era: Era) -> bytes:
    if era is None:
        return b"\x00"
    period, phase = era
    if period < 4 or period > 1 << 16 or period & (period - 1) or not 0 <= phase < period:
        raise EncodeError(f"invalid mortal era period={period} phase={phase}")
    quantize = max(period >> 12, 1)
    encoded = min(15, max(1, period.bit_length() - 2)) | ((phase // quantize) << 4)
    return encoded.to_bytes(2, "little")


def mortal_era(period: int, current: int) -> tuple[int, int]:
    """The era of `period` blocks (rounded up to a power of two in 4..65536) born at block `current`."""
    period = 1 << max(2, min(16, (max(period, 1) - 1).bit_length()))
    quantize = max(period >> 12, 1)
    phase = current % period // quantize * quantize
    return period, phase


def decode_era(data: bytes, offset: int) -> tuple[Era, int]:
    if offset >= len(data):
        raise DecodeError("truncated era")
    if data[offset] == 0:
        return None, offset + 1
    if offset + 2 > len(data):
        raise DecodeError("truncated mortal era")
    encoded = data[offset] | data[offset + 1] << 8
    period = 2 << (encoded % 16)
    quantize = max(period >> 12, 1)
    phase = (encoded >> 4) * quantize
    if period < 4 or phase >= period:
        raise DecodeError("invalid mortal era")
    return (period, phase), offset + 2


def era_birth(era: tuple[int, int], current: int) -> int:
    period, phase = era
    return (max(current, phase) - phase) // period * period + phase


class EraCodec(Codec[Era]):
    def encode_into(self, buf: bytearray, value: Era) -> None:
        buf += encode_era(value)

    def decode_from(self, data: bytes, offset: int) -> tuple[Era, int]:
        return decode_era(data, offset)

    def type_info(self) -> TypeInfo:
        variants = [VariantInfo("Immortal", 0)]
        variants += [VariantInfo(f"Mortal{i}", i, (FieldInfo(None, U8),)) for i in range(1, 256)]
        return TypeInfo("variant", path=("sp_runtime", "generic", "era", "Era"), variants=tuple(variants))

    def __repr__(self) -> str:
        return "Era"


ERA = EraCodec()

# ----------------------------------------------------------------------------------------------------
# Dispatch results

WEIGHT = Struct(
    ("sp_weights", "weight_v2", "Weight"),
    [field_("ref_time", Compact(U64), "u64"), field_("proof_size", Compact(U64), "u64")],
)
DISPATCH_CLASS = Enum(
    ("frame_support", "dispatch", "DispatchClass"),
    [variant("Normal", 0), variant("Operational", 1), variant("Mandatory", 2)],
)
PAYS = Enum(("frame_support", "dispatch", "Pays"), [variant("Yes", 0), variant("No", 1)])
DISPATCH_INFO = Struct(
    ("frame_support", "dispatch", "DispatchInfo"),
    [
        field_("weight", WEIGHT, "Weight"),
        field_("class", DISPATCH_CLASS, "DispatchClass"),
        field_("pays_fee", PAYS, "Pays"),
    ],
)
MODULE_ERROR = Struct(
    ("sp_runtime", "ModuleError"),
    [field_("index", U8, "u8"), field_("error", FixedBytes(4), "[u8; MAX_MODULE_ERROR_ENCODED_SIZE]")],
)
TOKEN_ERROR = Enum(
    ("sp_runtime", "TokenError"),
    [
        variant(n, i)
        for i, n in enumerate(
            (
                "FundsUnavailable",
                "OnlyProvider",
                "BelowMinimum",
                "CannotCreate",
                "UnknownAsset",
                "Frozen",
                "Unsupported",
                "CannotCreateHold",
                "NotExpendable",
                "Blocked",
            )
        )
    ],
)
ARITHMETIC_ERROR = Enum(
    ("sp_arithmetic", "ArithmeticError"),
    [variant("Underflow", 0), variant("Overflow", 1), variant("DivisionByZero", 2)],
)
TRANSACTIONAL_ERROR = Enum(
    ("sp_runtime", "TransactionalError"), [variant("LimitReached", 0), variant("NoLayer", 1)]
)
DISPATCH_ERROR = Enum(
    ("sp_runtime", "DispatchError"),
    [
        variant("Other", 0),
        variant("CannotLookup", 1),
        variant("BadOrigin", 2),
        variant("Module", 3, field_(None, MODULE_ERROR, "ModuleError")),
        variant("ConsumerRemaining", 4),
        variant("NoProviders", 5),
        variant("TooManyConsumers", 6),
        variant("Token", 7, field_(None, TOKEN_ERROR, "TokenError")),
        variant("Arithmetic", 8, field_(None, ARITHMETIC_ERROR, "ArithmeticError")),
        variant("Transactional", 9, field_(None, TRANSACTIONAL_ERROR, "TransactionalError")),
        variant("Exhausted", 10),
        variant("Corruption", 11),
        variant("Unavailable", 12),
        variant("RootNotAllowed", 13),
    ],
)


def dispatch_info(weight: int, operational: bool = False, pays: bool = True) -> dict[str, Any]:
    return {
        "weight": {"ref_time": weight, "proof_size": 0},
        "class": ("Operational", None) if operational else ("Normal", None),
        "pays_fee": ("Yes", None) if pays else ("No", None),
    }


# ----------------------------------------------------------------------------------------------------
# Events

PHASE = Enum(
    ("frame_system", "Phase"),
    [
        variant("ApplyExtrinsic", 0, field_(None, U32, "u32")),
        variant("Finalization", 1),
        variant("Initialization", 2),
    ],
)


def phase_apply_extrinsic(index: int) -> bytes:
    return b"\x00" + index.to_bytes(4, "little")


PHASE_FINALIZATION = b"\x01"
PHASE_INITIALIZATION = b"\x02"

TOPICS = Vec(H256)
