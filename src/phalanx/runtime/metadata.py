"""Metadata V14 (`RuntimeMetadataPrefixed`), generated from the module declarations.

    "meta" ++ 0x0e ++ RuntimeMetadataV14 {
        types: PortableRegistry,
        pallets: Vec<PalletMetadata { name, storage: Option<{prefix, entries}>, calls: Option<ty>,
                                      event: Option<ty>, constants: Vec<{name, ty, value, docs}>,
                                      error: Option<ty>, index: u8 }>,
        extrinsic: ExtrinsicMetadata { ty, version: 4,
                                       signed_extensions: Vec<{identifier, ty, additional_signed}> },
        ty: RuntimeType }

Type ids are Compact<u32>. `RuntimeCall` is recursive (Sudo calls carry a call), so it is given its
id before its contents are registered.
"""

from __future__ import annotations

import functools
from typing import Any

from phalanx.codec import (
    H256,
    U32,
    U128,
    AccountId,
    Codec,
    Compact,
    Struct,
    Tuple,
    TypeRegistry,
    encode_compact,
)
from phalanx.runtime.assembly import CALLS, ERRORS, EVENTS, MODULES
from phalanx.runtime.framework import RUNTIME_CALL, RUNTIME_EVENT, Module, StorageMap, StorageValue
from phalanx.runtime.types import ERA, MULTI_ADDRESS, MULTI_SIGNATURE, WEIGHT

MAGIC = b"meta"
VERSION = 14


def _str(buf: bytearray, text: str) -> None:
    raw = text.encode()
    buf += encode_compact(len(raw)) + raw


def _docs(buf: bytearray, docs: tuple[str, ...] | str) -> None:
    lines = (docs,) if isinstance(docs, str) and docs else (() if isinstance(docs, str) else docs)
    buf += encode_compact(len(lines))
    for line in lines:
        _str(buf, line)


class _UncheckedExtrinsic(Codec[bytes]):
    """Only a type description: `sp_runtime::generic::unchecked_extrinsic::UncheckedExtrinsic`."""

    def type_info(self) -> Any:
        from phalanx.codec import TypeInfo
        from phalanx.codec.types import FieldInfo

        extra = Tuple()  # the signed extensions' extra, described separately below
        return TypeInfo(
            "composite",
            path=("sp_runtime", "generic", "unchecked_extrinsic", "UncheckedExtrinsic"),
            params=(
                ("Address", MULTI_ADDRESS),
                ("Call", CALLS),
                ("Signature", MULTI_SIGNATURE),
                ("Extra", extra),
            ),
            fields=(FieldInfo(None, _BYTES),),
        )


from phalanx.codec import Bytes as _BYTES  # noqa: E402


def _storage_entry(buf: bytearray, reg: TypeRegistry, item: StorageValue | StorageMap) -> None:
    _str(buf, item.name)
    default = item.default
    if default is None:
        buf.append(0)  # Optional
        default_bytes = b"\x00"
    else:
        buf.append(1)  # Default
        default_bytes = item.codec.encode(default)
    if isinstance(item, StorageValue):
        buf.append(0)
        buf += encode_compact(reg.register(item.codec))
    else:
        buf.append(1)
        buf += encode_compact(1)
        buf.append(item.hasher.value)
        buf += encode_compact(reg.register(item.key_codec))
        buf += encode_compact(reg.register(item.codec))
    buf += encode_compact(len(default_bytes)) + default_bytes
    _docs(buf, item.docs)


def _pallet(buf: bytearray, reg: TypeRegistry, m: Module) -> None:
    _str(buf, m.name)
    if m.storage:
        buf.append(1)
        _str(buf, m.name)
        buf += encode_compact(len(m.storage))
        for item in m.storage:
            _storage_entry(buf, reg, item)
    else:
        buf.append(0)
    for codec in (m.call_codec, m.event_codec):
        if codec is None:
            buf.append(0)
        else:
            buf.append(1)
            buf += encode_compact(reg.register(codec))
    buf += encode_compact(len(m.constants))
    for c in m.constants:
        _str(buf, c.name)
        buf += encode_compact(reg.register(c.codec))
        value = c.codec.encode(c.value)
        buf += encode_compact(len(value)) + value
        _docs(buf, c.docs)
    if m.error_codec is None:
        buf.append(0)
    else:
        buf.append(1)
        buf += encode_compact(reg.register(m.error_codec))
    buf.append(m.index)


SIGNED_EXTENSIONS: tuple[tuple[str, Codec[Any], Codec[Any]], ...] = (
    ("CheckNonZeroSender", Tuple(), Tuple()),
    ("CheckSpecVersion", Tuple(), U32),
    ("CheckTxVersion", Tuple(), U32),
    ("CheckGenesis", Tuple(), H256),
    ("CheckMortality", ERA, H256),
    ("CheckNonce", Compact(U32), Tuple()),
    ("CheckWeight", Tuple(), Tuple()),
    ("ChargeTransactionPayment", Compact(U128), Tuple()),
)
"""(identifier, extra type, additional-signed type), in signing order."""


def _named(path: tuple[str, ...], inner: Codec[Any]) -> Struct:
    from phalanx.codec import field_

    return Struct(path, [field_(None, inner)])


@functools.cache
def runtime_metadata() -> bytes:
    """The SCALE-encoded `RuntimeMetadataPrefixed` (V14) of this runtime."""
    reg = TypeRegistry()
    reg.register_recursive(CALLS, RUNTIME_CALL)
    reg.register(RUNTIME_EVENT)
    reg.register(EVENTS)
    reg.register(ERRORS)
    reg.register(AccountId)
    reg.register(WEIGHT)
    buf = bytearray()
    buf += encode_compact(len(MODULES))
    for m in MODULES:
        _pallet(buf, reg, m)
    # extrinsic metadata
    xt_type = reg.register(_UncheckedExtrinsic())
    ext = bytearray(encode_compact(xt_type))
    ext.append(4)
    ext += encode_compact(len(SIGNED_EXTENSIONS))
    for name, extra, additional in SIGNED_EXTENSIONS:
        _str(ext, name)
        extra_codec = (
            extra
            if name in ("CheckMortality", "CheckNonce", "ChargeTransactionPayment")
            else _named(("frame_system", "extensions", _module_of(name), name), Tuple())
        )
        ext += encode_compact(reg.register(_extension_type(name, extra_codec)))
        ext += encode_compact(reg.register(additional))
    runtime_type = reg.register(_named(("phalanx_runtime", "Runtime"), Tuple()))
    types = reg.encode()
    return MAGIC + bytes((VERSION,)) + types + bytes(buf) + bytes(ext) + encode_compact(runtime_type)


_EXTENSION_MODULES = {
    "CheckNonZeroSender": "check_non_zero_sender",
    "CheckSpecVersion": "check_spec_version",
    "CheckTxVersion": "check_tx_version",
    "CheckGenesis": "check_genesis",
    "CheckMortality": "check_mortality",
    "CheckNonce": "check_nonce",
    "CheckWeight": "check_weight",
}


def _module_of(name: str) -> str:
    return _EXTENSION_MODULES.get(name, name.lower())


def _extension_type(name: str, extra: Codec[Any]) -> Codec[Any]:
    """The signed extension's own type: a newtype around its extra, with Substrate's path."""
    if name == "ChargeTransactionPayment":
        return _named(("pallet_transaction_payment", "ChargeTransactionPayment"), extra)
    if name in ("CheckMortality", "CheckNonce"):
        return _named(("frame_system", "extensions", _module_of(name), name), extra)
    return extra
