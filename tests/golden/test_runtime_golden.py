"""Golden encodings of the runtime's wire types: dev genesis header, a signed extrinsic (ed25519, whose
signatures are deterministic), the events of a block, and the metadata hash. Regenerate deliberately with
`PHALANX_UPDATE_GOLDEN=1` and review the diff: a change here changes what clients see."""

from __future__ import annotations

import json
import os
from pathlib import Path

from phalanx.chain import Blockchain
from phalanx.crypto import Keypair, KeyType, blake2_256
from phalanx.runtime import ChainSpec
from phalanx.runtime.assembly import CALLS
from phalanx.runtime.extrinsic import sign_extrinsic
from phalanx.runtime.modules.system import declarations as system_d
from phalanx.runtime.types import mortal_era
from phalanx.storage import Database

GOLDEN = Path(__file__).with_name("runtime.json")


def _vectors() -> dict[str, str]:
    db = Database.temporary()
    try:
        rt = Blockchain(db, ChainSpec.development())
        ed = Keypair.from_suri("//Alice", KeyType.ED25519)
        alice = Keypair.from_suri("//Alice")
        bob = Keypair.from_suri("//Bob").public_key
        fund = CALLS.encode(
            CALLS.call("Balances", "transfer_allow_death", dest=("Id", ed.public_key), value=10**13)
        )
        # the funding transfer is sr25519 (random signature), so it goes in a block of its own
        rt.commit(
            rt.build_block(
                rt.best_hash(),
                1_700_000_000_000,
                [
                    sign_extrinsic(
                        alice, fund, 0, genesis_hash=rt.genesis_hash, spec_version=1, transaction_version=1
                    )
                ],
            )
        )
        call = CALLS.encode(CALLS.call("Balances", "transfer_keep_alive", dest=("Id", bob), value=10**12))
        era = mortal_era(64, 0)  # born at genesis: block 1 holds a random sr25519 signature
        xt = sign_extrinsic(
            ed,
            call,
            0,
            genesis_hash=rt.genesis_hash,
            spec_version=1,
            transaction_version=1,
            era=era,
            birth_hash=rt.block_hash(era[1]),
            tip=5,
        )
        built = rt.build_block(rt.best_hash(), 1_700_000_006_000, [xt])
        rt.commit(built)
        return {
            "genesis_header": rt.header(rt.genesis_hash).encode().hex(),  # type: ignore[union-attr]
            "genesis_hash": rt.genesis_hash.hex(),
            "signed_extrinsic": xt.hex(),
            "events_block_2": (rt.state_get(system_d.Events.key) or b"").hex(),
            "metadata_blake2_256": blake2_256(rt.metadata()).hex(),
            "runtime_version": rt.runtime_version().encode().hex(),
            "timestamp_inherent": built.block.extrinsics[0].hex(),
        }
    finally:
        db.close()


def test_runtime_golden_vectors() -> None:
    vectors = _vectors()
    if os.environ.get("PHALANX_UPDATE_GOLDEN") or not GOLDEN.exists():
        GOLDEN.write_text(json.dumps(vectors, indent=2) + "\n")
    assert json.loads(GOLDEN.read_text()) == vectors
