"""Offline compatibility with stock clients: scalecodec reads our metadata, composes and signs an extrinsic
exactly as substrate-interface does, and decodes our events, errors and runtime API answers."""

from __future__ import annotations

from typing import Any

import pytest
from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset
from substrateinterface import Keypair as SiKeypair

from phalanx.runtime.assembly import MODULES
from phalanx.runtime.modules.system import declarations as system_d
from tests.support.runtime_testchain import ALICE, BOB, PHA, Chain


class Client:
    """The parts of substrate-interface's runtime handling, offline: metadata, calls, signing, decoding."""

    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self.rc = RuntimeConfigurationObject()
        self.rc.update_type_registry(load_type_registry_preset("core"))
        self.metadata = self.rc.create_scale_object("MetadataVersioned", data=ScaleBytes(chain.rt.metadata()))
        self.metadata.decode()
        self.rc.add_portable_registry(self.metadata)
        self.rc.update_type_registry_types({"Weight": "sp_weights::weight_v2::Weight"})

    def compose_call(self, module: str, function: str, args: dict[str, Any]) -> Any:
        call = self.rc.create_scale_object("Call", metadata=self.metadata)
        call.encode({"call_module": module, "call_function": function, "call_args": args})
        return call

    def signature_payload(self, call: Any, era: Any, nonce: int, tip: int, block_hash: str) -> ScaleBytes:
        genesis = "0x" + self.chain.rt.genesis_hash.hex()
        payload = self.rc.create_scale_object("ExtrinsicPayloadValue")
        payload.type_mapping = [["call", "CallBytes"]]
        ext = self.metadata.get_signed_extensions()
        for name, key in (
            ("CheckMortality", "era"),
            ("CheckNonce", "nonce"),
            ("ChargeTransactionPayment", "tip"),
        ):
            payload.type_mapping.append([key, ext[name]["extrinsic"]])
        for name, key in (
            ("CheckSpecVersion", "spec_version"),
            ("CheckTxVersion", "transaction_version"),
            ("CheckGenesis", "genesis_hash"),
            ("CheckMortality", "block_hash"),
        ):
            payload.type_mapping.append([key, ext[name]["additional_signed"]])
        version = self.chain.rt.runtime_version()
        payload.encode(
            {
                "call": str(call.data),
                "era": era,
                "nonce": nonce,
                "tip": tip,
                "spec_version": version.spec_version,
                "transaction_version": version.transaction_version,
                "genesis_hash": genesis,
                "block_hash": block_hash,
            }
        )
        if payload.data.length > 256:
            from hashlib import blake2b

            return ScaleBytes(blake2b(payload.data.data, digest_size=32).digest())
        return payload.data

    def signed_extrinsic(
        self,
        call: Any,
        keypair: SiKeypair,
        nonce: int,
        era: Any = "00",
        tip: int = 0,
        block_hash: str | None = None,
        signature: bytes | None = None,
    ) -> Any:
        block_hash = block_hash or "0x" + self.chain.rt.genesis_hash.hex()
        if signature is None:
            signature = keypair.sign(self.signature_payload(call, era, nonce, tip, block_hash))
        xt = self.rc.create_scale_object("Extrinsic", metadata=self.metadata)
        xt.encode(
            {
                "account_id": "0x" + keypair.public_key.hex(),
                "signature": "0x" + signature.hex(),
                "call_function": call.value["call_function"],
                "call_module": call.value["call_module"],
                "call_args": call.value["call_args"],
                "nonce": nonce,
                "era": era,
                "tip": tip,
                "signature_version": keypair.crypto_type,
            }
        )
        return xt

    def events(self) -> list[Any]:
        """System.Events decoded through its storage entry's value type, as `substrate.query` does."""
        raw = self.chain.rt.state_get(system_d.Events.key) or b"\x00"
        entry = self.metadata.get_metadata_pallet("System").get_storage_function("Events")
        obj = self.rc.create_scale_object(
            entry.get_value_type_string(), data=ScaleBytes(raw), metadata=self.metadata
        )
        obj.decode()
        return list(obj.elements)


@pytest.fixture
def client(chain: Chain) -> Client:
    return Client(chain)


def _alice() -> SiKeypair:
    return SiKeypair.create_from_uri("//Alice")


def test_metadata_decodes_with_pallets_and_extensions(client: Client) -> None:
    names = [p.name for p in client.metadata.pallets]
    assert names[:5] == ["System", "Timestamp", "Balances", "TransactionPayment", "Sudo"]
    assert names == [m.name for m in MODULES]
    assert list(client.metadata.get_signed_extensions()) == [
        "CheckNonZeroSender",
        "CheckSpecVersion",
        "CheckTxVersion",
        "CheckGenesis",
        "CheckMortality",
        "CheckNonce",
        "CheckWeight",
        "ChargeTransactionPayment",
    ]
    balances = client.metadata.get_metadata_pallet("Balances")
    assert balances.get_storage_function("TotalIssuance") is not None
    assert client.metadata.get_module_error(2, 2)["name"] == "InsufficientBalance"


def test_transfer_composed_and_signed_by_scalecodec(chain: Chain, client: Client) -> None:
    bob_before = chain.free(BOB.public_key)
    call = client.compose_call(
        "Balances", "transfer_keep_alive", {"dest": BOB.ss58_address(), "value": 5 * PHA}
    )
    xt = client.signed_extrinsic(call, _alice(), nonce=0)
    raw = bytes(xt.data.data)
    valid = chain.rt.validate_transaction(raw)
    assert valid.sender == ALICE.public_key
    built = chain.block([raw])
    assert [o.success for o in built.outcomes] == [True, True]
    assert chain.free(BOB.public_key) == bob_before + 5 * PHA
    events = client.events()
    found = {(e.value["module_id"], e.value["event_id"]) for e in events}
    assert ("Balances", "Transfer") in found and ("System", "ExtrinsicSuccess") in found
    transfer = next(e for e in events if e.value["event_id"] == "Transfer")
    assert transfer.value["attributes"]["amount"] == 5 * PHA
    assert transfer.value["attributes"]["to"] == "0x" + BOB.public_key.hex()


def test_mortal_era_composed_by_scalecodec(chain: Chain, client: Client) -> None:
    chain.block()
    chain.block()
    current = chain.rt.best_number()
    era = {"period": 64, "current": current}
    era_obj = client.rc.create_scale_object("Era")
    era_obj.encode(era)
    birth_hash = chain.rt.block_hash(era_obj.birth(current))
    assert birth_hash is not None
    call = client.compose_call("Balances", "transfer_allow_death", {"dest": BOB.ss58_address(), "value": PHA})
    xt = client.signed_extrinsic(call, _alice(), nonce=0, era=era, block_hash="0x" + birth_hash.hex())
    built = chain.block([bytes(xt.data.data)])
    assert [o.success for o in built.outcomes] == [True, True]


def test_failed_transfer_decodes_to_module_error_by_name(chain: Chain, client: Client) -> None:
    call = client.compose_call(
        "Balances", "transfer_allow_death", {"dest": BOB.ss58_address(), "value": 10**9 * PHA}
    )
    xt = client.signed_extrinsic(call, _alice(), nonce=0)
    built = chain.block([bytes(xt.data.data)])
    assert [o.success for o in built.outcomes] == [True, False]
    failed = next(e for e in client.events() if e.value["event_id"] == "ExtrinsicFailed")
    error = failed.value["attributes"]["dispatch_error"]["Module"]
    index = error["error"]
    index = int(index[2:4], 16) if isinstance(index, str) else index
    assert client.metadata.get_module_error(module_index=error["index"], error_index=index)["name"] == (
        "InsufficientBalance"
    )


def test_query_info_and_nonce_decode_as_substrate_interface_does(chain: Chain, client: Client) -> None:
    runtime_api = client.rc.type_registry["runtime_api"]
    client.rc.update_type_registry_types(runtime_api["TransactionPaymentApi"]["types"])
    call = client.compose_call("Balances", "transfer_keep_alive", {"dest": BOB.ss58_address(), "value": PHA})
    xt = client.signed_extrinsic(call, _alice(), nonce=0, signature=bytes(64))
    length = client.rc.create_scale_object("u32")
    params = xt.data + length.encode(len(xt.data))
    answer = chain.rt.call("TransactionPaymentApi_query_info", bytes(params.data))
    info = client.rc.create_scale_object(
        runtime_api["TransactionPaymentApi"]["methods"]["query_info"]["type"]
    )
    info.decode(ScaleBytes(answer))
    assert info.value["partialFee"] > 0
    assert info.value["class"] == "Normal"
    assert info.value["weight"]["ref_time"] > 0
    nonce_type = runtime_api["AccountNonceApi"]["methods"]["account_nonce"]["type"]
    nonce = client.rc.create_scale_object(nonce_type)
    nonce.decode(ScaleBytes(chain.rt.call("AccountNonceApi_account_nonce", ALICE.public_key)))
    assert nonce.value == 0
    client.rc.update_type_registry_types(runtime_api["Core"].get("types", {}))
    version = client.rc.create_scale_object(runtime_api["Core"]["methods"]["version"]["type"])
    version.decode(ScaleBytes(chain.rt.call("Core_version", b"")))
    assert version.value["spec_name"] == "phalanx"


def test_account_storage_decodes(chain: Chain, client: Client) -> None:
    from phalanx.runtime.modules.system.logic import account_key

    raw = chain.rt.state_get(account_key(ALICE.public_key))
    entry = client.metadata.get_metadata_pallet("System").get_storage_function("Account")
    obj = client.rc.create_scale_object(
        entry.get_value_type_string(), data=ScaleBytes(raw), metadata=client.metadata
    )
    value = obj.decode()
    assert value["data"]["free"] == chain.free(ALICE.public_key)
    assert value["nonce"] == 0 and value["providers"] == 1
