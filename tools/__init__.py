"""Maintainer tools (not shipped in the modelsync wheel)."""
