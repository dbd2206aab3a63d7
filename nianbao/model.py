"""The objects that flow through the pipeline: cells, findings, reports."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal, TypeVar

# What a cell of a table held in the source.  Only "printed" cells carry a
# number that was read; "derived" cells carry a number the template arithmetic
# forced; every other status publishes ``null``.
# A report read from pictures (OCR) has "recognised" cells instead of
# "printed", and "unrecognised" ones (null) where the reading is in doubt.
Status = Literal[
    "printed", "recognised", "derived", "blank", "placeholder", "text", "missing", "unrecognised"
]
Severity = Literal["error", "warning", "info"]

Number = int | Decimal


# What spreadsheet programs read as the start of a formula (OWASP, "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def formula_safe(text: str) -> str:
    """Text as a spreadsheet shows it but never runs it: a cell that would
    start a formula ("=HYPERLINK(…)", "@SUM(…)", "-1+1") gets a leading ', as
    OWASP advises for CSV files; other text is unchanged."""
    return "'" + text if text.startswith(FORMULA_START) else text


# Slotted: a build holds every report's few hundred cells at once (10,000
# reports: 3.5 million cells).  Measured on 3,000 cached reports, slots took
# them from 200 to 114 MiB and their loading from 3.5 to 2.0 s.
@dataclass(slots=True)
class Cell:
    value: Number | None = None
    status: Status = "missing"
    raw: str = ""  # what the source printed, for placeholders and text

    @classmethod
    def printed(cls, value: Number, raw: str = "") -> Cell:
        return cls(value, "printed", raw or str(value))

    @property
    def known(self) -> bool:
        return self.value is not None


@dataclass(slots=True)
class Finding:
    severity: Severity
    code: str
    message: str
    table: str = ""  # requests / reviews / proactive / report
    row: str = ""
    column: str = ""


@dataclass
class Report:
    """One report, from its source file to its checked tables."""

    report_id: str
    source: str  # path relative to the content folder, "/" separated
    agency: str = ""
    year: int | None = None
    region: str = ""
    template: str = "2021"
    title: str = ""
    layout: str = ""  # pdf / html / docx / text / tsv / markdown
    recognised: bool = False  # its numbers were read from pictures (OCR)
    source_url: str = ""  # where the original was published (front matter or a crawler's 原文链接)
    published: date | None = None  # when it was published (front matter or 发布时间)
    metadata_origin: dict[str, str] = field(default_factory=dict)  # field -> front matter|text
    requests: dict[tuple[str, str], Cell] = field(default_factory=dict)
    reviews: dict[tuple[str, str], Cell] = field(default_factory=dict)
    proactive: dict[tuple[str, str], Cell] = field(default_factory=dict)
    prose: dict[str, str] = field(default_factory=dict)  # section code -> Markdown
    # The requests its prose says the whole region received ("全区共受理申请21
    # 件"), read when it is checked, for the check across reports; None: not said.
    region_wide_requests: int | None = None
    # Another report of the same agency and year is the one counted in the
    # portal's figures: this one's id names it ("" when this one counts).
    duplicate_of: str = ""
    findings: list[Finding] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The report's title, or one made from its agency and year (the one place it is made)."""
        if self.title:
            return self.title
        year = f"{self.year}年" if self.year else ""
        return f"{self.agency}{year}政府信息公开工作年度报告"

    def add(self, severity: Severity, code: str, message: str, **where: str) -> None:
        self.findings.append(Finding(severity, code, message, **where))

    def table(self, name: str) -> dict[tuple[str, str], Cell]:
        return {"requests": self.requests, "reviews": self.reviews, "proactive": self.proactive}[name]

    def value(self, table: str, row: str, column: str) -> Number | None:
        # Called for every cell of every indicator of every report: no dict built per call.
        cells = (
            self.requests
            if table == "requests"
            else self.reviews
            if table == "reviews"
            else self.table(table)
        )
        cell = cells.get((row, column))
        return cell.value if cell else None

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)


@dataclass
class Problem:
    """A file that could not be made into a report at all."""

    source: str
    report_id: str
    message: str
    code: str = "unreadable"


# The (row, column) keys of every report's tables are the same few hundred
# pairs, and most cells are the same few thousand (printed 0, 1, 2 …): kept
# once here, a report loaded from the cache or sent by a worker gives up its
# own copies.  At 10,000 reports they were more than half of the build's memory.
_KEYS: dict[tuple[str, str], tuple[str, str]] = {}
R = TypeVar("R")
_CELLS: dict[tuple[type, Number | None, str, str], Cell] = {}


def compact(report: R) -> R:
    """Share ``report``'s table keys, cells and short strings with every other
    report's; anything else (a Problem, a cache miss) is given back as it is.

    Only for a report that is parsed and checked: its cells are shared, so
    nothing may change them afterwards (nothing does: the checks across
    reports add findings, the pages read)."""
    if not isinstance(report, Report):
        return report
    for name in ("requests", "reviews", "proactive"):
        table: dict[tuple[str, str], Cell] = getattr(report, name)
        shared = {}
        for key, cell in table.items():
            if len(cell.raw) <= 16:
                cell.raw = sys.intern(cell.raw)
            cell.status = sys.intern(cell.status)  # type: ignore[assignment]
            same = (type(cell.value), cell.value, cell.status, cell.raw)
            shared[_KEYS.setdefault(key, key)] = _CELLS.setdefault(same, cell)
        setattr(report, name, shared)
    for finding in report.findings:
        finding.severity = sys.intern(finding.severity)  # type: ignore[assignment]
        finding.code, finding.table = sys.intern(finding.code), sys.intern(finding.table)
        finding.row, finding.column = sys.intern(finding.row), sys.intern(finding.column)
    return report
