"""The committed protobuf modules load in the protobuf runtime and match what the generator writes."""

from __future__ import annotations

import filecmp
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from phalanx.engine.abci.proto.tendermint.abci import types_pb2 as abci
from phalanx.engine.abci.proto.tendermint.types import canonical_pb2, types_pb2

ROOT = pathlib.Path(__file__).resolve().parents[4]
COMMITTED = ROOT / "src" / "phalanx" / "engine" / "abci" / "proto"
COMETBFT_VERSION = "v0.38.26"


def _module_cache() -> pathlib.Path | None:
    cache = os.environ.get("GOMODCACHE")
    if not cache and shutil.which("go"):
        cache = subprocess.run(["go", "env", "GOMODCACHE"], capture_output=True, text=True).stdout.strip()
    if not cache:
        return None
    path = pathlib.Path(cache)
    return path if (path / f"github.com/cometbft/cometbft@{COMETBFT_VERSION}/proto").is_dir() else None


def _tree(root: pathlib.Path) -> list[str]:
    files = (p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return sorted(str(p.relative_to(root)) for p in files)


def test_messages_round_trip_in_the_runtime() -> None:
    request = abci.Request(finalize_block=abci.RequestFinalizeBlock(txs=[b"a=1"], height=7))
    decoded = abci.Request.FromString(request.SerializeToString())
    assert decoded.WhichOneof("value") == "finalize_block"
    assert decoded.finalize_block.height == 7
    assert list(decoded.finalize_block.txs) == [b"a=1"]
    assert canonical_pb2.CanonicalVote.DESCRIPTOR.fields_by_name["height"].type == 16  # TYPE_SFIXED64
    assert types_pb2.SignedMsgType.SIGNED_MSG_TYPE_PRECOMMIT == 2


def test_committed_files_are_what_the_generator_writes(tmp_path: pathlib.Path) -> None:
    cache = _module_cache()
    if cache is None:
        pytest.skip(f"Go module cache with cometbft@{COMETBFT_VERSION} is absent; cannot regenerate")
    out = tmp_path / "proto"
    env = dict(os.environ, GOMODCACHE=str(cache), PYTHON=sys.executable)
    subprocess.run(["bash", str(ROOT / "tools" / "gen-abci-proto.sh"), str(out)], check=True, env=env)
    assert _tree(out) == _tree(COMMITTED)
    mismatched = [name for name in _tree(out) if not filecmp.cmp(out / name, COMMITTED / name, shallow=False)]
    assert not mismatched, f"run tools/gen-abci-proto.sh and commit; differing: {mismatched}"
