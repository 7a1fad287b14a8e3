"""Benchmarks that print figures (run from the repository root: ``python bench/<name>.py``)."""
