"""Tokens as cells: what a printed token means in a cell of a given kind,
and the runs of value tokens that belong to a row."""

from __future__ import annotations

from decimal import Decimal

from ..model import Cell
from ..read import Token, parse_number
from ..template import AMOUNT_MEASURES, SIGNED_MEASURES

Key = tuple[str, str, str]


def cell_of(token: Token, kind: str = "count") -> Cell:
    """A token as a cell: ``count`` cells hold whole numbers >= 0, ``signed``
    cells whole numbers of either sign, ``amount`` cells any number >= 0."""
    if token.kind == "blank":
        return Cell(None, "blank")
    if token.kind == "placeholder":
        return Cell(None, "placeholder", token.text)
    value = parse_number(token.text)
    if value is None or (kind != "amount" and isinstance(value, Decimal)) or (kind != "signed" and value < 0):
        return Cell(None, "text", token.text)
    return Cell.printed(value, token.text)


def measure_kind(measure: str) -> str:
    return "signed" if measure in SIGNED_MEASURES else "amount" if measure in AMOUNT_MEASURES else "count"


def trim_blanks(tokens: list[Token]) -> list[Token]:
    """Blank cells before and after a row's numbers are label padding."""
    start, end = 0, len(tokens)
    while start < end and tokens[start].kind == "blank":
        start += 1
    while end > start and tokens[end - 1].kind == "blank":
        end -= 1
    return tokens[start:end]


def values_between(tokens: list[Token], start: int, end: int) -> list[Token]:
    return trim_blanks([t for t in tokens[start:end] if t.kind != "text"])


def first_run(tokens: list[Token], start: int, stop: int) -> list[Token]:
    """The last row's numbers: the run right after its label, up to the next text."""
    run: list[Token] = []
    for token in tokens[start:stop]:
        if token.kind == "text":
            if run:
                break
            continue
        run.append(token)
    return trim_blanks(run)


def trim_trailing(tokens: list[Token]) -> list[Token]:
    while tokens and tokens[-1].kind == "blank":
        tokens = tokens[:-1]
    return tokens
