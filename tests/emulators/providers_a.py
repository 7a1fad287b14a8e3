"""Emulated providers added for issue 3 (group a); each registers itself on import."""

from __future__ import annotations
