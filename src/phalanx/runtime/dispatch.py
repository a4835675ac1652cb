"""Calls as values (`Call`), the `RuntimeCall` / `RuntimeEvent` codecs, and dispatch in a transaction.

A `Call` is decoded once from an extrinsic (pallet index, call index, typed arguments) and dispatched
by `dispatch_call`, which opens a storage transaction around it: if the call raises a
`DispatchFailure`, its writes and its events are rolled back and the failure is returned, so the
caller decides what remains (the fee and nonce, written outside the transaction).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from phalanx.codec import Codec, DecodeError, EncodeError, Enum, FieldInfo, TypeInfo, VariantInfo, field_
from phalanx.runtime.errors import DispatchFailure
from phalanx.runtime.framework import CallDecl, Context, Module, Origin


@dataclass(frozen=True)
class Call:
    """A decoded call: its module, its declaration, and its arguments by name."""

    module: Module
    decl: CallDecl
    args: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.module.name}.{self.decl.name}"


class RuntimeCallCodec(Codec[Call]):
    """`phalanx_runtime::RuntimeCall`: pallet index byte, call index byte, arguments."""

    def __init__(self, modules: Sequence[Module]) -> None:
        self.modules = tuple(m for m in modules if m.calls)
        self.table: dict[int, tuple[Module, CallDecl]] = {}
        self.by_name: dict[tuple[str, str], tuple[Module, CallDecl]] = {}
        for m in self.modules:
            for c in m.calls:
                self.table[m.index << 8 | c.index] = (m, c)
                self.by_name[(m.name, c.name)] = (m, c)

    def call(self, module: str, function: str, **args: Any) -> Call:
        """Build a call by names, e.g. `call("Balances", "transfer_keep_alive", dest=..., value=...)`."""
        found = self.by_name.get((module, function))
        if found is None:
            raise EncodeError(f"no call {module}.{function}")
        return Call(found[0], found[1], args)

    def encode_into(self, buf: bytearray, value: Call) -> None:
        buf.append(value.module.index)
        buf.append(value.decl.index)
        for f in value.decl.args:
            try:
                f.codec.encode_into(buf, value.args[f.name])  # type: ignore[index]
            except KeyError:
                raise EncodeError(f"{value.name} is missing argument {f.name!r}") from None

    def decode_from(self, data: bytes, offset: int) -> tuple[Call, int]:
        if offset + 2 > len(data):
            raise DecodeError("truncated call")
        found = self.table.get(data[offset] << 8 | data[offset + 1])
        if found is None:
            raise DecodeError(f"no call with pallet index {data[offset]} and call index {data[offset + 1]}")
        module, decl = found
        offset += 2
        args: dict[str, Any] = {}
        for f in decl.args:
            args[f.name], offset = f.codec.decode_from(data, offset)  # type: ignore[index]
        return Call(module, decl, args), offset

    def type_info(self) -> TypeInfo:
        variants = tuple(
            VariantInfo(
                m.name, m.index, (FieldInfo(None, m.call_codec, _aggregate_name("CallableCallFor", m)),)
            )
            for m in self.modules
            if m.call_codec is not None
        )
        return TypeInfo("variant", path=("phalanx_runtime", "RuntimeCall"), variants=variants)

    def __repr__(self) -> str:
        return "phalanx_runtime::RuntimeCall"


def _aggregate_name(kind: str, m: Module) -> str:
    if kind == "CallableCallFor":
        hidden = "self::sp_api_hidden_includes_construct_runtime::hidden_include"
        return f"{hidden}::dispatch::CallableCallFor<{m.name}, Runtime>"
    return f"{m.crate}::Event<Runtime>"


def runtime_event_codec(modules: Sequence[Module]) -> Enum:
    """`phalanx_runtime::RuntimeEvent`: pallet index byte, then the pallet's event enum."""
    return Enum(
        ("phalanx_runtime", "RuntimeEvent"),
        [
            VariantInfo(m.name, m.index, (field_(None, m.event_codec, _aggregate_name("Event", m)),))
            for m in modules
            if m.event_codec is not None
        ],
    )


def runtime_error_codec(modules: Sequence[Module]) -> Enum:
    """`phalanx_runtime::RuntimeError` (listed in metadata only)."""
    return Enum(
        ("phalanx_runtime", "RuntimeError"),
        [
            VariantInfo(m.name, m.index, (field_(None, m.error_codec, f"{m.crate}::Error<Runtime>"),))
            for m in modules
            if m.error_codec is not None
        ],
    )


def dispatch_call(ctx: Context, call: Call, origin: Origin) -> DispatchFailure | None:
    """Run `call` in its own storage transaction; on failure undo its writes and events, return the error."""
    state = ctx.state
    events_before = len(ctx.events)
    state.begin()
    try:
        call.decl.fn(ctx, origin, **call.args)
    except DispatchFailure as failure:
        state.rollback()
        del ctx.events[events_before:]
        return failure
    state.commit()
    return None
