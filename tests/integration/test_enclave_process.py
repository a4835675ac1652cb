"""The SIMULATED enclave as a real OS process: sealed keys across restarts, secrets invisible to the host.

Each test starts `python -m phalanx.tee.enclave.process_main` processes through `EnclaveProcess`
(deadline on every read) and kills them at teardown, also when the test fails.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from phalanx.attestation import AttestationPolicy, compute_report_data, verify_attestation
from phalanx.codec import FixedBytes, Struct, field_
from phalanx.crypto import Keypair, KeyType
from phalanx.crypto.box import X25519Keypair
from phalanx.tee.enclave.process_main import IDENTITY_FILE, IDENTITY_LABEL
from phalanx.tee.platform import (
    EnclaveRequestFailed,
    SimulatedPlatform,
    UnsealError,
    compute_code_measurement,
    devnet_attestation_public_key,
)
from phalanx.tee.platform.process import EnclaveProcess

pytestmark = pytest.mark.integration

StartEnclave = Callable[..., EnclaveProcess]


@pytest.fixture
def start_enclave(tmp_path: Path) -> Iterator[StartEnclave]:
    started: list[EnclaveProcess] = []

    def start(
        platform_dir: Path = tmp_path / "machine", data_dir: Path = tmp_path / "data"
    ) -> EnclaveProcess:
        enclave = EnclaveProcess(platform_dir, data_dir, timeout_s=30.0)
        started.append(enclave)
        enclave.start()
        return enclave

    yield start
    for enclave in started:
        enclave.kill()


def test_keys_persist_across_restarts_only_through_the_sealed_file(
    start_enclave: StartEnclave, tmp_path: Path
) -> None:
    before = compute_code_measurement()
    first = start_enclave()
    measurement = first.measurement()
    assert measurement in {before, compute_code_measurement()}
    info, evidence = first.get_info(b"http://127.0.0.1:8000", operator=bytes([9]) * 32)
    assert first.stop() == 0

    # The chain side accepts the quote under a policy built from genesis-style configuration.
    policy = AttestationPolicy(
        allow_simulated=True,
        simulated_attestation_key=devnet_attestation_public_key(tmp_path / "machine"),
        measurement_allowlist=frozenset({measurement}),
    )
    report = verify_attestation(
        evidence, now_s=int(time.time()), expected_report_data=compute_report_data(info), policy=policy
    )
    assert (report.provider, report.measurement) == ("simulated", measurement)

    # A clean restart and a kill -9 restart both come back with the same keys, from the sealed file.
    second = start_enclave()
    assert second.get_info(b"http://127.0.0.1:8000")[0].identity_public == info.identity_public
    second.kill()
    third = start_enclave()
    again, _ = third.get_info(b"http://127.0.0.1:8000")
    assert (again.identity_public, again.encryption_public) == (info.identity_public, info.encryption_public)
    assert third.stop() == 0

    # Without the sealed file the enclave has nothing to remember them by: new keys.
    (tmp_path / "data" / IDENTITY_FILE).rename(tmp_path / "identity.sealed.bak")
    fourth = start_enclave()
    fresh, _ = fourth.get_info(b"http://127.0.0.1:8000")
    assert fresh.identity_public != info.identity_public
    assert fresh.encryption_public != info.encryption_public
    assert fourth.stop() == 0


def test_the_host_never_sees_the_secret_keys(start_enclave: StartEnclave, tmp_path: Path) -> None:
    enclave = start_enclave()
    measurement = enclave.measurement()
    info, _ = enclave.get_info(b"http://127.0.0.1:8000")
    sealed, unsealed = enclave.seal_roundtrip(b"canary-4b1d", "test")
    assert unsealed == b"canary-4b1d" and b"canary-4b1d" not in sealed
    assert enclave.stop() == 0

    # An auditor with the machine's platform secret (not the host's role) opens the sealed keys ...
    auditor = SimulatedPlatform(tmp_path / "machine", measurement)
    plain = auditor.unseal((tmp_path / "data" / IDENTITY_FILE).read_bytes(), IDENTITY_LABEL)
    keys = Struct((), [field_("identity_seed", FixedBytes(32)), field_("encryption_secret", FixedBytes(32))])
    fields = keys.decode(plain)
    identity = Keypair.from_seed(fields["identity_seed"], KeyType.SR25519)
    encryption = X25519Keypair.from_secret(fields["encryption_secret"])
    assert (identity.public_key, encryption.public_key) == (info.identity_public, info.encryption_public)

    # ... and searches everything the host saw: the channel, the enclave's log, the host's disk.
    host_view = bytes(enclave.transcript) + "\n".join(enclave.log_lines).encode()
    host_view += b"".join(p.read_bytes() for p in sorted((tmp_path / "data").rglob("*")) if p.is_file())
    secrets_ = [fields["identity_seed"], identity.secret, identity.secret[:32], encryption.secret]
    for secret in secrets_:
        assert secret not in host_view
        assert secret.hex().encode() not in host_view
    # The search does find what the host is meant to see.
    assert info.identity_public in host_view and info.encryption_public in host_view


def test_a_tampered_sealed_file_is_refused_with_a_clear_error(
    start_enclave: StartEnclave, tmp_path: Path
) -> None:
    first = start_enclave()
    first.get_info(b"")
    assert first.stop() == 0
    path = tmp_path / "data" / IDENTITY_FILE
    tampered = bytearray(path.read_bytes())
    tampered[len(tampered) // 2] ^= 0x01
    path.write_bytes(bytes(tampered))

    second = start_enclave()
    with pytest.raises(EnclaveRequestFailed, match="does not open") as refused:
        second.get_info(b"")
    assert (refused.value.remote_module, refused.value.remote_code) == ("platform", UnsealError.code)
    assert path.read_bytes() == bytes(tampered)  # refused, never silently replaced by new keys
    assert second.measurement()  # the enclave keeps serving other requests
    assert second.stop() == 0
    assert any("refused GetInfo" in line and "SIMULATED" in line for line in second.log_lines)


def test_a_sealed_file_from_another_machine_is_refused(start_enclave: StartEnclave, tmp_path: Path) -> None:
    first = start_enclave(tmp_path / "machine-a", tmp_path / "data")
    first.get_info(b"")
    assert first.stop() == 0
    other = start_enclave(tmp_path / "machine-b", tmp_path / "data")
    with pytest.raises(EnclaveRequestFailed, match="another machine or code build"):
        other.get_info(b"")
    assert other.stop() == 0
