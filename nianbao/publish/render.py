"""Step 5: render the pages with Jinja.

Every link is relative (``root`` is the way back to the site's top from the
page being rendered), so the site works from ``file://``, from a domain's root
and from a GitHub Pages project sub-path alike.
"""

from __future__ import annotations

import contextlib
import functools
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.bccache import Bucket, BytecodeCache
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from .. import indicators as ind
from ..cache import write_whole
from ..catalog import KINDS, LEVELS
from ..check import CHECK_NAMES
from ..config import TEMPLATE_DIR
from ..i18n import CHECKS_EN, EN, FINDINGS, SECTIONS_EN, SEVERITY, both, label
from ..model import Cell, Report
from ..template import SECTIONS, TEMPLATES, request_layout
from . import charts, metadata, phrases
from .package import LICENCE, PORTAL_RESOURCES, RESOURCE_TITLES, load_schema
from .views import ReportContext, issue_link, list_row, report_dataset

# Commonmark without raw HTML: an agency's prose can never inject markup.
_markdown = MarkdownIt("commonmark", {"html": False})


def markdown(text: str) -> str:
    tokens = _markdown.parse(text)
    for token in tokens:
        # Prose headings sit under the page's own h2 whatever level the source used.
        if token.type in ("heading_open", "heading_close"):
            token.tag = "h4"
    return _markdown.renderer.render(tokens, _markdown.options, {})


def show(cell: Cell | None) -> dict[str, str]:
    """How a cell is printed: its number, and why it has none."""
    if cell is None or cell.value is None:
        why = {
            "blank": "原报告此格空白",
            "placeholder": f"原报告此格为「{cell.raw}」" if cell else "",
            "text": f"原报告此格为「{cell.raw}」，不是数字" if cell else "",
            "missing": "原报告缺少此格",
            "unrecognised": f"图片上此格读作「{cell.raw}」，无法确认，按空缺处理" if cell else "",
        }.get(cell.status if cell else "missing", "原报告缺少此格")
        return {"text": "—", "class": "null", "title": why}
    value = cell.value
    text = f"{value:,}" if isinstance(value, int) else str(value)
    if isinstance(value, Decimal):
        text = str(value)
    if cell.status == "derived":
        return {"text": text, "class": "derived", "title": "推算值：原报告空白或占位，按勾稽关系只能是此数"}
    if cell.status == "recognised":
        return {"text": text, "class": "recognised", "title": "数字由图片识别得到"}
    return {"text": text, "class": "", "title": ""}


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def finding_name(code: str) -> Markup:
    """A finding's code in plain words, in both languages (the code when it has no name)."""
    if code in CHECK_NAMES:
        return both(CHECK_NAMES[code], CHECKS_EN[code])
    if code in FINDINGS:
        return both(*FINDINGS[code])
    return Markup(escape(code))


class _Compiled(BytecodeCache):
    """The templates' compiled code kept in the build's cache between builds:
    a rebuild loads it instead of compiling every template again.  Jinja
    keys each entry by the template's source, so an edited template is
    compiled afresh; a cache that cannot be read or written costs time only."""

    folder: Path | None = None

    def load_bytecode(self, bucket: Bucket) -> None:
        if self.folder is None:
            return
        with contextlib.suppress(OSError, EOFError, ValueError), open(self.folder / bucket.key, "rb") as f:
            bucket.load_bytecode(f)

    def dump_bytecode(self, bucket: Bucket) -> None:
        if self.folder is None:
            return
        code = io.BytesIO()
        bucket.write_bytecode(code)
        with contextlib.suppress(OSError):
            write_whole(self.folder / bucket.key, code.getvalue())


COMPILED = _Compiled()


def keep_compiled(folder: Path | None) -> None:
    """Where the templates' compiled code and the English dictionary are
    kept (in the build's cache), or nowhere."""
    COMPILED.folder = phrases.KEPT.folder = folder


@functools.cache
def environment() -> Environment:
    """The pages' Jinja environment, made once per process: its templates are
    compiled on first use and kept (Jinja reloads one whose file changed)."""
    phrases.use()
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=COMPILED,
    )
    env.filters.update(markdown=markdown, percent=percent, number=number, show=show, indicator=ind.show)
    env.globals.update(
        SECTIONS=SECTIONS,
        SECTIONS_EN=SECTIONS_EN,
        TEMPLATES=TEMPLATES,
        CHECK_NAMES=CHECK_NAMES,
        CHECKS_EN=CHECKS_EN,
        SEVERITY=SEVERITY,
        INDICATORS=ind.INDICATORS,
        EN=EN,
        both=both,
        label=label,
        finding_name=finding_name,
        json_ld=metadata.json_ld,
        LEVELS=LEVELS,
        KINDS=KINDS,
        LICENCE=LICENCE,
    )
    return env


def render_page(env: Environment, template: str, **values: Any) -> str:
    """One page from ``templates/`` with its values."""
    return env.get_template(template).render(**values)


def render_list_row(env: Environment, row: dict[str, Any]) -> str:
    """A report's line of the lists of reports (the home page's, its year's) (``row``: :func:`.views.list_row`)."""
    return env.get_template("_list_row.html").render(row=row)


def render_search_document(env: Environment, report: Report) -> str:
    """What full-text search indexes of a report's page (its title and prose),
    as a page of its own: Pagefind reads it instead of the page and its tables."""
    return env.get_template("_search_document.html").render(report=report)


@dataclass(frozen=True)
class Download:
    """A file a report page offers: where it is, the name it is saved under, what it is."""

    href: str
    name: str
    what: tuple[str, str]  # in Chinese and English
    size: str = ""


def render_report(
    env: Environment,
    report: Report,
    context: ReportContext,
    files: list[Download],
    checksum: str,
) -> str:
    """A report's page; ``files``: its downloads (the original second),
    ``checksum``: its package's."""
    template = TEMPLATES[report.template]
    rows = template.rows_for({row for row, _ in report.requests})
    dataset = report_dataset(report, context)
    row = list_row(report)
    return env.get_template("report.html").render(
        root="../../",
        path=context.page,
        base=context.base,
        report=report,
        context=context,
        t=template,
        rows=rows,
        layout=request_layout(rows),
        row=row,
        values=row["indicators"],
        outcome_svg=charts.outcome_chart(report),
        downloads=files,
        original=files[1],
        issue_url=issue_link(context.repository, report, context.base + context.page),
        dataset=dataset,
        citation=metadata.citation(dataset, context.base, checksum),
        citation_en=metadata.citation_en(dataset, context.base, checksum),
        checksum=checksum,
    )


def render_data(env: Environment, base: str, year_downloads: list[tuple[int, dict[str, str]]]) -> str:
    resources = [
        (name, RESOURCE_TITLES[name], load_schema(name))
        for name in (*PORTAL_RESOURCES, "requests_wide", "requests_status")
    ]
    return env.get_template("data.html").render(
        root="",
        path="data.html",
        base=base,
        resources=resources,
        templates=list(TEMPLATES.values()),
        year_downloads=year_downloads,
    )
