"""Runtime APIs served through `state_call`, with Substrate's names and SCALE encodings.

    Core_version                                  () -> RuntimeVersion
    Metadata_metadata                             () -> OpaqueMetadata (Vec<u8>)
    AccountNonceApi_account_nonce                 (AccountId) -> u32
    TransactionPaymentApi_query_info              (Extrinsic, u32 len) -> RuntimeDispatchInfo
    TransactionPaymentApi_query_fee_details       (Extrinsic, u32 len) -> FeeDetails
    TaggedTransactionQueue_validate_transaction   (source u8, Extrinsic, block hash) -> TransactionValidity

`query_info` / `query_fee_details` need a decodable extrinsic but no valid signature (wallets send a
zero signature to estimate fees), as in Substrate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from phalanx.codec import (
    U32,
    U128,
    Bytes,
    DecodeError,
    Option,
    Struct,
    decode_compact,
    encode_compact,
    field_,
)
from phalanx.runtime.assembly import CALLS
from phalanx.runtime.errors import (
    REASON_CODES,
    TransactionValidityError,
    UnknownRuntimeApi,
    UnknownTransaction,
)
from phalanx.runtime.extrinsic import decode_extrinsic
from phalanx.runtime.modules import transaction_payment
from phalanx.runtime.types import DISPATCH_CLASS, WEIGHT

if TYPE_CHECKING:
    from phalanx.runtime.runtime import ValidTransaction
    from phalanx.runtime.version import RuntimeVersion

RUNTIME_DISPATCH_INFO = Struct(
    ("pallet_transaction_payment", "types", "RuntimeDispatchInfo"),
    [field_("weight", WEIGHT), field_("class", DISPATCH_CLASS), field_("partial_fee", U128)],
)
INCLUSION_FEE = Struct(
    ("pallet_transaction_payment", "types", "InclusionFee"),
    [field_("base_fee", U128), field_("len_fee", U128), field_("adjusted_weight_fee", U128)],
)
FEE_DETAILS = Struct(
    ("pallet_transaction_payment", "types", "FeeDetails"),
    [field_("inclusion_fee", Option(INCLUSION_FEE)), field_("tip", U128)],
)
_UNKNOWN_CODES = {"CannotLookup": 0, "NoUnsignedValidator": 1, "Custom": 2}


class ApiChain(Protocol):
    """What the runtime APIs call: the runtime, with the block `at` resolved by the chain that holds it
    (`phalanx.chain.Blockchain`)."""

    def runtime_version(self) -> RuntimeVersion: ...
    def metadata(self) -> bytes: ...
    def account_nonce(self, account: bytes, at: bytes | None = None) -> int: ...
    def validate_transaction(self, xt: bytes, at: bytes | None = None) -> ValidTransaction: ...


class RuntimeApis:
    def __init__(self, runtime: ApiChain) -> None:
        self.runtime = runtime
        self.methods: dict[str, Callable[[bytes, bytes | None], bytes]] = {
            "Core_version": self.core_version,
            "Metadata_metadata": self.metadata,
            "AccountNonceApi_account_nonce": self.account_nonce,
            "TransactionPaymentApi_query_info": self.query_info,
            "TransactionPaymentApi_query_fee_details": self.query_fee_details,
            "TaggedTransactionQueue_validate_transaction": self.validate_transaction,
        }

    def call(self, method: str, data: bytes, at: bytes | None) -> bytes:
        handler = self.methods.get(method)
        if handler is None:
            raise UnknownRuntimeApi(
                f"runtime API {method!r} is not implemented; known: {sorted(self.methods)}"
            )
        try:
            return handler(data, at)
        except DecodeError as exc:
            raise UnknownRuntimeApi(f"{method}: cannot decode the arguments: {exc}") from None

    def core_version(self, data: bytes, at: bytes | None) -> bytes:
        return self.runtime.runtime_version().encode()

    def metadata(self, data: bytes, at: bytes | None) -> bytes:
        return Bytes.encode(self.runtime.metadata())

    def account_nonce(self, data: bytes, at: bytes | None) -> bytes:
        if len(data) != 32:
            raise UnknownRuntimeApi("AccountNonceApi_account_nonce takes a 32-byte AccountId")
        return U32.encode(self.runtime.account_nonce(data, at))

    def _fee_parts(self, data: bytes) -> tuple[int, int, int, int, int, bool]:
        if len(data) < 4:
            raise UnknownRuntimeApi("expected (extrinsic, u32 length)")
        xt_bytes, length = data[:-4], int.from_bytes(data[-4:], "little")
        try:
            decode_compact(xt_bytes, 0)
            xt = decode_extrinsic(xt_bytes, CALLS)
        except TransactionValidityError as exc:
            raise UnknownRuntimeApi(f"cannot decode the extrinsic: {exc.message}") from None
        weight = xt.call.decl.weight
        base, by_length, by_weight = transaction_payment.compute_fee_parts(length, weight)
        return weight, base, by_length, by_weight, xt.tip, xt.signed

    def query_info(self, data: bytes, at: bytes | None) -> bytes:
        weight, base, by_length, by_weight, _tip, signed = self._fee_parts(data)
        return RUNTIME_DISPATCH_INFO.encode(
            {
                "weight": {"ref_time": weight, "proof_size": 0},
                "class": ("Normal", None),
                "partial_fee": base + by_length + by_weight if signed else 0,
            }
        )

    def query_fee_details(self, data: bytes, at: bytes | None) -> bytes:
        _weight, base, by_length, by_weight, tip, signed = self._fee_parts(data)
        inclusion = (
            {"base_fee": base, "len_fee": by_length, "adjusted_weight_fee": by_weight} if signed else None
        )
        return FEE_DETAILS.encode({"inclusion_fee": inclusion, "tip": tip})

    def validate_transaction(self, data: bytes, at: bytes | None) -> bytes:
        if len(data) < 33:
            raise UnknownRuntimeApi("expected (source u8, extrinsic, block hash)")
        xt, block_hash = data[1:-32], data[-32:]
        try:
            valid = self.runtime.validate_transaction(xt, block_hash)
        except TransactionValidityError as exc:
            if isinstance(exc, UnknownTransaction):
                return (
                    b"\x01\x01"
                    + bytes((_UNKNOWN_CODES.get(exc.reason, 2),))
                    + (b"\x00" if exc.reason == "Custom" else b"")
                )
            code = REASON_CODES.get(exc.reason, REASON_CODES["Custom"])
            return b"\x01\x00" + bytes((code,)) + (b"\x00" if exc.reason == "Custom" else b"")
        out = bytearray(b"\x00")
        out += valid.priority.to_bytes(8, "little")
        for tags in (valid.requires, valid.provides):
            out += encode_compact(len(tags))
            for tag in tags:
                out += encode_compact(len(tag)) + tag
        out += min(valid.longevity, (1 << 64) - 1).to_bytes(8, "little")
        out += b"\x01"
        return bytes(out)
