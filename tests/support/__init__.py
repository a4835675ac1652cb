"""Fixtures shared by unit tests, integration tests and benchmarks (imported as `support`)."""
