"""The worker host (untrusted): runs an enclave process, registers it, feeds it finalized blocks with
proofs, submits its egress to the chain and relays encrypted queries. See `worker.WorkerHost`.

The host only ever handles public chain data, sealed blobs and ciphertexts; its logs hold no secret.
"""

from phalanx.tee.host.chain_source import NodeSource, encode_header_json
from phalanx.tee.host.worker import WorkerConfig, WorkerHost

__all__ = ["NodeSource", "WorkerConfig", "WorkerHost", "encode_header_json"]
