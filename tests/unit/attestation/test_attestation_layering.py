"""The chain-side verifier must stay free of enclave code: importing it loads no `phalanx.tee` module."""

from __future__ import annotations

import subprocess
import sys

PROBE = (
    "import sys, phalanx.attestation\n"
    "layers = ('phalanx.tee', 'phalanx.node', 'phalanx.runtime')\n"
    "bad = sorted(m for m in sys.modules if m.startswith(layers))\n"
    "print(','.join(bad))\n"
)


def test_attestation_imports_no_enclave_code() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == ""
