"""Step 4: turn checked reports into Frictionless Data Packages of CSV files.

The Table Schemas in ``schemas/`` are the single description of every
published table: they are copied into each ``datapackage.json`` and every row
is checked against them as it is written, so a bug that would publish a wrong
code or a negative count stops here, not in a user's spreadsheet.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import cache
from typing import Any

from ..catalog import facets
from ..check import CHECK_NAMES
from ..config import SCHEMA_DIR
from ..i18n import CHECKS_EN, EN, FINDINGS, SEVERITY
from ..indicators import INDICATORS, indicators
from ..model import Problem, Report, formula_safe
from ..template import TEMPLATES

PORTAL_RESOURCES = ("reports", "requests", "reviews", "proactive", "indicators", "quality", "labels")
# The portal's resources each report has lines of (portal_parts): all but the labels, the template's.
PORTAL_LINES = tuple(name for name in PORTAL_RESOURCES if name != "labels")
RESOURCE_TITLES = {
    "reports": ("报告", "每份报告一行：机构、年度、模板版本、源文件和问题数量。"),
    "requests": ("收到和处理政府信息公开申请情况（表三）", "长表：每份报告每行每类申请人一个数。"),
    "reviews": ("行政复议、行政诉讼情况（表四）", "长表：每份报告每种程序每种结果一个数。"),
    "proactive": ("主动公开政府信息情况（表二）", "长表：每份报告每项信息内容每个指标一个数。"),
    "indicators": (
        "派生指标",
        "长表：每份报告每个指标一个数（公开率、不予公开率、每百件申请的复议诉讼、纠错率等），公式见数据说明页。",
    ),
    "quality": ("数据质量问题", "每条问题一行：勾稽关系不符、缺行、推算值、无法读取的文件等。"),
    "labels": (
        "代码的中文名称",
        "各长表中英文代码（表三的行、申请人、表四的程序和结果、表二的项目和指标、指标、问题）的中文和英文名称，用于把代码换成名称。",
    ),
    "requests_wide": ("表三（官方 25 × 7 版式）", "与官方模板相同的宽表：25 行 × 7 列，行列名称与模板相同。"),
    "requests_status": (
        "表三中不是照印出数字读出的格",
        "推算、空白、占位符等格的状态；其余各格均照原报告印出的数字读出。",
    ),
}

Row = dict[str, Any]


class SchemaViolation(Exception):
    """A row about to be published does not fit its schema: a bug in nianbao."""


@cache
def load_schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))


def _check(schema: dict[str, Any], row: Row, resource: str) -> None:
    for field in schema["fields"]:
        name, value = field["name"], row.get(field["name"])
        rules = field.get("constraints", {})
        if value is None or value == "":
            if rules.get("required"):
                raise SchemaViolation(f"{resource}.{name} is required: {row}")
            continue
        if field["type"] == "integer" and (not isinstance(value, int) or isinstance(value, bool)):
            raise SchemaViolation(f"{resource}.{name} must be an integer: {row}")
        if field["type"] == "number" and not isinstance(value, int | Decimal | float):
            raise SchemaViolation(f"{resource}.{name} must be a number: {row}")
        if "enum" in rules and value not in rules["enum"]:
            raise SchemaViolation(f"{resource}.{name}={value!r} is not one of its codes")
        if "minimum" in rules and value < rules["minimum"]:
            raise SchemaViolation(f"{resource}.{name}={value!r} is below {rules['minimum']}")
        if "maximum" in rules and value > rules["maximum"]:
            raise SchemaViolation(f"{resource}.{name}={value!r} is above {rules['maximum']}")
        if "pattern" in rules and not re.fullmatch(rules["pattern"], str(value)):
            raise SchemaViolation(f"{resource}.{name}={value!r} does not match its pattern")


def _text_cell(value: str) -> str:
    """A text cell as CSV carries it safely: line ends as "\\n" (the writer
    quotes those; a bare carriage return would split the row) and never the
    start of a formula."""
    return formula_safe(value.replace("\r\n", "\n").replace("\r", "\n"))


def to_csv(resource: str, rows: Iterable[Row]) -> str:
    """Rows as CSV text in the schema's column order, each row checked first."""
    schema = load_schema(resource)
    names = [f["name"] for f in schema["fields"]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    text = {f["name"] for f in schema["fields"] if f["type"] == "string"}
    for row in rows:
        _check(schema, row, resource)
        writer.writerow(
            ["" if row.get(n) is None else _text_cell(row[n]) if n in text else row[n] for n in names]
        )
    return out.getvalue()


# --- rows of each resource ---------------------------------------------------


def report_row(report: Report, page: str) -> Row:
    return {
        "report_id": report.report_id,
        "agency": report.agency,
        "year": report.year,
        "template": report.template,
        "source": report.source,
        **facets(report),
        "title": report.title,
        "layout": report.layout,
        "source_url": report.source_url,
        "published": report.published.isoformat() if report.published else None,
        "errors": report.count("error"),
        "warnings": report.count("warning"),
        "infos": report.count("info"),
        "page": page,
    }


def _cell_rows(report: Report, table: str, names: tuple[str, str]) -> Iterator[Row]:
    for (row, col), cell in report.table(table).items():
        value = cell.value
        if isinstance(value, Decimal) and value == value.to_integral_value() and table != "proactive":
            value = int(value)
        yield {
            "report_id": report.report_id,
            names[0]: row,
            names[1]: col,
            "value": value,
            "status": cell.status,
        }


def request_rows(report: Report) -> Iterator[Row]:
    return _cell_rows(report, "requests", ("row", "applicant"))


def review_rows(report: Report) -> Iterator[Row]:
    return _cell_rows(report, "reviews", ("proceeding", "outcome"))


def proactive_rows(report: Report) -> Iterator[Row]:
    return _cell_rows(report, "proactive", ("item", "measure"))


def indicator_rows(report: Report) -> Iterator[Row]:
    for code, value in indicators(report).items():
        yield {"report_id": report.report_id, "indicator": code, "value": value}


def quality_rows(report: Report) -> Iterator[Row]:
    for f in report.findings:
        yield {
            "report_id": report.report_id,
            "severity": f.severity,
            "code": f.code,
            "message": f.message,
            "table": f.table,
            "row": f.row,
            "column": f.column,
            "source": report.source,
        }


def problem_rows(problem: Problem) -> Iterator[Row]:
    yield {
        "report_id": problem.report_id,
        "severity": "error",
        "code": problem.code,
        "message": problem.message,
        "table": "report",
        "row": "",
        "column": "",
        "source": problem.source,
    }


def wide_rows(report: Report) -> Iterator[Row]:
    """Table 三 as the official template lays it out: 25 rows x 7 columns."""
    template = TEMPLATES[report.template]
    for row in template.rows_for({code for code, _ in report.requests}):
        out: Row = {"row": row.code, "number": row.number, "label": row.label}
        for col in template.applicant_codes:
            out[col] = report.requests[(row.code, col)].value
        yield out


# --- packages ----------------------------------------------------------------

# The licence of everything the site publishes, in words (footer, workbooks)
# and as a package's licenses (every data package).
LICENCE = (
    "数字取自各行政机关公开发布的政府信息公开工作年度报告，属政府公开信息，可自由使用；"
    "nianbao 的整理与核对同样可自由使用。引用时请注明原报告和 nianbao。",
    "The numbers come from the annual reports each body published as open government information "
    "and may be used freely; so may nianbao's compilation and checks. Please cite the original report and nianbao.",
)
LICENSES = [{"name": "other-pd", "title": "政府公开信息（原始报告由各行政机关发布），可自由使用"}]


def descriptor(
    name: str, title: str, resources: Iterable[str], description: str, lean: bool = False
) -> dict[str, Any]:
    """A Data Package descriptor of CSV files with the schemas inline, so it stands alone.

    ``lean`` (the packages of agencies) leaves out the fields' long
    descriptions, which are most of a schema's bytes: names, types, titles in
    both languages, constraints and keys stay, so the package still validates
    and reads; the descriptions are in the portal's package and on the data
    page, which the description points to."""
    return {
        "profile": "tabular-data-package",
        "name": name,
        "title": title,
        "description": description,
        "licenses": LICENSES,
        "resources": [
            {
                "name": res,
                "path": f"{res}.csv",
                "profile": "tabular-data-resource",
                "title": RESOURCE_TITLES[res][0],
                "description": RESOURCE_TITLES[res][1],
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": lean_schema(res) if lean else load_schema(res),
            }
            for res in resources
        ],
    }


@cache
def lean_schema(name: str) -> dict[str, Any]:
    schema = load_schema(name)
    fields = [{k: v for k, v in f.items() if k != "description"} for f in schema["fields"]]
    return {**schema, "fields": fields}


@cache
def inline_schema(name: str) -> dict[str, Any]:
    """The schema a single report's package carries: names, types and the key.
    Titles, codes, constraints and descriptions are the portal package's and
    the data page's, once for the whole site (every row was checked against
    them before it was written)."""
    schema = load_schema(name)
    fields = [{"name": f["name"], "type": f["type"]} for f in schema["fields"]]
    keyed = {k: v for k, v in schema.items() if k == "primaryKey"}
    return {"fields": fields, **keyed}


LEAN_NOTE = "各字段的详细说明见全站数据包 data/datapackage.json 和数据说明页 data.html。"

# A single report's package: table 三 in the template's own layout (with the
# cells that were not printed as numbers beside it), the other tables long.
REPORT_RESOURCES = (
    "reports",
    "requests_wide",
    "requests_status",
    "reviews",
    "proactive",
    "indicators",
    "quality",
)


def status_rows(report: Report) -> Iterator[Row]:
    """The cells of table 三 not printed as numbers (derived, blank, placeholder…)."""
    for (row, column), cell in report.requests.items():
        if cell.status != "printed":
            yield {"row": row, "applicant": column, "status": cell.status}


def plain(value: Any) -> Any:
    """A number as JSON and Excel want it: Decimal amounts become int or float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def inline_table(resource: str, rows: Iterable[Row]) -> list[list[Any]]:
    """Rows as a header and lists of values, each row checked against its schema first."""
    schema = load_schema(resource)
    names = [f["name"] for f in schema["fields"]]
    table: list[list[Any]] = [names]
    for row in rows:
        _check(schema, row, resource)
        table.append([plain(row.get(n)) for n in names])
    return table


def report_package(report: Report, page: str) -> dict[str, Any]:
    """One report's own package: self-contained, its data inline (one file)."""
    rows: dict[str, Iterable[Row]] = {
        "reports": [report_row(report, page)],
        "requests_wide": wide_rows(report),
        "requests_status": status_rows(report),
        "reviews": review_rows(report),
        "proactive": proactive_rows(report),
        "indicators": indicator_rows(report),
        "quality": quality_rows(report),
    }
    return {
        "profile": "tabular-data-package",
        "name": f"nianbao-{report.report_id}",
        "title": report.name,
        "description": (
            f"{report.name}的数据，由 nianbao 从 {report.source} 解析并按模板勾稽关系核对。"
            f"表三为模板的 25 × 7 版式（requests_wide），不是照印出数字读出的格见 requests_status。{LEAN_NOTE}"
        ),
        "licenses": LICENSES,
        "resources": [
            {
                "name": name,
                "profile": "tabular-data-resource",
                "title": RESOURCE_TITLES[name][0],
                "data": inline_table(name, rows[name]),
                "schema": inline_schema(name),
            }
            for name in REPORT_RESOURCES
        ],
    }


# --- the long tables of many reports -------------------------------------------

# resource -> one report's CSV rows without the header (bytes); and, under
# other names, what else is kept of it for the portal's pages (publish/site.py).
Parts = dict[str, Any]


def portal_parts(report: Report, page: str) -> Parts:
    """One report's rows of every portal resource, as CSV lines without a header.

    Made once, where the report is written, and kept (:mod:`nianbao.cache`):
    the portal's, the years' and the agencies' tables are these lines joined,
    so they are rebuilt from thousands of reports without turning them into
    rows again."""
    rows = {
        "reports": [report_row(report, page)],
        "requests": request_rows(report),
        "reviews": review_rows(report),
        "proactive": proactive_rows(report),
        "indicators": indicator_rows(report),
        "quality": quality_rows(report),
    }
    return {name: to_csv(name, rows[name]).split("\n", 1)[1].encode("utf-8") for name in PORTAL_LINES}


def problem_parts(problems: Iterable[Problem]) -> Parts:
    text = to_csv("quality", (row for p in problems for row in problem_rows(p)))
    return {"quality": text.split("\n", 1)[1].encode("utf-8")}


def label_rows() -> Iterator[Row]:
    """Every code of the long tables with its Chinese and English label (the ``labels`` resource)."""

    def line(kind: str, code: str, label: str, english: str | None, template: str = "all") -> Row:
        return {"kind": kind, "code": code, "template": template, "label": label, "label_en": english}

    for version, t in TEMPLATES.items():
        yield from (
            line("row", r.code, r.numbered(), EN.get(r.code), version) for r in (*t.rows, *t.variants)
        )
        yield from (line("item", i.code, i.label, EN.get(i.code), version) for i in t.proactive)
        yield from (line("measure", code, label, EN.get(code), version) for code, label in t.measures.items())
    t = TEMPLATES["2021"]
    for kind, columns in (
        ("applicant", t.applicants),
        ("proceeding", t.proceedings),
        ("outcome", t.outcomes),
    ):
        yield from (line(kind, c.code, c.label, EN.get(c.code)) for c in columns)
    yield from (line("indicator", i.code, i.label, i.label_en) for i in INDICATORS)
    yield from (line("severity", code, label, EN.get(code)) for code, label in SEVERITY.items())
    yield from (line("code", code, label, CHECKS_EN.get(code)) for code, label in CHECK_NAMES.items())
    yield from (line("code", code, zh, en) for code, (zh, en) in FINDINGS.items() if code not in CHECK_NAMES)


@cache
def label_parts() -> Parts:
    """The ``labels`` resource's lines: the same in every package that has it."""
    return {"labels": to_csv("labels", label_rows()).split("\n", 1)[1].encode("utf-8")}


def header(resource: str) -> bytes:
    return to_csv(resource, []).encode("utf-8")


def join_tables(parts: Iterable[Parts], resources: Iterable[str] = PORTAL_RESOURCES) -> dict[str, bytes]:
    """The CSV files of many reports, in memory (an agency's, a year's)."""
    names = list(resources)
    chunks: dict[str, list[bytes]] = {name: [header(name)] for name in names}
    for part in [label_parts(), *parts]:
        for name in names:
            chunks[name].append(part.get(name, b""))
    return {f"{name}.csv": b"".join(chunks[name]) for name in names}


def portal_package(count: int) -> dict[str, Any]:
    return descriptor(
        "nianbao",
        "政府信息公开工作年度报告数据（nianbao）",
        PORTAL_RESOURCES,
        f"{count}份政府信息公开工作年度报告的表二、表三、表四，长表格式，已按模板勾稽关系核对；数据质量问题见 quality。",
    )
