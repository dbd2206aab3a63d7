"""Table 四 (行政复议、行政诉讼): fifteen numbers after its heading."""

from __future__ import annotations

from ..model import Cell, Report
from ..template import SECTION_PATTERNS, Template
from .cells import cell_of, trim_trailing
from .digits import Segment, one_digit_each
from .textindex import TextIndex


def parse_reviews(
    report: Report, index: TextIndex, template: Template, after: int, segments: list[Segment]
) -> None:
    cells = template.review_cells
    for key in cells:
        report.reviews[key] = Cell()
    anchor = index.search([SECTION_PATTERNS["reviews"], "行政复议"], index.at_token(after))
    if anchor is None:
        report.add("error", "table_missing", "没有找到表四（行政复议、行政诉讼情况）", table="reviews")
        return
    end_match = index.search([SECTION_PATTERNS["problems"]], anchor.stop)
    stop = end_match.start if end_match else len(index.tokens)
    tokens = index.tokens
    first = next((i for i in range(anchor.end, stop) if tokens[i].kind in ("number", "placeholder")), None)
    if first is None:
        report.add("error", "table_empty", "表四没有任何数字", table="reviews")
        return
    line = [t for t in tokens[anchor.end : stop] if t.line == tokens[first].line]
    row = trim_trailing([t for t in line if t.kind != "text"])
    if not any(t.kind == "blank" for t in row) or len(row) != len(cells):
        row = [t for t in tokens[first:stop] if t.kind in ("number", "placeholder")][: len(cells)]
    values = [cell_of(t) for t in row]
    if len(values) == len(cells):
        for key, cell in zip(cells, values, strict=True):
            report.reviews[key] = cell
    else:
        if not one_digit_each(report, "reviews", "", cells, values, "表四"):
            segments.append(Segment("reviews", "", cells, values))
