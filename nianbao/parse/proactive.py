"""Table 二 (主动公开政府信息情况): each item's numbers after its label."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from ..model import Cell, Report
from ..read import Token
from ..template import SECTION_PATTERNS, Template
from .cells import cell_of, measure_kind, trim_blanks
from .digits import MAX_RUN, cuts
from .textindex import TextIndex


def parse_proactive(report: Report, index: TextIndex, template: Template, before: int | None) -> None:
    for key in template.proactive_cells:
        report.proactive[key] = Cell()
    end = index.at_token(before) if before is not None else len(index.text)
    # The table's own heading first: the section's name also stands in the
    # introduction ("全文包括总体情况、主动公开政府信息情况……").
    anchor = index.search(["第二十条"], 0, end) or index.search([SECTION_PATTERNS["proactive"]], 0, end)
    start = anchor.at if anchor else 0
    found = 0
    for item in template.proactive:
        values = _labelled_values(index, item.patterns, start, end, len(item.measures))
        if values is None:
            continue
        found += 1
        if _glued_item(report, template, item, values):
            continue
        if len(values) < len(item.measures):
            _short_item(report, template, item, values)
            continue
        for measure, token in zip(item.measures, values, strict=False):
            cell = cell_of(token, measure_kind(measure))
            report.proactive[(item.code, measure)] = cell
            if cell.status == "text":
                report.add(
                    "warning",
                    "not_a_number",
                    f"表二「{item.label}」的「{template.measures[measure]}」写的是「{token.text}」，不是数字",
                    table="proactive",
                    row=item.code,
                    column=measure,
                )
    if found == 0 or (anchor is None and found < 2):
        for key in template.proactive_cells:
            report.proactive[key] = Cell()
        report.add("warning", "table_missing", "没有找到表二（主动公开政府信息情况）", table="proactive")


# Most ways of cutting a glued run of table 二 that a finding lists.
SHOWN_CANDIDATES = 6


def _glued_item(report: Report, template: Template, item: Any, values: list[Token]) -> bool:
    """An item of table 二 whose numbers lost the spaces between them ("行政规范性文件417").

    Table 二 has no arithmetic inside a report, so a run is cut only when it
    has exactly one digit per cell; otherwise every cell stays null and the
    finding lists the ways it could be read.  Returns whether the item was
    settled here.
    """
    width = len(item.measures)
    runs = [t.text for t in values]
    if not (len(values) < width <= sum(map(len, runs)) <= MAX_RUN and all(r.isdigit() for r in runs)):
        return False
    readings = list(itertools.islice(cuts(runs, width), 1000))
    shown = " ".join(runs)
    where = f"表二「{item.label}」"
    if len(readings) == 1:
        for measure, value in zip(item.measures, readings[0], strict=True):
            report.proactive[(item.code, measure)] = Cell(value, "printed", str(value))
        cut = " ".join(map(str, readings[0]))
        message = f"{where}的数字连在一起（{shown}），{width}格各一位数，只有一种拆法：{cut}"
        report.add("warning", "digits_run_together", message, table="proactive", row=item.code)
        return True
    names = "、".join(template.measures[m] for m in item.measures)
    options = "；".join(" | ".join(map(str, c)) for c in readings[:SHOWN_CANDIDATES])
    more = f"等{len(readings)}种" if len(readings) > SHOWN_CANDIDATES else f"共{len(readings)}种"
    message = (
        f"{where}的数字连在一起（{shown}），拆成{names}{width}格有不止一种拆法（{options}，{more}），"
        "表二没有勾稽关系可以确定，保持空缺"
    )
    for measure in item.measures:
        report.proactive[(item.code, measure)] = Cell(None, "missing", shown)
    report.add("error", "digits_run_together", message, table="proactive", row=item.code)
    return True


def _short_item(report: Report, template: Template, item: Any, values: list[Token]) -> None:
    """An item of table 二 that printed fewer numbers than it has cells.

    Which cell was left blank cannot be told (table 二 has no arithmetic, and
    a converted table may have lost a cell anywhere), so every cell of the
    item stays null and the finding says what was printed.
    """
    shown = " ".join(t.text for t in values)
    names = "、".join(template.measures[m] for m in item.measures)
    for measure in item.measures:
        report.proactive[(item.code, measure)] = Cell(None, "missing", shown)
    report.add(
        "warning",
        "row_short",
        f"表二「{item.label}」只有{len(values)}个数（{shown}），应有{len(item.measures)}个（{names}）；"
        "无法确定哪一格空缺，全部按空缺处理",
        table="proactive",
        row=item.code,
    )


def _labelled_values(
    index: TextIndex, patterns: Sequence[str], start: int, end: int, count: int
) -> list[Token] | None:
    """The value cells right after a label: the first match followed by numbers."""
    at = start
    while True:
        m = index.search(patterns, at, end)
        if m is None:
            return None
        run: list[Token] = []
        for token in index.tokens[m.end :]:
            if token.kind == "text" or len([t for t in run if t.kind != "blank"]) == count:
                break
            run.append(token)
        values = [t for t in trim_blanks(run) if t.kind != "blank"] or None
        if values:
            return values
        at = m.stop
