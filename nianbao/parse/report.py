"""Step 2, parse: a read source to a report with its tables filled and resolved."""

from __future__ import annotations

from ..model import Report
from ..read import Source, tokenize
from ..template import TEMPLATE_2019, TEMPLATE_2021, Template
from ..urls import explicit_id, report_id
from .digits import Segment
from .metadata import read_metadata
from .proactive import parse_proactive
from .prose import parse_prose
from .recognised import mark_recognised
from .requests import parse_requests
from .resolve import resolve
from .reviews import parse_reviews
from .textindex import TextIndex


def _prescribed(template: Template, year: int | None) -> bool:
    low, high = template.years
    return year is not None and low <= year <= high


def choose_template(report: Report, index: TextIndex) -> Template:
    """The template a report follows: by the headings of its table 二, which
    differ between the two; by its year where those are missing.

    A report is never forced into the other template's fields: a 2019-format
    table 二 keeps its own items and measures even in a 2021 report, with a
    warning that the agency used an outdated form.
    """
    found = {t.version: [m for m in t.markers if m in index.text] for t in (TEMPLATE_2021, TEMPLATE_2019)}
    by_headings = bool(found["2019"]) != bool(found["2021"])
    if by_headings:
        template = TEMPLATE_2019 if found["2019"] else TEMPLATE_2021
    else:
        template = TEMPLATE_2019 if _prescribed(TEMPLATE_2019, report.year) else TEMPLATE_2021
    report.template = template.version
    if by_headings and report.year and not _prescribed(template, report.year):
        how = f"表二的栏目（{'、'.join(found[template.version][:3])}）"
        report.add(
            "warning",
            "template_year_mismatch",
            f"按{how}，本报告用的是{template.title}，与报告年度{report.year}年应使用的格式不符；已按报告实际使用的格式读取",
            table="report",
        )
    return template


def parse(source: Source) -> Report:
    """A decoded source file to a report with all tables filled and resolved."""
    explicit = explicit_id(str(source.meta.get("id") or ""))
    report = Report(explicit or report_id(source.path), source.path, layout=source.layout)
    if explicit:
        report.metadata_origin["id"] = "front matter"
    for warning in source.warnings:
        report.add("warning", "bad_front_matter", warning, table="report")
    read_metadata(report, source)
    tokens = tokenize(source.text)
    index = TextIndex(tokens)
    template = choose_template(report, index)
    segments: list[Segment] = []
    span = parse_requests(report, index, template, segments)
    parse_proactive(report, index, template, span[0] if span else None)
    parse_reviews(report, index, template, span[1] if span else 0, segments)
    resolve(report, template, segments)
    # Prose sections end where a table begins, even when its heading is missing.
    table_lines = [tokens[span[0]].line] if span else []
    anchor = index.search(["第二十条"])
    if anchor:
        table_lines.append(tokens[anchor.start].line)
    parse_prose(report, source, table_lines)
    if source.recognised:
        mark_recognised(report, template)
    return report
