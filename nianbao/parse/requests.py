"""Table 三 (收到和处理政府信息公开申请情况), found by its row labels in
template order, whatever line breaks did to them."""

from __future__ import annotations

import functools

from ..model import Cell, Report
from ..read import Token
from ..template import SECTION_PATTERNS, TEMPLATES, Row, Template
from ..text import normalise
from .cells import cell_of, first_run, trim_blanks, values_between
from .digits import Segment, one_digit_each
from .textindex import Match, TextIndex, fold

# How far (in label characters) the next row's label may stand from the last.
ROW_WINDOW = 400


def _find_requests(index: TextIndex, template: Template) -> list[tuple[str, Match | None]]:
    start = _requests_anchor(index, template)
    if start is None:
        return []
    first = template.rows[0]
    found: list[tuple[str, Match | None]] = [(first.code, start)]
    cursor = start.stop
    for row in template.rows[1:]:
        m = index.search(row.patterns, cursor, cursor + ROW_WINDOW)
        if m:
            m = index.widen(m, row.label, cursor)
        found.append((row.code, m))
        if m:
            cursor = m.stop
    return _collapsed_rows(index, template, found)


def _collapsed_rows(
    index: TextIndex, template: Template, found: list[tuple[str, Match | None]]
) -> list[tuple[str, Match | None]]:
    """A row printed in place of several (（六）其他处理 for its three items)."""
    where = dict(found)
    for variant in template.variants:
        if any(where.get(code) for code in variant.replaces):
            continue
        at = next(i for i, (code, _) in enumerate(found) if code == variant.replaces[0])
        before = next((m for _, m in reversed(found[:at]) if m), None)
        after = next((m for _, m in found[at:] if m), None)
        if before is None or after is None:
            continue
        m = index.search(variant.patterns, before.stop, after.at)
        if m:
            found = [*found[:at], (variant.code, m), *found[at:]]
    return found


def _requests_anchor(index: TextIndex, template: Template) -> Match | None:
    """Where table 三 starts: the first row's label followed by a row of numbers.

    The prose often says 本年新收…上年结转… with a number or two; the table
    is where the first row's label is followed by a full row of values.
    """
    first, second = template.rows[0], template.rows[1]
    width = len(template.applicants)
    best: tuple[int, Match] | None = None
    for pattern in first.patterns:
        for m in index.finditer(pattern):
            after = index.search(second.patterns, m.stop, m.stop + ROW_WINDOW)
            if after is None:
                continue
            count = len([t for t in index.tokens[m.end : after.start] if t.kind != "text"])
            score = min(count, width)
            if best is None or score > best[0]:
                best = (score, m)
            if score == width:
                return m
    return best[1] if best else None


def _table_end(index: TextIndex, after: int) -> int:
    """Token index where table 三 ends: the heading of 四, or of 五."""
    for code in ("reviews", "problems"):
        m = index.search([SECTION_PATTERNS[code]], after)
        if m:
            return m.start
    return len(index.tokens)


def parse_requests(
    report: Report, index: TextIndex, template: Template, segments: list[Segment]
) -> tuple[int, int] | None:
    """Fill ``report.requests``; return the token span of the table."""
    found = _find_requests(index, template)
    width = len(template.applicants)
    for row in template.rows:
        for col in template.applicant_codes:
            report.requests[(row.code, col)] = Cell()
    codes = {code for code, _ in found}
    for variant in template.variants:
        if variant.code in codes:
            for col in template.applicant_codes:
                report.requests[(variant.code, col)] = Cell()
    if not found:
        report.add(
            "error", "table_missing", "没有找到表三（收到和处理政府信息公开申请情况）", table="requests"
        )
        return None
    located = [(code, m) for code, m in found if m is not None]
    end_of_table = _table_end(index, located[-1][1].stop)
    plan: list[tuple[str, list[Token]]] = []
    for i, (code, m) in enumerate(located):
        stop = located[i + 1][1].start if i + 1 < len(located) else end_of_table
        last = i + 1 == len(located)
        tokens = first_run(index.tokens, m.end, stop) if last else values_between(index.tokens, m.start, stop)
        plan.append((code, tokens))
        if not last:
            _unknown_labels(report, template, code, index.tokens[m.end : stop])
    rows = template.rows_for(codes)
    by_order = _rows_by_order(index, located, rows, width, end_of_table)
    troubled = len(located) < len(rows) or any(len(t) > width for _, t in plan)
    missing_ok = False
    if by_order is not None and troubled:
        placed_by_label = {code for code, tokens in plan if len(tokens) == width}
        plan = [(row.code, tokens) for row, tokens in zip(rows, by_order, strict=True)]
        moved = [row for row in rows if row.code not in placed_by_label]
        report.add(
            "warning",
            "rows_by_order",
            f"表三有{len(moved)}行的行名与数字分开了（如「{moved[0].label}」），"
            f"表中恰有{len(rows)}行各{width}个数，按行的顺序对应",
            table="requests",
        )
        missing_ok = True
    for code, tokens in plan:
        _fill_row(report, template, code, tokens, width, segments)
    replaced = {r for v in template.variants if v.code in codes for r in v.replaces}
    for code, where in found:
        if code in replaced:
            label = template.row(code).label
            report.add(
                "info",
                "row_collapsed",
                f"表三把（六）其他处理印成一行，没有分列「{label}」，此行按缺失处理，合计见 other_processing",
                table="requests",
                row=code,
            )
        elif where is None and not missing_ok:
            label = template.row(code).label
            report.add(
                "warning", "row_missing", f"表三中没有找到「{label}」这一行", table="requests", row=code
            )
    return located[0][1].start, end_of_table


def _rows_by_order(
    index: TextIndex, located: list[tuple[str, Match]], rows: tuple[Row, ...], width: int, end: int
) -> list[list[Token]] | None:
    """The table's rows of numbers in printed order, when there is exactly one
    line of ``width`` numbers per row of the template.

    A PDF converted to Markdown pulls multi-line labels out of the table, so
    a row's numbers stand far from its label; the lines of numbers keep
    their order.  Every label that does stand on a line of numbers must be
    on the line its place in the table says, or the order is not trusted.
    """
    tokens = index.tokens
    lines: dict[int, list[Token]] = {}
    for token in tokens[located[0][1].start : end]:
        lines.setdefault(token.line, []).append(token)
    full = [
        line
        for line, items in lines.items()
        if len(values := trim_blanks([t for t in items if t.kind != "text"])) == width
        and all(t.kind in ("number", "placeholder") for t in values)
    ]
    if len(full) != len(rows):
        return None
    order = {row.code: i for i, row in enumerate(rows)}
    for code, m in located:
        line = tokens[m.end - 1].line
        if line in full and full.index(line) != order.get(code):
            return None
    return [trim_blanks([t for t in lines[line] if t.kind != "text"]) for line in full]


def _label_text(text: str) -> str:
    return fold(normalise(text))


@functools.cache
def _known_label_text(version: str) -> str:
    """Every label, group and column name of a template's table 三, folded, in one string."""
    template = TEMPLATES[version]
    known = [_label_text(t) for r in (*template.rows, *template.variants) for t in (r.label, r.group)]
    known += [_label_text(c.label) for c in (*template.applicants, *template.outcomes)]
    return "|".join(known)


def _unknown_labels(report: Report, template: Template, code: str, tokens: list[Token]) -> None:
    """Text among a row's numbers that is no piece of any label of the table.

    Wrapped label ends, group labels and vertical headings (本/年/度…) are
    pieces of the template's labels; anything else may be a row the template
    does not know, whose numbers were read as this row's.
    """
    known = _known_label_text(template.version)
    for token in tokens:
        text = _label_text(token.text)
        if token.kind == "text" and len(text) >= 4 and text not in known:
            report.add(
                "warning",
                "unknown_label",
                f"表三「{template.row(code).label}」之后有一段不认识的文字「{token.text}」，"
                "可能是模板以外的一行；其数字可能被算进了这一行",
                table="requests",
                row=code,
            )


def _fill_row(
    report: Report,
    template: Template,
    code: str,
    tokens: list[Token],
    width: int,
    segments: list[Segment],
) -> None:
    label = template.row(code).label
    cells = [cell_of(t) for t in tokens]
    keys = [(code, col) for col in template.applicant_codes]
    for cell, token in zip(cells, tokens, strict=True):
        if cell.status == "text":
            report.add(
                "warning",
                "not_a_count",
                f"表三「{label}」有一格写的是「{token.text}」，不是件数，按空缺处理",
                table="requests",
                row=code,
            )
    if len(cells) == width:
        for key, cell in zip(keys, cells, strict=True):
            report.requests[key] = cell
    elif not cells:
        for key in keys:
            report.requests[key] = Cell(None, "blank")
        report.add("warning", "row_blank", f"表三「{label}」这一行没有填数", table="requests", row=code)
    elif len(cells) < width:
        if not one_digit_each(report, "requests", code, keys, cells, f"表三「{label}」"):
            segments.append(Segment("requests", code, keys, cells))
    else:
        shown = " ".join(t.text for t in tokens)
        report.add(
            "error",
            "row_overflow",
            f"表三「{label}」有{len(cells)}个数（{shown}），多于{width}列，无法对应，全部按空缺处理",
            table="requests",
            row=code,
        )
