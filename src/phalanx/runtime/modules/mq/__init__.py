"""Mq: the message queue between the chain and enclaves.

Chain → enclave: modules call `logic.queue_for_enclaves(ctx, message)`; the block's messages are the
value of `Mq.InboundMessages` (a SCALE `Vec<phalanx.mq.Message>`) in that block's state, which
enclaves read with a state proof; `Mq.InboundTotal` counts all messages since genesis. Payload
formats: `payloads`.

Enclave → chain: `push_signed_message(SignedMessage)` is a *signed* extrinsic: the worker's host (or
any relayer) signs it and pays the fee, so that the transaction pool's usual nonce, fee and spam rules
apply and no unsigned-transaction path is needed. The runtime checks the enclave's signature with
the keys of the message's origin kind (`routing.get_signer_keys`) and the sender's sequence
(`phalanx.mq.check_sequence`): the next sequence is accepted and routed; an identical copy of a
message accepted in the last `DEDUP_WINDOW` blocks succeeds as a no-op (`DuplicateIgnored`: a relayer
pays its fee and nothing else happens); any other reuse of a sequence fails with `Replayed`, a gap
with `OutOfOrder`, a bad signature with `BadSignature`. Mq imports no module it delivers to: the
composition registers the signer keys of each origin kind and the handler of each topic in `routing`
(the Registry's and Contracts' `routes`). Storage layout: see `declarations`.
"""

from __future__ import annotations

from phalanx.runtime.framework import Module
from phalanx.runtime.modules.mq import declarations as d
from phalanx.runtime.modules.mq.calls import CALLS
from phalanx.runtime.modules.mq.logic import on_initialize

MODULE = Module.from_declarations(d, CALLS, on_initialize=on_initialize)

__all__ = ["MODULE"]
