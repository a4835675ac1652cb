"""Balances, fees, sudo and genesis: each failed call changes nothing but the fee and the nonce."""

from __future__ import annotations

import random

from phalanx.crypto import Keypair
from phalanx.runtime.chain_spec import TOTAL_SUPPLY, ChainSpec
from phalanx.runtime.modules.balances.declarations import EXISTENTIAL_DEPOSIT, TotalIssuance
from phalanx.runtime.state import State
from tests.support.runtime_testchain import ALICE, BOB, CHARLIE, PHA, Chain, assert_noop

ED = EXISTENTIAL_DEPOSIT


def _fee_of(chain: Chain) -> int:
    fee = [e for e in chain.rt.events() if e.name == "TransactionFeePaid"]
    return int(fee[-1].fields["actual_fee"])


def test_genesis_supply_is_exact(chain: Chain) -> None:
    total = sum(amount for _, amount in chain.rt.spec.genesis.balances)
    assert total == TOTAL_SUPPLY == 10**21
    assert TotalIssuance.get(State(chain.rt.state_at(None))) == TOTAL_SUPPLY
    assert chain.free(ALICE.public_key) == 1_000_000 * PHA


def test_chain_spec_json_round_trip() -> None:
    spec = ChainSpec.development()
    assert ChainSpec.from_json(spec.to_json()) == spec


def test_transfer_moves_balance_and_pays_fee(chain: Chain) -> None:
    alice, bob = chain.free(ALICE.public_key), chain.free(BOB.public_key)
    call = chain.call("Balances", "transfer_allow_death", dest=("Id", BOB.public_key), value=7 * PHA)
    chain.block([chain.sign(ALICE, call)])
    fee = _fee_of(chain)
    assert chain.free(ALICE.public_key) == alice - 7 * PHA - fee
    assert chain.free(BOB.public_key) == bob + 7 * PHA


def test_insufficient_balance_is_noop(chain: Chain) -> None:
    call = chain.call("Balances", "transfer_allow_death", dest=("Id", BOB.public_key), value=10**9 * PHA)
    assert_noop(chain, ALICE, call, "InsufficientBalance")


def test_new_account_needs_existential_deposit(chain: Chain) -> None:
    fresh = Keypair.from_suri("//Fresh").public_key
    call = chain.call("Balances", "transfer_allow_death", dest=("Id", fresh), value=ED - 1)
    assert_noop(chain, ALICE, call, "ExistentialDeposit")
    call = chain.call("Balances", "transfer_allow_death", dest=("Id", fresh), value=ED)
    chain.block([chain.sign(ALICE, call)])
    assert ("System", "NewAccount") in chain.events() and ("Balances", "Endowed") in chain.events()


def test_keep_alive_refuses_to_reap_and_allow_death_reaps_with_dust(chain: Chain) -> None:
    dave = Keypair.from_suri("//Dave")
    all_but = chain.free(dave.public_key) - ED // 2 - 10**9
    call = chain.call("Balances", "transfer_keep_alive", dest=("Id", BOB.public_key), value=all_but)
    assert_noop(chain, dave, call, "Expendability")
    call = chain.call("Balances", "transfer_allow_death", dest=("Id", BOB.public_key), value=all_but)
    chain.block([chain.sign(dave, call)])
    names = chain.events()
    assert ("Balances", "DustLost") in names and ("System", "KilledAccount") in names
    assert chain.free(dave.public_key) == 0
    assert chain.rt.account_nonce(dave.public_key) == 0


def test_transfer_all_keep_alive_leaves_existential_deposit(chain: Chain) -> None:
    eve = Keypair.from_suri("//Eve")
    call = chain.call("Balances", "transfer_all", dest=("Id", BOB.public_key), keep_alive=True)
    chain.block([chain.sign(eve, call)])
    assert chain.free(eve.public_key) == ED
    call = chain.call("Balances", "transfer_all", dest=("Id", BOB.public_key), keep_alive=False)
    extrinsic = chain.sign(eve, call)
    built = chain.block([extrinsic])
    assert [type(e).__name__ for _, e in built.dropped] == ["InvalidTransaction"]  # cannot pay the fee


def test_force_calls_need_root_and_work_through_sudo(chain: Chain) -> None:
    call = chain.call("Balances", "force_set_balance", who=("Id", CHARLIE.public_key), new_free=5 * PHA)
    assert_noop(chain, BOB, call, "BadOrigin")
    sudo = chain.call(
        "Sudo", "sudo", call=__import__("phalanx.runtime.assembly", fromlist=["CALLS"]).CALLS.decode(call)
    )
    assert_noop(chain, BOB, sudo, "RequireSudo")
    chain.block([chain.sign(ALICE, sudo)])
    assert chain.free(CHARLIE.public_key) == 5 * PHA
    assert ("Sudo", "Sudid") in chain.events() and ("Balances", "BalanceSet") in chain.events()


def test_sudo_reports_inner_failure_and_rolls_it_back(chain: Chain) -> None:
    from phalanx.runtime.assembly import CALLS

    inner = CALLS.call(
        "Balances",
        "force_transfer",
        source=("Id", BOB.public_key),
        dest=("Id", CHARLIE.public_key),
        value=10**9 * PHA,
    )
    chain.block([chain.sign(ALICE, chain.call("Sudo", "sudo", call=inner))])
    sudid = next(e for e in chain.rt.events() if e.name == "Sudid")
    assert sudid.fields["sudo_result"][0] == "Err"


def test_random_transfers_keep_total_issuance(chain: Chain) -> None:
    rng = random.Random(7)
    keys = [Keypair.from_suri(f"//{n}") for n in ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie")]
    extra = [Keypair.from_suri(f"//user{i}").public_key for i in range(5)]
    for _ in range(6):
        xts = []
        nonces = {k.public_key: chain.rt.account_nonce(k.public_key) for k in keys}
        for _ in range(8):
            sender = rng.choice(keys)
            dest = rng.choice([k.public_key for k in keys] + extra)
            value = rng.choice([0, ED - 1, ED, rng.randrange(10**15), rng.randrange(10**19)])
            function = rng.choice(["transfer_allow_death", "transfer_keep_alive"])
            call = chain.call("Balances", function, dest=("Id", dest), value=value)
            xts.append(chain.sign(sender, call, nonces[sender.public_key]))
            nonces[sender.public_key] += 1
        chain.block(xts)  # checks every module invariant after the block
