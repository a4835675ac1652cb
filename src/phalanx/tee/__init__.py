"""Everything that runs on a worker machine around or inside a trusted execution environment.

`platform` abstracts the TEE (measurement, quote, seal, unseal) with a simulated backend for machines
without SGX; the enclave runtime, the untrusted host and the gatekeeper build on it. The chain never
imports this package: what it needs to check an attestation lives in `phalanx.attestation`.
"""
