"""Fixtures of the attestation tests: the real Intel DCAP samples in tests/data/dcap."""

from __future__ import annotations

import pytest

from phalanx.attestation import DcapEvidence
from tests.support.attestation_samples import load_dcap


@pytest.fixture(scope="session")
def sgx_evidence() -> DcapEvidence:
    return load_dcap("sgx_quote")


@pytest.fixture(scope="session")
def tdx_evidence() -> DcapEvidence:
    return load_dcap("tdx_quote")
