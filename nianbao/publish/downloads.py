"""Step 4b: the other shapes of the data people download.

Besides the Frictionless CSV packages (:mod:`nianbao.package`), every report,
every agency and the whole portal is published as

- an Excel workbook with Chinese labels, one sheet per table, table 三 in the
  official 25 x 7 layout with its merged label cells;
- JSON: one document per report (a static API, indexed by ``api/index.json``);
- one reproducible ``.zip`` of the package, the workbook and a ``SHA256SUMS``
  file, so a citation can name the exact bytes it used.

All of them are built from the same rows as the CSV files, so they cannot
disagree with them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from .. import indicators as ind
from ..catalog import KINDS, LEVELS, facets
from ..i18n import SEVERITY
from ..model import Cell, Report
from ..template import SECTIONS, TEMPLATES, request_layout
from .package import LICENCE, plain, quality_rows
from .xlsx import DERIVED, MAX_ROWS, RECOGNISED, Sheet, row_formats, workbook, zip_bytes

# --- JSON --------------------------------------------------------------------


def _grid(cells: dict[tuple[str, str], Any]) -> tuple[dict, dict]:
    values: dict[str, dict[str, Any]] = {}
    status: dict[str, dict[str, str]] = {}
    for (row, column), cell in cells.items():
        values.setdefault(row, {})[column] = plain(cell.value)
        if cell.status != "printed":
            status.setdefault(row, {})[column] = cell.status
    return values, status


def report_document(report: Report, files: dict[str, str]) -> dict[str, Any]:
    """Everything known about one report, as one JSON document.

    ``files``: what else is published for it (kind -> path from the site root)."""
    tables, status = {}, {}
    for name in ("requests", "reviews", "proactive"):
        tables[name], status[name] = _grid(report.table(name))
    return {
        "report_id": report.report_id,
        **summary_fields(report),
        "title": report.title,
        "template": report.template,
        "source": report.source,
        "layout": report.layout,
        "tables": tables,
        "status": status,  # only the cells not printed as numbers: derived, blank, placeholder...
        "indicators": ind.indicators(report),
        "prose": {SECTIONS[code]: text for code, text in report.prose.items()},
        "findings": [
            {k: v for k, v in row.items() if k not in ("report_id", "source")} for row in quality_rows(report)
        ],
        "files": files,
    }


def summary_fields(report: Report) -> dict[str, Any]:
    """The fields the index, the list's filters and the feeds share."""
    return {
        "agency": report.agency,
        "year": report.year,
        **facets(report),
        "errors": report.count("error"),
        "warnings": report.count("warning"),
    }


# --- workbooks ---------------------------------------------------------------

_MARKS = {"derived": DERIVED, "recognised": RECOGNISED}


def _append(sheet: Sheet, head: list[Any], cells: list[Cell | None]) -> None:
    """A line of ``head`` then the cells' values; a derived or recognised
    number keeps its mark in the workbook, as on the pages."""
    sheet.rows.append([*head, *(plain(c.value) if c else None for c in cells)])
    for i, cell in enumerate(cells, start=len(head)):
        if cell is not None and cell.value is not None and cell.status in _MARKS:
            sheet.mark(i, _MARKS[cell.status])


def official_requests_sheet(report: Report, name: str = "表三 申请处理") -> Sheet:
    """Table 三 as the template prints it: 3 label columns, then 7 applicant columns."""
    template = TEMPLATES[report.template]
    rows = template.rows_for({row for row, _ in report.requests})
    applicants = template.applicants
    sheet = Sheet(name, header_rows=2, widths={0: 10, 1: 14, 2: 34})
    top: list[Any] = ["申请人情况", None, None]
    sub: list[Any] = [None, None, None]
    for column in applicants:
        top.append(column.group or column.label)
        sub.append(column.label if column.group else None)
    sheet.rows += [top, sub]
    sheet.merges.append((0, 0, 2, 3))
    col = 3
    while col < 3 + len(applicants):
        group = applicants[col - 3].group
        width = sum(1 for c in applicants if group and c.group == group) or 1
        sheet.merges.append((0, col, 1, width) if group else (0, col, 2, 1))
        col += width
    for r, (row, labels) in enumerate(zip(rows, request_layout(rows), strict=True), start=2):
        line: list[Any] = [None, None, None]
        end = 3  # label cells end at the third column: place them from the right
        for cell in reversed(labels):
            end -= cell["colspan"]
            line[end] = cell["text"]
            if cell["rowspan"] > 1 or cell["colspan"] > 1:
                sheet.merges.append((r, end, cell["rowspan"], cell["colspan"]))
        _append(sheet, line, [report.requests[(row.code, c.code)] for c in applicants])
    return sheet


def about_sheet(title: str, count: int) -> Sheet:
    """The workbook's first sheet: what it holds, how to read it, and its licence."""
    about = Sheet("说明", widths={0: 16, 1: 90})
    about.rows += [
        ["项目", "内容"],
        ["数据", title],
        ["报告", f"{count} 份"],
        [
            "怎样读",
            "空白格表示原报告没有数字（不是 0）。斜体紫色的数字是推算值：原报告空白或占位，按勾稽关系只能是此数；"
            "斜体蓝色的数字由图片识别（OCR）得到。问题见“问题”表；表三的官方版式见“表三 年度”各表。",
        ],
        ["许可", LICENCE[0]],
        ["来源", "各行政机关公开发布的政府信息公开工作年度报告，由 nianbao 解析并按模板勾稽关系核对。"],
    ]
    return about


def _keys(report: Report) -> list[Any]:
    return [report.report_id, report.agency, report.year]


_KEY_HEAD = ["报告编号", "机构", "年度"]


# The long sheets of a workbook of many reports, each a header and every
# report's lines.  A report's lines are written once, where the report is
# written (:func:`report_lines`), and kept with its table lines: a year's or
# an agency's workbook joins them without writing them again.


def _proactive_head() -> Sheet:
    sheet = Sheet("表二 主动公开", widths={1: 24, 3: 24, 4: 18})
    sheet.rows.append([*_KEY_HEAD, "信息内容", "指标", "数值"])
    return sheet


def _proactive_lines(sheet: Sheet, report: Report) -> None:
    template = TEMPLATES[report.template]
    for item in template.proactive:
        for measure in item.measures:
            head = [*_keys(report), item.label, template.measures[measure]]
            _append(sheet, head, [report.proactive.get((item.code, measure))])


def _reviews_head() -> Sheet:
    sheet = Sheet("表四 复议诉讼", widths={1: 24, 3: 18})
    sheet.rows.append([*_KEY_HEAD, "程序", *(o.label for o in TEMPLATES["2021"].outcomes)])
    return sheet


def _reviews_lines(sheet: Sheet, report: Report) -> None:
    template = TEMPLATES["2021"]
    for p in template.proceedings:
        label = f"{p.group}（{p.label}）" if p.group else p.label
        _append(
            sheet, [*_keys(report), label], [report.reviews.get((p.code, o.code)) for o in template.outcomes]
        )


def _requests_head() -> Sheet:
    """Table 三 of many reports: one line per report and row, the 7 applicant columns across."""
    sheet = Sheet("表三 申请处理", widths={1: 24, 3: 10, 4: 34})
    sheet.rows.append([*_KEY_HEAD, "序号", "项目", *(c.label for c in TEMPLATES["2021"].applicants)])
    return sheet


def _requests_lines(sheet: Sheet, report: Report) -> None:
    applicants = TEMPLATES["2021"].applicants
    for row in TEMPLATES[report.template].rows_for({r for r, _ in report.requests}):
        head = [*_keys(report), row.number, row.label]
        _append(sheet, head, [report.requests.get((row.code, c.code)) for c in applicants])


def _indicators_head() -> Sheet:
    sheet = Sheet("指标", widths={1: 24})
    sheet.rows.append([*_KEY_HEAD, *(i.label for i in ind.INDICATORS)])
    return sheet


def _indicators_lines(sheet: Sheet, report: Report) -> None:
    values = ind.indicators(report)
    sheet.rows.append([*_keys(report), *(values[i.code] for i in ind.INDICATORS)])


def _findings_head() -> Sheet:
    sheet = Sheet("问题", widths={0: 20, 1: 8, 2: 22, 3: 80})
    sheet.rows.append(["报告编号", "严重程度", "问题代码", "说明", "表", "行", "列", "源文件"])
    return sheet


def _findings_lines(sheet: Sheet, report: Report) -> None:
    for f in report.findings:
        sheet.rows.append(
            [
                report.report_id,
                SEVERITY[f.severity],
                f.code,
                f.message,
                f.table,
                f.row,
                f.column,
                report.source,
            ]
        )


def _reports_head() -> Sheet:
    sheet = Sheet("报告", widths={1: 28, 3: 16, 7: 30})
    sheet.rows.append([*_KEY_HEAD, "地区", "行政层级", "机构类型", "模板", "源文件", "错误", "警告", "提示"])
    return sheet


def _reports_lines(sheet: Sheet, report: Report) -> None:
    where = facets(report)
    sheet.rows.append(
        [
            *_keys(report),
            where["region"],
            LEVELS[where["level"]][0],
            KINDS[where["kind"]][0],
            report.template,
            report.source,
            report.count("error"),
            report.count("warning"),
            report.count("info"),
        ]
    )


# In the workbook's order: name -> its header, a report's lines.
LONG_SHEETS: dict[str, tuple[Callable[[], Sheet], Callable[[Sheet, Report], None]]] = {
    "reports": (_reports_head, _reports_lines),
    "proactive": (_proactive_head, _proactive_lines),
    "requests": (_requests_head, _requests_lines),
    "reviews": (_reviews_head, _reviews_lines),
    "indicators": (_indicators_head, _indicators_lines),
    "findings": (_findings_head, _findings_lines),
}


def report_lines(report: Report) -> dict[str, bytes]:
    """The report's lines of each long sheet, written (:func:`.xlsx.row_formats`)
    as one piece of XML, by :func:`kept_key` (kept with its table lines): rows
    carry no number, so they go into any sheet as they are."""
    out = {}
    for name, (head, lines) in LONG_SHEETS.items():
        sheet = head()
        lines(sheet, report)
        out[kept_key(name)] = "".join(row_formats(sheet, skip=1)).encode()
    return out


def kept_key(sheet: str) -> str:
    return f"xlsx:{sheet}"


def long_sheet(
    name: str, reports: list[Report], kept: Mapping[str, Mapping[str, bytes]] | None = None
) -> Sheet:
    """A long sheet of ``reports``, from their kept lines (report id -> what
    :func:`report_lines` gave, among other parts) where given, else written here."""
    head, lines = LONG_SHEETS[name]
    sheet = head()
    key = kept_key(name)
    for report in reports:
        known = kept.get(report.report_id) if kept is not None else None
        if known is None or key not in known:
            lines(sheet, report)
        elif known[key]:
            sheet.rows.append(known[key].decode())
    return sheet


def fits_one_sheet(reports: list[Report]) -> bool:
    """Whether the reports' table 三 fits in one Excel sheet, as long lines:
    counted row by row only when the most rows a report can have would not fit."""
    most = max(len(t.rows) for t in TEMPLATES.values())
    if (len(reports) * most + 1) <= MAX_ROWS:
        return True
    rows = sum(len(TEMPLATES[r.template].rows_for({c for c, _ in r.requests})) for r in reports)
    return rows + 1 <= MAX_ROWS


def collection_workbook(
    reports: list[Report],
    title: str,
    official: bool = False,
    kept: Mapping[str, Mapping[str, bytes]] | None = None,
) -> bytes | None:
    """A workbook for many reports (an agency's years, a year's).

    With ``official``, each report's table 三 also gets a sheet in the
    template's layout.  ``kept``: the reports' lines of the long sheets, as
    :func:`report_lines` wrote them.  ``None`` when table 三 would not fit in
    one Excel sheet (about 40,000 reports): the CSV files have no such limit."""
    if not fits_one_sheet(reports):
        return None
    if kept is not None:  # each report's read once
        kept = {r.report_id: kept[r.report_id] for r in reports}
    long = {name: long_sheet(name, reports, kept) for name in LONG_SHEETS}
    long["indicators"].rows += [[], ["公式", None, None, *(i.formula for i in ind.INDICATORS)]]
    sheets = [about_sheet(title, len(reports)), *long.values()]
    if official:
        sheets += [official_requests_sheet(r, f"表三 {r.year or r.report_id}") for r in reports]
    return workbook(sheets, title)


# --- archives ----------------------------------------------------------------


def bundle(folder: str, files: dict[str, bytes]) -> bytes:
    """One reproducible zip: ``files`` under ``folder/`` plus their SHA256SUMS."""
    files = dict(sorted(files.items()))
    sums = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in files.items())
    entries = {f"{folder}/{name}": data for name, data in files.items()}
    entries[f"{folder}/SHA256SUMS"] = sums.encode("utf-8")
    return zip_bytes(entries)
