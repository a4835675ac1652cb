"""Session: sessions of configurable length; eras every SessionsPerEra sessions."""

from __future__ import annotations

from phalanx.runtime.modules import session
from phalanx.runtime.modules.staking import Staker
from phalanx.runtime.modules.staking import declarations as staking_d
from tests.support.economics_chain import KEYS, PHA, account, open_chain, spec
from tests.support.runtime_testchain import assert_noop


def test_sessions_rotate_and_eras_follow() -> None:
    assert [session.session_of_block(n, 3) for n in range(8)] == [0, 0, 0, 0, 1, 1, 1, 2]
    stakers = [Staker(account("Alice"), 1_000 * PHA)]
    chain, db = open_chain(spec({"Alice": 10_000 * PHA}, 10**9 * PHA, stakers=stakers, session_length=3,
                                staking={"sessions_per_era": 2}))  # fmt: skip
    try:
        assert session.Validators.get(chain.state()) == [account("Alice")]
        indices, eras = [], []
        for _ in range(13):
            chain.block()
            indices.append(session.CurrentIndex.get(chain.state()))
            eras.append(staking_d.ActiveEra.get(chain.state()).index)
        assert indices == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4]
        assert eras == [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2]
    finally:
        db.close()


def test_purging_keys_needs_keys() -> None:
    chain, db = open_chain(spec({"Alice": 10_000 * PHA, "Bob": 10_000 * PHA}, 10**9 * PHA))
    try:
        assert_noop(chain, KEYS["Bob"], chain.call("Session", "purge_keys"), "NoKeys")
    finally:
        db.close()
