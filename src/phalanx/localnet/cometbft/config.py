"""Editing CometBFT's config.toml in place, and choosing free loopback ports.

`cometbft init` writes a commented config.toml; `configure` sets `key = value` lines inside named
sections and keeps everything else, so the file stays the one CometBFT documents. Values are given
as TOML literals (use `toml_str` for strings).
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Mapping

from phalanx.localnet.cometbft.errors import ConfigKeyMissing

LOOPBACK = "127.0.0.1"
_SECTION = re.compile(r"\[([\w.]+)\]\s*")


def toml_str(value: str) -> str:
    """A TOML basic string literal (JSON string escaping is valid TOML)."""
    return json.dumps(value)


def configure(config: str, settings: Mapping[tuple[str, str], str]) -> str:
    """Set each `(section, key)` ("" is the top level) to its TOML literal; raises ConfigKeyMissing
    when a key is not present in its section."""
    section, out, seen = "", [], set()
    for line in config.splitlines():
        header = _SECTION.fullmatch(line)
        if header:
            section = header.group(1)
        stripped = line.lstrip()
        if "=" in line and not stripped.startswith("#"):
            key = line.split("=", 1)[0].strip()
            if (section, key) in settings:
                line = f"{key} = {settings[(section, key)]}"
                seen.add((section, key))
        out.append(line)
    missing = sorted(set(settings) - seen)
    if missing:
        raise ConfigKeyMissing(f"config.toml has no {missing}; is this CometBFT v0.38?")
    return "\n".join(out) + "\n"


def free_ports(count: int, host: str = LOOPBACK) -> list[int]:
    """`count` distinct ports that were free on `host` a moment ago (all held open while choosing)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((host, 0))
            sockets.append(s)
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()

