"""Benchmarks (run by hand or `make bench`; figures go in docs/performance.md)."""
