"""Tables with merged cells as a plain grid of text lines."""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")


def clean(text: str) -> str:
    """A cell's text on one line: non-breaking and other spaces collapsed."""
    return _SPACE.sub(" ", text.replace("\u00a0", " ").replace("\u3000", " ")).strip()


def expand(rows: list[list[tuple[str, int, int]]]) -> list[list[str]]:
    """Rows of (text, rowspan, colspan) cells to a rectangular grid.

    A merged cell's text stands in its top-left slot; the slots it also
    covers are empty strings, so a value is never counted twice and a label
    spanning several rows does not repeat in each of them.
    """
    grid: list[list[str | None]] = []
    for r, row in enumerate(rows):
        while len(grid) <= r:
            grid.append([])
        c = 0
        for text, rowspan, colspan in row:
            while c < len(grid[r]) and grid[r][c] is not None:
                c += 1
            for dr in range(max(rowspan, 1)):
                while len(grid) <= r + dr:
                    grid.append([])
                line = grid[r + dr]
                for dc in range(max(colspan, 1)):
                    while len(line) <= c + dc:
                        line.append(None)
                    line[c + dc] = text if dr == dc == 0 else ""
            c += max(colspan, 1)
    return [[cell or "" for cell in row] for row in grid]


def to_lines(grid: list[list[str]]) -> list[str]:
    """One tab-separated line per grid row; rows with nothing in them dropped."""
    return ["\t".join(clean(cell) for cell in row) for row in grid if any(clean(c) for c in row)]
