"""The simulated platform's code measurement: a hash over the enclave's code files.

Measured files: every `*.py` file under these paths of the installed `phalanx` package, the code an
enclave process imports (`ENCLAVE_CODE`), minus host-side code that runs outside the enclave
(`HOST_CODE`):

    ENCLAVE_CODE = phalanx/__init__.py, phalanx/errors.py, phalanx/files.py, phalanx/codec/,
                   phalanx/crypto/, phalanx/wire/,
                   phalanx/primitives/, phalanx/attestation/, phalanx/tee/, phalanx/mq/,
                   phalanx/contracts/, phalanx/storage/ (the enclave checks proofs with its pure
                   `proof` module; the package also holds the LMDB store, which it never imports),
                   phalanx/engine/__init__.py, phalanx/engine/finality.py, phalanx/engine/lightclient/
    HOST_CODE    = phalanx/tee/host/, phalanx/tee/platform/process.py

Files are taken in sorted order of their POSIX path relative to the `src` root (e.g.
`phalanx/codec/types.py`), and the measurement is

    blake2_256(b"phalanx/measurement/v1" ++ for each file: SCALE(str path) ++ SCALE(Vec<u8> content))

The length prefixes keep file boundaries unambiguous. Not measured: the Python interpreter and
third-party libraries (cryptography, sr25519 bindings, ...), `__pycache__`, data files. Under
Gramine-SGX the manifest measures all of those into MRENCLAVE instead.
"""

from __future__ import annotations

from pathlib import Path

import phalanx
from phalanx.codec import Bytes, Str
from phalanx.crypto import blake2_256

MEASUREMENT_CONTEXT = b"phalanx/measurement/v1"
ENCLAVE_CODE: tuple[str, ...] = (
    "phalanx/__init__.py",
    "phalanx/errors.py",
    "phalanx/files.py",
    "phalanx/codec",
    "phalanx/crypto",
    "phalanx/wire",
    "phalanx/primitives",
    "phalanx/attestation",
    "phalanx/tee",
    "phalanx/mq",
    "phalanx/contracts",
    "phalanx/storage",
    "phalanx/engine/__init__.py",
    "phalanx/engine/finality.py",
    "phalanx/engine/lightclient",
)
HOST_CODE: tuple[str, ...] = ("phalanx/tee/host", "phalanx/tee/platform/process.py")


def default_source_root() -> Path:
    """The directory that holds the running `phalanx` package."""
    return Path(phalanx.__file__).resolve().parent.parent


def list_enclave_code_files(source_root: Path | None = None) -> list[str]:
    """The measured files, as sorted POSIX paths relative to `source_root`."""
    root = source_root or default_source_root()
    found: set[str] = set()
    for entry in ENCLAVE_CODE:
        path = root / entry
        candidates = [path] if path.is_file() else sorted(path.rglob("*.py")) if path.is_dir() else []
        for file in candidates:
            rel = file.relative_to(root).as_posix()
            if "__pycache__" not in rel and not _is_host_code(rel):
                found.add(rel)
    return sorted(found)


def compute_code_measurement(source_root: Path | None = None) -> bytes:
    """The 32-byte measurement of the enclave code under `source_root` (default: the running package)."""
    root = source_root or default_source_root()
    buf = bytearray(MEASUREMENT_CONTEXT)
    for rel in list_enclave_code_files(root):
        buf += Str.encode(rel)
        buf += Bytes.encode((root / rel).read_bytes())
    return blake2_256(bytes(buf))


def _is_host_code(rel: str) -> bool:
    return any(rel == host or rel.startswith(host + "/") for host in HOST_CODE)
