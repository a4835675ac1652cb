"""The SIMULATED platform: sealing bound to machine and measurement, secret files, quotes, measurement."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from phalanx.attestation import (
    AttestationPolicy,
    RegistrationInfo,
    compute_report_data,
    verify_attestation,
)
from phalanx.tee.platform import (
    InvalidReportData,
    Platform,
    PlatformSecretError,
    SimulatedPlatform,
    UnsealError,
    compute_code_measurement,
    devnet_attestation_public_key,
    list_enclave_code_files,
)
from phalanx.tee.platform.measurement import default_source_root
from phalanx.tee.platform.simulated import ATTESTATION_KEY_FILE, PLATFORM_SECRET_FILE

MEASUREMENT = bytes([0x11]) * 32
NOW = 1_800_000_000


@pytest.fixture
def platform(tmp_path: Path) -> SimulatedPlatform:
    return SimulatedPlatform(tmp_path / "machine", MEASUREMENT, clock=lambda: NOW)


def test_is_a_platform(platform: SimulatedPlatform) -> None:
    assert isinstance(platform, Platform)
    assert platform.name == "simulated"
    assert platform.measurement() == MEASUREMENT


def test_seal_round_trip(platform: SimulatedPlatform) -> None:
    blob = platform.seal(b"secret keys", "identity")
    assert b"secret keys" not in blob
    assert platform.unseal(blob, "identity") == b"secret keys"
    assert platform.seal(b"secret keys", "identity") != blob  # fresh nonce every time


def test_another_label_cannot_unseal(platform: SimulatedPlatform) -> None:
    with pytest.raises(UnsealError):
        platform.unseal(platform.seal(b"x", "identity"), "checkpoint")


def test_another_measurement_cannot_unseal(tmp_path: Path) -> None:
    ours = SimulatedPlatform(tmp_path / "machine", MEASUREMENT)
    other_build = SimulatedPlatform(tmp_path / "machine", bytes([0x22]) * 32)
    with pytest.raises(UnsealError, match="another machine or code build"):
        other_build.unseal(ours.seal(b"x", "identity"), "identity")


def test_another_machine_cannot_unseal(tmp_path: Path) -> None:
    ours = SimulatedPlatform(tmp_path / "machine-a", MEASUREMENT)
    theirs = SimulatedPlatform(tmp_path / "machine-b", MEASUREMENT)
    with pytest.raises(UnsealError):
        theirs.unseal(ours.seal(b"x", "identity"), "identity")


def test_same_machine_and_measurement_unseal_after_restart(tmp_path: Path) -> None:
    blob = SimulatedPlatform(tmp_path / "machine", MEASUREMENT).seal(b"x", "identity")
    assert SimulatedPlatform(tmp_path / "machine", MEASUREMENT).unseal(blob, "identity") == b"x"


@pytest.mark.parametrize("blob", [b"", b"\x01", b"\x01" + bytes(27), b"\x02" + bytes(40)])
def test_short_or_foreign_blobs_are_refused(platform: SimulatedPlatform, blob: bytes) -> None:
    with pytest.raises(UnsealError):
        platform.unseal(blob, "identity")


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_any_tampered_byte_is_refused(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    platform = SimulatedPlatform(tmp_path_factory.getbasetemp() / "tamper-machine", MEASUREMENT)
    blob = bytearray(platform.seal(b"identity seed and encryption secret", "identity"))
    blob[data.draw(st.integers(0, len(blob) - 1))] ^= data.draw(st.integers(1, 255))
    with pytest.raises(UnsealError):
        platform.unseal(bytes(blob), "identity")


def test_secret_files_are_private(tmp_path: Path) -> None:
    SimulatedPlatform(tmp_path / "machine", MEASUREMENT)
    assert stat.S_IMODE((tmp_path / "machine").stat().st_mode) == 0o700
    for name in (PLATFORM_SECRET_FILE, ATTESTATION_KEY_FILE):
        path = tmp_path / "machine" / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert len(path.read_bytes()) == 32
    assert sorted(os.listdir(tmp_path / "machine")) == sorted([PLATFORM_SECRET_FILE, ATTESTATION_KEY_FILE])


def test_a_world_readable_secret_is_refused(tmp_path: Path) -> None:
    SimulatedPlatform(tmp_path / "machine", MEASUREMENT)
    (tmp_path / "machine" / PLATFORM_SECRET_FILE).chmod(0o644)
    with pytest.raises(PlatformSecretError, match="chmod 600"):
        SimulatedPlatform(tmp_path / "machine", MEASUREMENT)


def test_a_malformed_secret_is_refused(tmp_path: Path) -> None:
    SimulatedPlatform(tmp_path / "machine", MEASUREMENT)
    (tmp_path / "machine" / ATTESTATION_KEY_FILE).write_bytes(b"short")
    with pytest.raises(PlatformSecretError, match="5 bytes"):
        SimulatedPlatform(tmp_path / "machine", MEASUREMENT)


def test_quote_verifies_on_the_chain_side(platform: SimulatedPlatform, tmp_path: Path) -> None:
    info = RegistrationInfo(bytes([3]) * 32, bytes([4]) * 32, "simulated", None, b"", 1)
    evidence = platform.quote(compute_report_data(info))
    assert devnet_attestation_public_key(tmp_path / "machine") == platform.attestation_public_key()
    policy = AttestationPolicy(
        allow_simulated=True,
        simulated_attestation_key=devnet_attestation_public_key(tmp_path / "machine"),
        measurement_allowlist=frozenset({MEASUREMENT}),
    )
    report = verify_attestation(
        evidence, now_s=NOW, expected_report_data=compute_report_data(info), policy=policy
    )
    assert (report.provider, report.measurement, report.confidence_level) == ("simulated", MEASUREMENT, 1)
    assert evidence.quote.timestamp_s == NOW


@pytest.mark.parametrize("size", [0, 32, 63, 65])
def test_report_data_must_be_64_bytes(platform: SimulatedPlatform, size: int) -> None:
    with pytest.raises(InvalidReportData):
        platform.quote(bytes(size))


def test_logs_say_simulated(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="phalanx.tee.platform.simulated"):
        SimulatedPlatform(tmp_path / "machine", MEASUREMENT)
    assert caplog.records
    assert all("SIMULATED" in r.getMessage() for r in caplog.records)


def test_measurement_covers_enclave_code_only() -> None:
    files = list_enclave_code_files()
    assert files == sorted(files)
    for expected in (
        "phalanx/errors.py",
        "phalanx/files.py",
        "phalanx/tee/platform/simulated.py",
        "phalanx/attestation/verify.py",
        "phalanx/wire/command.py",
        "phalanx/wire/query.py",
        "phalanx/wire/enclave_protocol.py",
        "phalanx/tee/enclave/process_main.py",
    ):
        assert expected in files
    assert "phalanx/tee/platform/process.py" not in files
    assert not any(f.startswith(("phalanx/tee/host/", "phalanx/runtime/", "phalanx/node/")) for f in files)
    assert all(f.endswith(".py") and "__pycache__" not in f for f in files)
    assert compute_code_measurement() == compute_code_measurement()


def test_measurement_covers_every_phalanx_module_the_enclave_process_imports() -> None:
    script = (
        "import sys, phalanx.tee.enclave.process_main\n"
        "print('\\n'.join(m.__file__ for n, m in sys.modules.items() if n.startswith('phalanx')))"
    )
    found = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    root = default_source_root()
    imported = {Path(line).resolve().relative_to(root).as_posix() for line in found.stdout.split()}
    assert "phalanx/tee/enclave/process_main.py" in imported
    assert imported <= set(list_enclave_code_files())
    assert "phalanx/storage/database.py" not in imported  # no LMDB inside the enclave


def _write_tree(root: Path, files: dict[str, bytes]) -> Path:
    for rel, content in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(content)
    return root


def test_measurement_changes_with_code_and_ignores_host_code(tmp_path: Path) -> None:
    base = {
        "phalanx/__init__.py": b"",
        "phalanx/errors.py": b"x = 1\n",
        "phalanx/tee/platform/base.py": b"y = 2\n",
    }
    m0 = compute_code_measurement(_write_tree(tmp_path / "a", base))
    assert m0 == compute_code_measurement(_write_tree(tmp_path / "b", base))
    changed = compute_code_measurement(_write_tree(tmp_path / "c", base | {"phalanx/errors.py": b"x = 2\n"}))
    added = compute_code_measurement(_write_tree(tmp_path / "d", base | {"phalanx/crypto/new.py": b""}))
    host = base | {
        "phalanx/tee/host/sync.py": b"z",
        "phalanx/tee/platform/process.py": b"w",
        "phalanx/node/x.py": b"",
    }
    assert len({m0, changed, added}) == 3
    assert compute_code_measurement(_write_tree(tmp_path / "e", host)) == m0
    # Length prefixes: without them these two trees would hash the same byte string.
    a, b = "phalanx/crypto/a.py", "phalanx/crypto/b.py"
    one = compute_code_measurement(_write_tree(tmp_path / "f", {a: b.encode()}))
    two = compute_code_measurement(_write_tree(tmp_path / "g", {a: b"", b: b""}))
    assert one != two
