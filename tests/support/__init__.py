"""Test chains, helpers and samples shared by unit tests, integration tests and benchmarks.

Imported as `tests.support.<module>`; pytest puts the repository root on `sys.path` (`pythonpath` in
`pyproject.toml`).
"""
