"""Reports read from pictures (OCR): every number is marked as recognised.

A cell the OCR reader could not read with certainty came in as a
placeholder holding what it saw (:data:`~nianbao.read.source.UNSURE`): it
becomes ``unrecognised`` (null) with a finding that names what was seen,
unless the template's arithmetic worked out its value (then it stays
``derived``, and the finding says so).
"""

from __future__ import annotations

from ..model import Report
from ..read.source import UNSURE_PATTERN
from ..template import Template


def mark_recognised(report: Report, template: Template) -> None:
    report.recognised = True
    for table in ("requests", "reviews", "proactive"):
        for (row, column), cell in report.table(table).items():
            if cell.status == "printed":
                cell.status = "recognised"
                continue
            unsure = UNSURE_PATTERN.fullmatch(cell.raw)
            if unsure is None:
                continue
            seen = unsure.group(1)
            cell.raw = seen
            where = template.cell_name(table, row, column)
            if cell.status == "derived":
                message = f"{where}在图片上读作「{seen}」，无法确认；按勾稽关系推算为 {cell.value}"
                report.add("info", "ocr_unsure", message, table=table, row=row, column=column)
            else:
                cell.status = "unrecognised"
                message = f"{where}在图片上读作「{seen}」，无法确认，按空缺处理"
                report.add("warning", "ocr_unsure", message, table=table, row=row, column=column)
