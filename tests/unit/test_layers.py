"""Who may import whom. Layers import downward only (docs/architecture.md, "Layers"): the chain never
imports the enclave, the node imports neither the worker host nor the client, and the local-network
orchestration sits above them all. Around the enclave boundary the formats that cross it live in
`phalanx.wire`, below the client, the worker host, the platform and the enclave, so none of those
reaches into the enclave's internals, and the enclave's measured code does not pull in LMDB."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import phalanx

SRC = Path(phalanx.__file__).resolve().parent


def _imports(package: str) -> set[tuple[str, str]]:
    """(file, imported module) for every absolute import in the files under `package`."""
    found: set[tuple[str, str]] = set()
    for file in sorted((SRC / package).rglob("*.py")):
        for node in ast.walk(ast.parse(file.read_text(), str(file))):
            if isinstance(node, ast.Import):
                found.update((file.name, alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add((file.name, node.module))
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("client", ("phalanx.tee",)),
        ("wire", ("phalanx.tee", "phalanx.client", "phalanx.runtime", "phalanx.node")),
        ("tee/platform", ("phalanx.tee.enclave",)),
        ("tee/host", ("phalanx.tee.enclave",)),
        ("runtime", ("phalanx.chain", "phalanx.engine", "phalanx.node", "phalanx.tee", "phalanx.client",
                     "phalanx.localnet", "phalanx.cli")),
        ("chain", ("phalanx.engine", "phalanx.node", "phalanx.tee", "phalanx.client", "phalanx.localnet")),
        ("engine", ("phalanx.node", "phalanx.tee", "phalanx.client", "phalanx.localnet", "phalanx.cli")),
        ("node", ("phalanx.tee", "phalanx.client", "phalanx.localnet", "phalanx.cli")),
        ("tee", ("phalanx.node", "phalanx.engine.cometbft", "phalanx.localnet", "phalanx.cli")),
    ],
)
def test_package_does_not_import(package: str, forbidden: tuple[str, ...]) -> None:
    bad = sorted(
        (file, module)
        for file, module in _imports(package)
        if any(module == f or module.startswith(f + ".") for f in forbidden)
    )
    assert bad == []


def test_importing_the_enclave_does_not_import_lmdb() -> None:
    script = "import sys, phalanx.tee.enclave; assert 'lmdb' not in sys.modules, 'lmdb imported'"
    subprocess.run([sys.executable, "-c", script], check=True)


def test_importing_the_client_and_the_wire_formats_imports_no_tee_code() -> None:
    script = (
        "import sys, phalanx.client.confidential, phalanx.wire.enclave_protocol, phalanx.wire.trust\n"
        "tee = sorted(name for name in sys.modules if name.startswith('phalanx.tee'))\n"
        "assert not tee, tee"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


def test_the_client_decodes_events_without_the_block_executor_or_lmdb() -> None:
    script = (
        "import sys, phalanx.client.chain, phalanx.client.confidential, phalanx.client.token\n"
        "heavy = ('lmdb', 'phalanx.runtime.runtime', 'phalanx.runtime.executive', 'phalanx.chain')\n"
        "loaded = [m for m in heavy if m in sys.modules]\n"
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
