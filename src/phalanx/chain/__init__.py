"""The chain store and the chain built from it: blocks kept apart from the runtime that executes them.

    from phalanx.chain import Blockchain
    chain = Blockchain(phalanx.storage.Database.open(path), ChainSpec.development())  # genesis if empty
    chain.validate_transaction(xt) -> ValidTransaction      # pool check, no writes
    built = chain.build_block(chain.best_hash(), now_ms, xts) # BuiltBlock: block, hash, outcomes, dropped
    chain.commit(built, justification)                      # atomic; best = finalized = built
    chain.import_block(block) -> BuiltBlock                 # re-execute a received block, then commit
    chain.header/block/block_hash/justification/state_get/state_keys_paged/state_proof/events/call(...)
    chain.metadata(), chain.runtime_version(), chain.account_nonce(account), chain.dev_authority

`ChainStore` (`store.py`) keeps headers, bodies, justifications, the best/finalized pointer and the
committed states in a `phalanx.storage.Database`; `Blockchain` (`blockchain.py`) runs the
`phalanx.runtime.Runtime` on the states the store hands it and commits what it built. The package
sits between the runtime and the engines: it imports the runtime and storage, and the engine and node
layers use it.
"""

from phalanx.chain.blockchain import Blockchain
from phalanx.chain.store import ChainStore

__all__ = ["Blockchain", "ChainStore"]
