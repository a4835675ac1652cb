#!/usr/bin/env bash
# Installs CometBFT v0.38 (the newest patch the Go module proxy serves) into $TOOLS_DIR/bin,
# unless a suitable cometbft is already there or on PATH. Checks the installed version.
set -euo pipefail
TOOLS_DIR=${TOOLS_DIR:-$(pwd)/.tools}
WANT_MINOR="0.38"
mkdir -p "$TOOLS_DIR/bin"

version_ok() { "$1" version 2>/dev/null | grep -qE "^${WANT_MINOR//./\\.}\.[0-9]+"; }

if [ -x "$TOOLS_DIR/bin/cometbft" ] && version_ok "$TOOLS_DIR/bin/cometbft"; then
  exit 0
fi
if command -v cometbft >/dev/null 2>&1 && version_ok "$(command -v cometbft)"; then
  ln -sf "$(command -v cometbft)" "$TOOLS_DIR/bin/cometbft"
  exit 0
fi
command -v go >/dev/null 2>&1 || { echo "install-cometbft: Go is needed to install CometBFT" >&2; exit 1; }

version=${COMETBFT_VERSION:-}
if [ -z "$version" ]; then
  version=$(go list -m -versions github.com/cometbft/cometbft | tr ' ' '\n' | grep -E "^v${WANT_MINOR//./\\.}\.[0-9]+$" | sort -V | tail -n 1)
fi
[ -n "$version" ] || { echo "install-cometbft: no v${WANT_MINOR}.x release found" >&2; exit 1; }
echo "installing cometbft $version into $TOOLS_DIR/bin"
GOBIN="$TOOLS_DIR/bin" go install "github.com/cometbft/cometbft/cmd/cometbft@$version"
version_ok "$TOOLS_DIR/bin/cometbft" || { echo "install-cometbft: installed binary reports $("$TOOLS_DIR/bin/cometbft" version)" >&2; exit 1; }
echo "cometbft $("$TOOLS_DIR/bin/cometbft" version) ready"
