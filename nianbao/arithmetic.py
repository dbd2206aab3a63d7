"""The template's arithmetic (勾稽关系) as a small constraint solver.

Every equation of the template says ``sum(left) == sum(right)``, and every
count is a whole number >= 0.  Given the cells that were printed, interval
propagation finds the cells the equations force (a blank row whose column
totals leave room only for 0) and the equations that cannot hold.  The same
equations drive the checks in :mod:`nianbao.check`.
"""

from __future__ import annotations

import functools
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


@functools.cache
def _terms(eq: Equation) -> tuple[tuple[Key, int], ...]:
    """The equation as signed terms (worked out once: a report's short rows
    are tried thousands of ways against the same equations)."""
    return tuple([((eq.table, r, c), 1) for r, c in eq.left] + [((eq.table, r, c), -1) for r, c in eq.right])


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
    active = []
    for eq in equations:
        terms = _terms(eq)
        if any(k in watched for k, _ in terms):
            active.append((eq, terms))
    lo: dict[Key, float] = {k: 0 for k in unknown}
    hi: dict[Key, float] = {k: INF for k in unknown}
    for key, value in known.items():
        lo[key] = hi[key] = value
    changed = True
    rounds = 0
    while changed and rounds < 100:
        changed, rounds = False, rounds + 1
        for eq, terms in active:
            if any(k not in lo for k, _ in terms):
                continue  # a cell the report lacks entirely: nothing to learn
            if all(lo[k] == hi[k] for k, _ in terms):
                if sum(s * lo[k] for k, s in terms) != 0:
                    raise Contradiction(eq)
                continue
            changed = _narrow(eq, terms, unknown, lo, hi) or changed
    return {k: int(lo[k]) for k in unknown if lo[k] == hi[k]}


def _narrow(
    eq: Equation,
    terms: tuple[tuple[Key, int], ...],
    unknown: set[Key],
    lo: dict[Key, float],
    hi: dict[Key, float],
) -> bool:
    """One pass of ``eq`` over its unknown cells, each bounded by the others
    (sign*x = -sum of the other signed terms); True when a bound moved.

    The sums of all terms' least and greatest signed values are kept (their
    finite part and how many are infinite: ``inf - inf`` is nan), and
    mended as a cell's bounds move, so that each cell's bound costs one
    subtraction, not a sum over the others: short rows tried every way
    (:mod:`nianbao.parse.resolve`) call this hundreds of thousands of times.
    A lower bound is never infinite and an upper one only +inf, so a least
    signed value can only be -inf and a greatest only +inf.  A template's
    equation names each cell once (a test holds it), so "the others" are
    all terms but this one."""
    low: float = 0  # whole numbers as the original sums were
    high: float = 0
    low_infinite = high_infinite = 0
    for key, sign in terms:
        least, most = (lo[key], hi[key]) if sign > 0 else (-hi[key], -lo[key])
        if least == -INF:
            low_infinite += 1
        else:
            low += least
        if most == INF:
            high_infinite += 1
        else:
            high += most
    changed = False
    for key, sign in terms:
        if key not in unknown:
            continue
        least, most = (lo[key], hi[key]) if sign > 0 else (-hi[key], -lo[key])
        if least == -INF:
            rest_lo = -INF if low_infinite > 1 else low
        else:
            rest_lo = -INF if low_infinite else low - least
        if most == INF:
            rest_hi = INF if high_infinite > 1 else high
        else:
            rest_hi = INF if high_infinite else high - most
        new_lo, new_hi = (-rest_hi, -rest_lo) if sign > 0 else (rest_lo, rest_hi)
        moved = False
        if new_lo > lo[key]:
            lo[key], moved = new_lo, True
        if new_hi < hi[key]:
            hi[key], moved = new_hi, True
        if lo[key] > hi[key]:
            raise Contradiction(eq)
        if moved:
            changed = True
            now_least, now_most = (lo[key], hi[key]) if sign > 0 else (-hi[key], -lo[key])
            if least == -INF:
                low_infinite -= 1
            else:
                low -= least
            if now_least == -INF:
                low_infinite += 1
            else:
                low += now_least
            if most == INF:
                high_infinite -= 1
            else:
                high -= most
            if now_most == INF:
                high_infinite += 1
            else:
                high += now_most
    return changed


def holds(eq: Equation, values: Mapping[Key, Number | None]) -> bool | None:
    """True or False when every cell is known, None when one is missing."""
    left = [values.get((eq.table, r, c)) for r, c in eq.left]
    right = [values.get((eq.table, r, c)) for r, c in eq.right]
    if any(v is None for v in left + right):
        return None
    return sum(left) == sum(right)  # type: ignore[arg-type]
