"""The real Intel DCAP samples in tests/data/dcap and the facts measured about them."""

from __future__ import annotations

from pathlib import Path

from phalanx.attestation import DcapEvidence

DCAP_DIR = Path(__file__).resolve().parents[1] / "data" / "dcap"

# A block time inside the validity window of the SGX and TDX samples' collateral (2025-07-19 10:00 UTC).
IN_WINDOW_S = 1752919200
SGX_MR_ENCLAVE = bytes.fromhex("33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb")


def load_dcap(name: str) -> DcapEvidence:
    return DcapEvidence((DCAP_DIR / name).read_bytes(), (DCAP_DIR / f"{name}_collateral.json").read_bytes())
