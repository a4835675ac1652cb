"""SCALE codec throughput: phalanx's hand-written descriptors against scalecodec, side by side.

Measures encode and decode operations per second for the shapes the chain handles most: an
`AccountInfo` storage value (the fixed-width fast path), compact integers across all four modes, and
a signed transfer's call (`RuntimeCall::Balances(transfer_allow_death { dest: MultiAddress::Id, value:
Compact<u128> })`). scalecodec gets its types from our own metadata type registry, the way a client
reading phalanx's metadata would, and both sides are first checked to produce identical bytes. (The
call types get neutral paths: under their Substrate paths scalecodec swaps in its metadata-driven
`GenericCall` and `GenericMultiAddress` classes, which need a full runtime metadata.)

Usage: `python bench/codec.py [--seconds S]` (default 0.5 s per measurement).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset

from phalanx.codec import U32, U128, AccountId, Codec, Compact, Enum, Struct, TypeRegistry, field_, variant

ACCOUNT_DATA = Struct(
    ("pallet_balances", "types", "AccountData"),
    [field_("free", U128), field_("reserved", U128), field_("frozen", U128), field_("flags", U128)],
)
ACCOUNT_INFO = Struct(
    ("frame_system", "AccountInfo"),
    [field_("nonce", U32), field_("consumers", U32), field_("providers", U32), field_("sufficients", U32),
     field_("data", ACCOUNT_DATA)],
)  # fmt: skip
COMPACT = Compact(U128)
MULTI_ADDRESS = Enum(
    ("phalanx_bench", "Address"),
    [variant("Id", 0, field_(None, AccountId)), variant("Index", 1, field_(None, Compact(U32)))],
)
BALANCES_CALL = Enum(
    ("phalanx_bench", "BalancesCalls"),
    [variant("transfer_allow_death", 0, field_("dest", MULTI_ADDRESS), field_("value", Compact(U128)))],
)
RUNTIME_CALL = Enum(("phalanx_bench", "Calls"), [variant("Balances", 5, field_(None, BALANCES_CALL))])

ACCOUNT_VALUE = {
    "nonce": 42, "consumers": 1, "providers": 1, "sufficients": 0,
    "data": {"free": 1_234_567 * 10**12, "reserved": 10**12, "frozen": 0, "flags": 1 << 127},
}  # fmt: skip
COMPACT_VALUES = [7, 1_000, 1 << 20, 1 << 40, 10**24]
DEST = bytes(range(32))
CALL_VALUE = ("Balances", ("transfer_allow_death", {"dest": ("Id", DEST), "value": 25 * 10**12}))
CALL_VALUE_SC = {
    "Balances": {"transfer_allow_death": {"dest": {"Id": "0x" + DEST.hex()}, "value": 25 * 10**12}}
}


class ScaleCodecSide:
    """scalecodec decoders for our descriptors, built from our PortableRegistry bytes."""

    def __init__(self, *codecs: Codec[Any]) -> None:
        registry = TypeRegistry()
        self.ids = [registry.register(c) for c in codecs]
        self.runtime = RuntimeConfigurationObject()
        self.runtime.update_type_registry(load_type_registry_preset("core"))
        portable = self.runtime.create_scale_object("PortableRegistry", ScaleBytes(registry.encode()))
        portable.decode()
        self.runtime.update_from_scale_info_types(portable.value_object["types"].value_object, prefix="bench")

    def type_string(self, index: int) -> str:
        return f"bench::{self.ids[index]}"

    def encode(self, type_string: str, value: Any) -> bytes:
        return bytes(self.runtime.create_scale_object(type_string).encode(value).data)

    def decode(self, type_string: str, data: bytes) -> Any:
        return self.runtime.create_scale_object(type_string, ScaleBytes(bytearray(data))).decode()


def rate(op: Callable[[], object], seconds: float) -> float:
    """Operations per second of `op`, timed over batches until `seconds` have passed."""
    batch, done, start = 16, 0, time.perf_counter()
    while True:
        for _ in range(batch):
            op()
        done += batch
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed
        batch *= 2 if elapsed < seconds / 4 else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.5, help="time per measurement")
    args = parser.parse_args()

    sc = ScaleCodecSide(ACCOUNT_INFO, COMPACT, RUNTIME_CALL)
    info_t, compact_t, call_t = sc.type_string(0), sc.type_string(1), sc.type_string(2)

    account = ACCOUNT_INFO.encode(ACCOUNT_VALUE)
    compacts = [COMPACT.encode(v) for v in COMPACT_VALUES]
    call = RUNTIME_CALL.encode(CALL_VALUE)
    # the comparison means something only if both sides agree on every byte
    if sc.encode(info_t, ACCOUNT_VALUE) != account or sc.decode(info_t, account) != ACCOUNT_VALUE:
        raise SystemExit("AccountInfo encodings differ")
    if [sc.encode(compact_t, v) for v in COMPACT_VALUES] != compacts:
        raise SystemExit("compact encodings differ")
    if sc.encode(call_t, CALL_VALUE_SC) != call or sc.decode(call_t, call) != CALL_VALUE_SC:
        raise SystemExit("call encodings differ")

    def compact_encode_ours() -> None:
        for v in COMPACT_VALUES:
            COMPACT.encode(v)

    def compact_decode_ours() -> None:
        for b in compacts:
            COMPACT.decode(b)

    def compact_encode_sc() -> None:
        for v in COMPACT_VALUES:
            sc.encode(compact_t, v)

    def compact_decode_sc() -> None:
        for b in compacts:
            sc.decode(compact_t, b)

    n = len(COMPACT_VALUES)
    cases: list[tuple[str, Callable[[], object], Callable[[], object], int]] = [
        ("AccountInfo encode", lambda: ACCOUNT_INFO.encode(ACCOUNT_VALUE),
         lambda: sc.encode(info_t, ACCOUNT_VALUE), 1),
        ("AccountInfo decode", lambda: ACCOUNT_INFO.decode(account), lambda: sc.decode(info_t, account), 1),
        ("Compact<u128> encode", compact_encode_ours, compact_encode_sc, n),
        ("Compact<u128> decode", compact_decode_ours, compact_decode_sc, n),
        ("transfer call encode", lambda: RUNTIME_CALL.encode(CALL_VALUE),
         lambda: sc.encode(call_t, CALL_VALUE_SC), 1),
        ("transfer call decode", lambda: RUNTIME_CALL.decode(call), lambda: sc.decode(call_t, call), 1),
    ]  # fmt: skip
    print(f"{'operation':<24}{'phalanx ops/s':>16}{'scalecodec ops/s':>19}{'ratio':>9}")
    for name, ours, theirs, per_call in cases:
        ours_rate = rate(ours, args.seconds) * per_call
        theirs_rate = rate(theirs, args.seconds) * per_call
        print(f"{name:<24}{ours_rate:>16,.0f}{theirs_rate:>19,.0f}{ours_rate / theirs_rate:>8.0f}x")
    sizes = [len(c) for c in compacts]
    print(f"sizes: AccountInfo {len(account)} B, transfer call {len(call)} B, compacts {sizes} B")


if __name__ == "__main__":
    main()
