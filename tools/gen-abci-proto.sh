#!/usr/bin/env bash
# Generates the Python protobuf modules for CometBFT's ABCI 2.0 (`tendermint.abci`) and the types it
# and the light client need (`tendermint.types`, `tendermint.crypto`, `tendermint.version`), from the
# .proto files of the CometBFT module in the Go module cache, into src/phalanx/engine/abci/proto/.
#
# gogoproto options only steer Go code generation and never change the wire format, so they are
# stripped before protoc runs. Imports are rewritten to live under phalanx.engine.abci.proto.
#
# Usage: tools/gen-abci-proto.sh [OUT_DIR]
#   COMETBFT_VERSION  module version to read the .proto files from (default v0.38.26)
#   GOMODCACHE        Go module cache (default: `go env GOMODCACHE`)
#   PYTHON            interpreter with grpcio-tools installed (default: .venv/bin/python)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT_DIR=${1:-$ROOT/src/phalanx/engine/abci/proto}
COMETBFT_VERSION=${COMETBFT_VERSION:-v0.38.26}
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
if [ -z "${GOMODCACHE:-}" ]; then
  command -v go >/dev/null 2>&1 || { echo "gen-abci-proto: set GOMODCACHE or install Go" >&2; exit 1; }
  GOMODCACHE=$(go env GOMODCACHE)
fi
PROTO_SRC="$GOMODCACHE/github.com/cometbft/cometbft@$COMETBFT_VERSION/proto"
[ -d "$PROTO_SRC" ] || {
  echo "gen-abci-proto: $PROTO_SRC is missing; run: go mod download github.com/cometbft/cometbft@$COMETBFT_VERSION" >&2
  exit 1
}

# The transitive imports of abci/types.proto, plus canonical.proto (vote sign bytes).
FILES=(
  tendermint/abci/types.proto
  tendermint/crypto/keys.proto
  tendermint/crypto/proof.proto
  tendermint/types/canonical.proto
  tendermint/types/params.proto
  tendermint/types/types.proto
  tendermint/types/validator.proto
  tendermint/version/types.proto
)

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/src" "$WORK/out"

"$PYTHON" - "$PROTO_SRC" "$WORK/src" "${FILES[@]}" <<'EOF'
"""Copies .proto files without their gogoproto import and options."""
import pathlib
import re
import sys

src, dst, files = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3:]
ENTRY = re.compile(r'\s*((?:\([\w.]+\)|\w+)\s*=\s*(?:"(?:[^"\\]|\\.)*"|[\w.\-]+))\s*(?:,|$)')
BRACKET = re.compile(r"\s*\[([^\[\]]*gogoproto[^\[\]]*)\]")


def strip_options(match: re.Match[str]) -> str:
    inner = match.group(1)
    entries = [m.group(1) for m in ENTRY.finditer(inner)]
    if "".join(ENTRY.sub("", inner).split()):
        raise SystemExit(f"gen-abci-proto: cannot parse option list [{inner}]")
    kept = [entry for entry in entries if not entry.startswith("(gogoproto.")]
    return f" [{', '.join(kept)}]" if kept else ""


for name in files:
    text = (src / name).read_text()
    text = re.sub(r'^import "gogoproto/gogo.proto";\n', "", text, flags=re.M)
    text = re.sub(r"^[ \t]*option \(gogoproto\.\w+\)\s*=\s*[^;]+;\n", "", text, flags=re.M)
    text = BRACKET.sub(strip_options, text)
    if "gogoproto." in re.sub(r"//[^\n]*", "", text):
        raise SystemExit(f"gen-abci-proto: gogoproto options left in {name}")
    out = dst / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
EOF

(cd "$WORK/src" && "$PYTHON" -m grpc_tools.protoc -I. --python_out="$WORK/out" --pyi_out="$WORK/out" "${FILES[@]}")
PROTOC_VERSION=$("$PYTHON" -m grpc_tools.protoc --version)

# Absolute imports of the generated modules point into this package; every directory is a package.
find "$WORK/out" -name '*.py*' -print0 | xargs -0 sed -i -E \
  -e 's/^from tendermint\./from phalanx.engine.abci.proto.tendermint./' \
  -e '1s/^/# ruff: noqa\n# mypy: ignore-errors\n/'
find "$WORK/out" -type d | while read -r dir; do
  rel=${dir#"$WORK/out"}
  printf '"""Generated protobuf package phalanx.engine.abci.proto%s."""\n' "${rel//\//.}" > "$dir/__init__.py"
done
cat > "$WORK/out/__init__.py" <<EOF
"""CometBFT $COMETBFT_VERSION protobuf messages, made by tools/gen-abci-proto.sh ($PROTOC_VERSION)."""
EOF

rm -rf "$OUT_DIR"
mkdir -p "$(dirname "$OUT_DIR")"
cp -r "$WORK/out" "$OUT_DIR"
echo "gen-abci-proto: wrote $(find "$OUT_DIR" -name '*_pb2.py' | wc -l) modules into $OUT_DIR"
