"""Rows that printed fewer numbers than they have cells: which number goes
where (:class:`Segment`), and digit runs of cells that lost the spaces
between them, cut where the row's own totals allow."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator

from ..model import Cell, Report

# The longest run of digits we try to cut into cells (two rows' worth of 4-digit values).
MAX_RUN = 40


# A run this long is never one count (counts of a million are implausible already).
GLUED_LENGTH = 7


class Segment:
    """Cells that a row printed too few numbers for: which go where is open.

    Two readings are tried, and the template arithmetic chooses between them:
    the numbers are some of the row's cells with the others left blank
    (:meth:`placements`), or the numbers lost the spaces between them and
    each is several cells run together, as text copied from a web page
    prints ``801000081`` for 80 1 0 0 0 0 81 (:meth:`splits`).
    """

    def __init__(self, table: str, row: str, keys: list[tuple[str, str]], cells: list[Cell]):
        self.table, self.row, self.keys, self.cells = table, row, keys, cells

    def placements(self) -> list[dict[int, Cell]]:
        return [
            dict(zip(slots, self.cells, strict=True))
            for slots in itertools.combinations(range(len(self.keys)), len(self.cells))
        ]

    @functools.cached_property
    def _splits(self) -> list[dict[int, Cell]]:
        return self._cut()

    def splits(self) -> list[dict[int, Cell]]:
        """Every way to cut the printed digit strings into exactly one value
        per cell (no value with a leading zero) that keeps the row's totals."""
        return self._splits

    def _cut(self) -> list[dict[int, Cell]]:
        runs = [c.raw for c in self.cells]
        width = len(self.keys)
        if (
            not all(r.isdigit() for r in runs)
            or not len(self.cells) < width <= sum(map(len, runs)) <= MAX_RUN
        ):
            return []
        out = []
        for values in cuts(runs, width):
            if self._totals_hold(values):
                out.append({i: Cell(v, "printed", str(v)) for i, v in enumerate(values)})
        return out

    def _totals_hold(self, values: list[int]) -> bool:
        """Each total (the last of a row, the fifth of each group in 四) is the sum before it."""
        group = 5 if self.table == "reviews" else len(values)
        return all(
            sum(values[i : i + group - 1]) == values[i + group - 1] for i in range(0, len(values), group)
        )

    @property
    def glued(self) -> bool:
        """Runs that can only be several cells run together: a count is never
        printed "01" or "0000000", nor runs to seven digits."""
        runs = [c.raw for c in self.cells]
        return all(r.isdigit() for r in runs) and any(
            (len(r) > 1 and r.startswith("0")) or len(r) >= GLUED_LENGTH for r in runs
        )

    def options(self, prefer_splits: bool = True) -> list[tuple[str, dict[int, Cell]]]:
        """A digit run that can be cut so the row's totals hold is read as cut
        first; the numbers as some of the cells only if that fails (never for
        runs that are certainly glued)."""
        splits = [("split", o) for o in self.splits()]
        if (splits and prefer_splits) or self.glued:
            return splits
        return [("placement", o) for o in self.placements()] + splits


def one_digit_each(
    report: Report, table: str, row: str, keys: list[tuple[str, str]], cells: list[Cell], where: str
) -> bool:
    """Glued digits with exactly one digit per cell ("8100008" for seven
    cells) can only be read one way, whether or not the report's own totals
    hold: the cells are set as printed, and the checks say if the sums fail.
    Returns whether the row was settled here."""
    runs = [c.raw for c in cells]
    if not (len(cells) < len(keys) and all(r.isdigit() for r in runs) and sum(map(len, runs)) == len(keys)):
        return False
    if not any(len(r) > 1 for r in runs):
        return False
    digits = "".join(runs)
    for key, digit in zip(keys, digits, strict=True):
        report.table(table)[key] = Cell(int(digit), "printed", digit)
    message = (
        f"{where}的数字连在一起（{' '.join(runs)}），{len(keys)}格各一位数，只有一种拆法：{' '.join(digits)}"
    )
    report.add("warning", "digits_run_together", message, table=table, row=row)
    return True


def cuts(runs: list[str], width: int) -> Iterator[list[int]]:
    """Cut each digit string into pieces, ``width`` pieces in all."""
    if not runs:
        if width == 0:
            yield []
        return
    first, rest = runs[0], runs[1:]
    for parts in range(1, min(len(first), width - len(rest)) + 1):
        for head in _pieces(first, parts):
            for tail in cuts(rest, width - parts):
                yield head + tail


def _pieces(digits: str, parts: int) -> Iterator[list[int]]:
    if parts == 1:
        if digits == "0" or not digits.startswith("0"):
            yield [int(digits)]
        return
    for cut in range(1, len(digits) - parts + 2):
        piece = digits[:cut]
        if piece != "0" and piece.startswith("0"):
            break
        for rest in _pieces(digits[cut:], parts - 1):
            yield [int(piece), *rest]
