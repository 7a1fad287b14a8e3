"""Plain fixed-width tables for the CLI: widths computed once, no wrapping, no terminal needed.

``rich`` measures and wraps every cell, which costs seconds on a 10,000-model catalog and folds
lines at 80 columns when stdout is a pipe. These tables size each column to its widest cell,
so long provider and instance names keep the columns aligned, and a line is as long as its
content: ``modelsync models | grep``/``less -S`` see one model per line.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

GAP = "  "


def cell_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (CJK) characters take two, combining none."""
    if text.isascii():
        return len(text)
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def render(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    right: Iterable[int] = (),
    indent: str = "",
) -> list[str]:
    """Lines of a table: a header, then one line per row, columns separated by two spaces.

    Columns in ``right`` are right-aligned (numbers); the last column is never padded, so no
    line ends in spaces.
    """
    body = [list(r) for r in rows]
    table = [list(headers), *body] if headers else body
    if not table:
        return []
    count = max(len(r) for r in table)
    widths = [0] * count
    for r in table:
        for i, text in enumerate(r):
            w = cell_width(text)
            widths[i] = max(widths[i], w)
    right_set = set(right)
    lines = []
    for r in table:
        parts = []
        last = len(r) - 1
        for i, text in enumerate(r):
            pad = widths[i] - cell_width(text)
            if i in right_set:
                parts.append(" " * pad + text)
            elif i == last:
                parts.append(text)
            else:
                parts.append(text + " " * pad)
        lines.append((indent + GAP.join(parts)).rstrip())
    return lines
