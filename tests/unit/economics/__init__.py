"""Unit tests of phalanx.economics (a package, so its test module names cannot clash with others)."""
