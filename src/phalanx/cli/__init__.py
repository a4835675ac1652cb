"""The `phalanx` command: dev chain, accounts, transfers and chain queries (typer + rich)."""
