"""The formats that cross a trust boundary, below the client, the worker host and the enclave.

- `command`: a confidential contract command, sealed by a user to the contract's key
  (`encrypt_command`) and opened by the enclave (`decrypt_command`).
- `query`: a signed query sealed to a worker's attested key and the worker's signed answer sealed
  back (`make_query`, `seal_query`, `open_answer` for clients; `open_query`, `seal_answer` for the
  enclave).
- `enclave_protocol`: the host-enclave channel (frames, `REQUEST_CODEC`, `RESPONSE_CODEC`), the
  block the host hands over (`BlockInput`, the proof bundle, the proven `PROOF_KEYS`), the CometBFT
  justification, `PRE_GENESIS_HASH`.
- `trust`: the trust roots an enclave follows (`DevTrust`, `CometBftTrust`).
- `errors`: the errors raised on these formats, under the (module, code) of who reports them.

Chain-enclave messages (origins, topics, signed messages, gatekeeper and registry payloads) are the
message queue's wire types, in `phalanx.mq`. Every format here has a golden vector
(`tests/golden/wire/`).
"""
