"""Emulated providers added for issue 3 (group b); each registers itself on import."""

from __future__ import annotations
