"""The template's arithmetic (勾稽关系) as a small constraint solver.

Every equation of the template says ``sum(left) == sum(right)``, and every
count is a whole number >= 0.  Given the cells that were printed, interval
propagation finds the cells the equations force (a blank row whose column
totals leave room only for 0) and the equations that cannot hold.  The same
equations drive the checks in :mod:`nianbao.check`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .model import Number
from .template import Equation

Key = tuple[str, str, str]  # (table, row, column)
INF = float("inf")


class Contradiction(Exception):
    """The known cells leave no whole numbers >= 0 for the unknown ones."""

    def __init__(self, equation: Equation):
        super().__init__(equation.where)
        self.equation = equation


def cells_of(eq: Equation) -> list[Key]:
    return [(eq.table, r, c) for r, c in (*eq.left, *eq.right)]


def _terms(eq: Equation) -> list[tuple[Key, int]]:
    return [((eq.table, r, c), 1) for r, c in eq.left] + [((eq.table, r, c), -1) for r, c in eq.right]


def propagate(
    equations: Iterable[Equation],
    known: Mapping[Key, int],
    unknown: Iterable[Key],
    hypothesis: Iterable[Key] = (),
) -> dict[Key, int]:
    """The unknown cells that the equations force to one value.

    Only equations with at least one unknown cell take part: an equation over
    printed cells alone is the checks' business, and a failure there must not
    stop us from filling a blank elsewhere.  Cells in ``hypothesis`` are known
    values we are only trying out (one way of placing a short row's numbers):
    every equation they appear in must hold.  Raises :class:`Contradiction`
    when an equation involving an unknown or hypothetical cell cannot hold.
    """
    unknown = set(unknown)
    watched = unknown | set(hypothesis)
    active = [eq for eq in equations if any(k in watched for k in cells_of(eq))]
    lo: dict[Key, float] = {k: 0 for k in unknown}
    hi: dict[Key, float] = {k: INF for k in unknown}
    for key, value in known.items():
        lo[key] = hi[key] = value
    changed = True
    rounds = 0
    while changed and rounds < 100:
        changed, rounds = False, rounds + 1
        for eq in active:
            terms = _terms(eq)
            if any(k not in lo for k, _ in terms):
                continue  # a cell the report lacks entirely: nothing to learn
            if all(lo[k] == hi[k] for k, _ in terms):
                if sum(s * lo[k] for k, s in terms) != 0:
                    raise Contradiction(eq)
                continue
            for key, sign in terms:
                if key not in unknown:
                    continue
                # sign*x = -sum(other signed terms): bound it from the others.
                rest_lo = sum((lo[k] if s > 0 else -hi[k]) for k, s in terms if k != key)
                rest_hi = sum((hi[k] if s > 0 else -lo[k]) for k, s in terms if k != key)
                new_lo, new_hi = (-rest_hi, -rest_lo) if sign > 0 else (rest_lo, rest_hi)
                if new_lo > lo[key]:
                    lo[key], changed = new_lo, True
                if new_hi < hi[key]:
                    hi[key], changed = new_hi, True
                if lo[key] > hi[key]:
                    raise Contradiction(eq)
    return {k: int(lo[k]) for k in unknown if lo[k] == hi[k]}


def holds(eq: Equation, values: Mapping[Key, Number | None]) -> bool | None:
    """True or False when every cell is known, None when one is missing."""
    left = [values.get((eq.table, r, c)) for r, c in eq.left]
    right = [values.get((eq.table, r, c)) for r, c in eq.right]
    if any(v is None for v in left + right):
        return None
    return sum(left) == sum(right)  # type: ignore[arg-type]
