"""Build the bundled catalog from pinned inputs: see build.py and README (maintainers)."""
