"""The contract SDK: origins, block context, entropy, the command driver and the registry."""

from __future__ import annotations

import pytest

from phalanx.codec import DecodeError
from phalanx.contracts import (
    ORIGIN,
    BadEffect,
    BadOrigin,
    CommandResult,
    Contract,
    ContractContext,
    ContractError,
    InsufficientBalance,
    InvalidContext,
    Origin,
    OriginKind,
    PublicEvent,
    UnknownBuiltin,
    Withdraw,
    compute_builtin_id,
    create_builtin,
    execute_command,
    get_builtin_class,
    get_builtin_names,
)
from phalanx.contracts.token import Token
from phalanx.crypto import blake2_256

A = bytes([0x11]) * 32
CID = bytes([0xCC]) * 32
HASH = bytes([0xBB]) * 32


def ctx(number: int = 1) -> ContractContext:
    return ContractContext(CID, number, 1_700_000_000_000, HASH)


def test_origin_golden_encoding() -> None:
    assert ORIGIN.encode(Origin.signed(A)) == b"\x00" + A
    assert ORIGIN.encode(Origin.chain(A)) == b"\x01" + A
    assert ORIGIN.decode(b"\x01" + A) == Origin(OriginKind.CHAIN, A)
    assert ORIGIN.type_info().path == ("phalanx", "contracts", "Origin")


@pytest.mark.parametrize("data", [b"", b"\x02" + A, b"\x00" + A[:31], b"\x00" + A + b"\x00"])
def test_origin_rejects_malformed_bytes(data: bytes) -> None:
    with pytest.raises(DecodeError):
        ORIGIN.decode(data)


def test_origin_validates_its_fields() -> None:
    with pytest.raises(InvalidContext):
        Origin.signed(b"short")
    with pytest.raises(InvalidContext):
        Origin(0, A)  # type: ignore[arg-type]
    assert Origin.signed(A).is_signed and not Origin.signed(A).is_chain
    assert Origin.chain(A).is_chain


@pytest.mark.parametrize(
    "kwargs",
    [
        {"contract_id": b"\x00" * 31},
        {"block_hash": b"\x00" * 33},
        {"block_number": -1},
        {"block_timestamp_ms": 1 << 64},
        {"block_number": True},
    ],
)
def test_context_validates_its_fields(kwargs: dict[str, object]) -> None:
    base: dict[str, object] = {
        "contract_id": CID,
        "block_number": 1,
        "block_timestamp_ms": 0,
        "block_hash": HASH,
    }
    base.update(kwargs)
    with pytest.raises(InvalidContext):
        ContractContext(**base)  # type: ignore[arg-type]


def test_context_is_frozen_and_has_its_own_sink() -> None:
    a, b = ctx(), ctx()
    with pytest.raises(AttributeError):
        a.block_number = 2  # type: ignore[misc]
    assert a.egress is not b.egress
    assert a == b  # the sink is not part of the context's identity


def test_entropy_is_deterministic_and_domain_separated() -> None:
    c = ctx()
    assert c.compute_entropy(b"draw/0") == ctx().compute_entropy(b"draw/0")
    assert c.compute_entropy(b"draw/0") != c.compute_entropy(b"draw/1")
    other_block = ContractContext(CID, 1, 0, bytes([0xBA]) * 32)
    assert other_block.compute_entropy(b"draw/0") != c.compute_entropy(b"draw/0")
    assert c.compute_entropy(b"x") == blake2_256(b"phalanx/contract/entropy/v1" + CID + HASH + b"x")


class _Noisy(Contract):
    """Emits an effect, then refuses: the driver must drop the effect."""

    NAME = "noisy"

    def handle_command(self, ctx: ContractContext, origin: Origin, command: bytes) -> CommandResult:
        ctx.egress.emit(PublicEvent("noise", command))
        if command == b"fail":
            raise InsufficientBalance("refused after emitting")
        return CommandResult(b"ok")

    def handle_query(self, ctx: ContractContext, origin: bytes, query: bytes) -> bytes:
        return b""

    def snapshot(self) -> bytes:
        return b""

    def restore(self, data: bytes) -> None:
        pass


def test_execute_command_drops_the_effects_of_a_refused_command() -> None:
    c, contract = ctx(), _Noisy()
    assert execute_command(contract, c, Origin.signed(A), b"one") == CommandResult(b"ok")
    with pytest.raises(InsufficientBalance):
        execute_command(contract, c, Origin.signed(A), b"fail")
    assert c.egress.effects == (PublicEvent("noise", b"one"),)
    assert contract.state_hash() == blake2_256(b"")
    contract.on_block_end(c)
    contract.invariants()


def test_execute_command_needs_an_origin() -> None:
    with pytest.raises(BadOrigin):
        execute_command(_Noisy(), ctx(), A, b"one")  # type: ignore[arg-type]


def test_sink_rejects_non_effects() -> None:
    with pytest.raises(BadEffect):
        ctx().egress.emit("not an effect")  # type: ignore[arg-type]


def test_errors_have_stable_module_and_distinct_codes() -> None:
    import phalanx.contracts.errors as errors_module

    classes = [
        v for v in vars(errors_module).values() if isinstance(v, type) and issubclass(v, ContractError)
    ]
    assert all(c.module == "contracts" for c in classes)
    assert len({c.code for c in classes}) == len(classes)


def test_registry_by_name_and_id() -> None:
    assert get_builtin_names() == ("token",)
    token_id = compute_builtin_id("token")
    assert token_id == blake2_256(b"phalanx/contract/builtin/token")
    assert token_id.hex() == "733c2283ad3ebe1500885780eeb03b54cf137063d0010e341eddcbcc00c0baa7"
    assert get_builtin_class("token") is Token
    assert get_builtin_class(token_id) is Token
    assert isinstance(create_builtin("token"), Token)
    with pytest.raises(UnknownBuiltin):
        get_builtin_class("lottery")
    with pytest.raises(UnknownBuiltin):
        create_builtin(bytes(32))


def test_withdraw_effect_is_usable_as_a_value() -> None:
    assert Withdraw(A, 5) == Withdraw(A, 5)
    assert hash(Withdraw(A, 5)) == hash(Withdraw(A, 5))
