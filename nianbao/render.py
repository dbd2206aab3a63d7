"""Step 5: render the pages with Jinja.

Every link is relative (``root`` is the way back to the site's top from the
page being rendered), so the site works from ``file://``, from a domain's root
and from a GitHub Pages project sub-path alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markdown_it import MarkdownIt

from .check import CHECK_NAMES
from .model import Cell, Problem, Report
from .package import PORTAL_RESOURCES, RESOURCE_TITLES, load_schema
from .template import SECTIONS, TEMPLATES, request_layout

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"

# Commonmark without raw HTML: an agency's prose can never inject markup.
_markdown = MarkdownIt("commonmark", {"html": False})


def markdown(text: str) -> str:
    tokens = _markdown.parse(text)
    for token in tokens:
        # Prose headings sit under the page's own h2 whatever level the source used.
        if token.type in ("heading_open", "heading_close"):
            token.tag = "h4"
    return _markdown.renderer.render(tokens, _markdown.options, {})


def report_page(report_id: str) -> str:
    return f"reports/{report_id}/index.html"


@dataclass
class Headline:
    """The figures the home page shows for each report."""

    received: int | None
    processed: int | None
    granted_share: float | None  # 予以公开 + 部分公开, over 办理结果总计
    reconsiderations: int | None
    lawsuits: int | None


def headline(report: Report) -> Headline:
    def v(table: str, row: str, col: str = "total") -> int | None:
        value = report.value(table, row, col)
        return int(value) if value is not None else None

    processed = v("requests", "total_processed")
    granted, partial = v("requests", "granted"), v("requests", "partially_granted")
    share = None
    if processed and granted is not None and partial is not None:
        share = (granted + partial) / processed
    direct, after = v("reviews", "litigation_direct"), v("reviews", "litigation_after_reconsideration")
    return Headline(
        v("requests", "new_received"),
        processed,
        share,
        v("reviews", "reconsideration"),
        None if direct is None or after is None else direct + after,
    )


def show(cell: Cell | None) -> dict[str, str]:
    """How a cell is printed: its number, and why it has none."""
    if cell is None or cell.value is None:
        why = {
            "blank": "原报告此格空白",
            "placeholder": f"原报告此格为「{cell.raw}」" if cell else "",
            "text": f"原报告此格为「{cell.raw}」，不是数字" if cell else "",
            "missing": "原报告缺少此格",
        }.get(cell.status if cell else "missing", "原报告缺少此格")
        return {"text": "—", "class": "null", "title": why}
    value = cell.value
    text = f"{value:,}" if isinstance(value, int) else str(value)
    if isinstance(value, Decimal):
        text = str(value)
    if cell.status == "derived":
        return {"text": text, "class": "derived", "title": "推算值：原报告空白或占位，按勾稽关系只能是此数"}
    return {"text": text, "class": "", "title": ""}


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(markdown=markdown, percent=percent, number=number, show=show)
    env.globals.update(SECTIONS=SECTIONS, TEMPLATES=TEMPLATES, CHECK_NAMES=CHECK_NAMES)
    return env


def render_index(
    env: Environment, reports: list[Report], problems: list[Problem], stats: dict[str, Any]
) -> str:
    rows = [(r, headline(r), report_page(r.report_id)) for r in reports]
    return env.get_template("index.html").render(root="", rows=rows, problems=problems, stats=stats)


def render_report(env: Environment, report: Report, downloads: list[tuple[str, str, str]]) -> str:
    template = TEMPLATES[report.template]
    rows = template.rows_for({row for row, _ in report.requests})
    return env.get_template("report.html").render(
        root="../../",
        report=report,
        t=template,
        rows=rows,
        layout=request_layout(rows),
        headline=headline(report),
        downloads=downloads,
    )


def render_data(env: Environment, stats: dict[str, Any]) -> str:
    resources = [
        (name, RESOURCE_TITLES[name], load_schema(name)) for name in (*PORTAL_RESOURCES, "requests_wide")
    ]
    return env.get_template("data.html").render(
        root="", resources=resources, templates=list(TEMPLATES.values()), stats=stats
    )
