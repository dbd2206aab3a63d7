"""Charts drawn at build time as inline SVG: no chart server, no script, no CDN.

Two primitives: a horizontal bar chart for outcomes, rankings and
distributions (bars of labelled values read well on a phone, in print and
with a screen reader), and a line chart for a figure across years, with the
change of template between the 2020 and 2021 reports marked.  Both are drawn
narrow (420 units), so that on a 390 px phone their text stays about 12 px.  Every chart is ``role="img"`` with a title and a description
that states its numbers, and the pages print the same numbers in a table
beside it.  Colours come from classes in the stylesheet (the pages' CSP
forbids inline styles) and meet WCAG AA contrast against white.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .. import i18n
from .. import indicators as ind
from ..model import Report
from ..text import xml_escape as escape


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str  # the value as printed beside the bar
    tone: str = "a"  # colour class: a (accent), b, c, d, muted


_ROW = 26
_LABEL = 150  # units for labels (about 10 CJK characters at 14)
_WIDTH = 420


def _clip(text: str, limit: int = 11) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _translatable(text: str) -> str:
    """A label the site's dictionary has is marked for the language switch (static/site.js)."""
    if text in i18n.PHRASES:
        return f'<tspan lang="zh">{escape(text)}</tspan>'
    return escape(text)


def bar_chart(chart_id: str, title: str, bars: list[Bar], note: str = "") -> str:
    """A horizontal bar chart as an SVG string; bars scaled to the largest value."""
    known = [b.value for b in bars if b.value is not None]
    top = max(known, default=0) or 1
    height = _ROW * len(bars) + 8
    plot = _WIDTH - _LABEL - 70
    desc = "；".join(f"{b.label}：{b.text}" for b in bars) + (f"。{note}" if note else "")
    parts = [
        f'<svg class="chart" id="{chart_id}" role="img" viewBox="0 0 {_WIDTH} {height}" '
        f'width="{_WIDTH}" height="{height}" aria-labelledby="{chart_id}-t {chart_id}-d" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    for i, bar in enumerate(bars):
        y = 4 + i * _ROW
        width = 0 if bar.value is None else max(1.0, plot * bar.value / top) if bar.value else 0
        label = _translatable(_clip(bar.label))
        # No links inside: a chart is one image to assistive technology (the table beside it links).
        parts.append(f'<text class="label" x="{_LABEL - 6}" y="{y + 17}" text-anchor="end">{label}</text>')
        parts.append(
            f'<rect class="bar {bar.tone}" x="{_LABEL}" y="{y + 4}" width="{width:.1f}" height="{_ROW - 8}"/>'
        )
        parts.append(
            f'<text class="value" x="{_LABEL + width + 6:.1f}" y="{y + 17}">{escape(bar.text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# The outcome groups of table 三, in the template's order, with their row prefixes.
# The outcome groups of table 三, in the template's order: the rows each counts
# (a code ending in "_" stands for every row it begins), and the bar's colour.
OUTCOME_GROUPS = (
    (("予以公开", "Granted"), "granted", "a"),
    (("部分公开", "In part"), "partially_granted", "b"),
    (("不予公开", "Refused"), "denied_", "c"),
    (("无法提供", "Unavailable"), "unavailable_", "d"),
    (("不予处理", "Not processed"), "not_processed_", "muted"),
    (("其他处理", "Other"), "other_", "muted"),
)


def _in_group(row: str, code: str) -> bool:
    return row.startswith(code) if code.endswith("_") else row == code


def outcome_counts(report: Report) -> list[tuple[str, int | None, str]]:
    """Requests by outcome group (total column); ``None`` where a cell is unknown."""
    out = []
    for (label, _), code, tone in OUTCOME_GROUPS:
        cells = [
            cell.value
            for (row, column), cell in report.requests.items()
            if column == "total" and _in_group(row, code)
        ]
        known = bool(cells) and all(v is not None for v in cells)
        out.append((label, int(sum(cells)) if known else None, tone))  # type: ignore[arg-type]
    return out


def outcome_chart(report: Report) -> str:
    bars = [
        Bar(label, value, "—" if value is None else f"{value:,}", tone=tone)
        for label, value, tone in outcome_counts(report)
    ]
    return bar_chart("outcomes", "申请办理结果（表三总计列）", bars)


# Where the template changed: the 2021 reports on use the new format.
TEMPLATE_CHANGE = 2021
CHANGE_NOTE = ("2021年起新模板", "new template from 2021")


def trend_chart(chart_id: str, title: str, reports: list[Report], code: str | None = None) -> str:
    """A line across years: new requests (``code`` None) or an indicator."""
    points: list[tuple[int, float | None, str]] = []
    for report in sorted((r for r in reports if r.year), key=lambda r: r.year or 0):
        value: float | None
        if code is None:
            count = report.value("requests", "new_received", "total")
            value = None if count is None else float(count)
            text = "—" if count is None else f"{int(count):,}"
        else:
            value = ind.BY_CODE[code].value(report)
            text = ind.show(code, value)
        points.append((report.year or 0, value, text))
    return line_chart(chart_id, title, points)


def line_chart(chart_id: str, title: str, points: Sequence[tuple[int, float | None, str]]) -> str:
    """``points``: (year, value, printed value), one a year in order; a year
    without a value breaks the line.  The change of template is a dashed rule."""
    years = [year for year, _, _ in points]
    known = [v for _, v, _ in points if v is not None]
    top = max(known, default=0) or 1
    left, right, height, base, roof = 16, _WIDTH - 16, 190, 150, 28
    span = max(years) - min(years) if years else 0

    def x(year: int) -> float:
        return (
            (left + right) / 2 if span == 0 else left + 24 + (right - left - 48) * (year - min(years)) / span
        )

    def y(value: float) -> float:
        return base - (base - roof) * value / top

    desc = "；".join(f"{year}年：{text}" for year, _, text in points)
    parts = [
        f'<svg class="chart line" id="{chart_id}" role="img" viewBox="0 0 {_WIDTH} {height}" '
        f'width="{_WIDTH}" height="{height}" aria-labelledby="{chart_id}-t {chart_id}-d" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
        f'<line class="axis" x1="{left}" y1="{base}" x2="{right}" y2="{base}"/>',
    ]
    if years and min(years) < TEMPLATE_CHANGE <= max(years):
        rule = (x(TEMPLATE_CHANGE - 1) + x(TEMPLATE_CHANGE)) / 2
        parts.append(f'<line class="change" x1="{rule:.1f}" y1="14" x2="{rule:.1f}" y2="{base}"/>')
        parts.append(f'<text class="note" x="{rule + 4:.1f}" y="14">{_translatable(CHANGE_NOTE[0])}</text>')
    segment: list[str] = []
    segments = []
    for year, value, _ in points:
        if value is None:
            segments.append(segment)
            segment = []
        else:
            segment.append(f"{x(year):.1f},{y(value):.1f}")
    segments.append(segment)
    for run in segments:
        if len(run) > 1:
            parts.append(f'<polyline class="trend" points="{" ".join(run)}"/>')
    for year, value, text in points:
        parts.append(
            f'<text class="year" x="{x(year):.1f}" y="{base + 20}" text-anchor="middle">{year}</text>'
        )
        if value is None:
            parts.append(
                f'<text class="value" x="{x(year):.1f}" y="{base - 6}" text-anchor="middle">—</text>'
            )
            continue
        parts.append(f'<circle class="point" cx="{x(year):.1f}" cy="{y(value):.1f}" r="4"/>')
        parts.append(
            f'<text class="value" x="{x(year):.1f}" y="{y(value) - 9:.1f}" text-anchor="middle">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def ranking_chart(
    chart_id: str, title: str, rows: Sequence[tuple[str, float | None, str, str]], note: str = ""
) -> str:
    """``rows``: (label, value, printed value, link), already sorted; the links are for the table beside it."""
    bars = [Bar(label, value, text) for label, value, text, _ in rows]
    return bar_chart(chart_id, title, bars, note)


def histogram(chart_id: str, title: str, values: list[float], bins: int = 10) -> str:
    """How shares (0-1) spread across reports: counts in ten 10-point bins."""
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int(v * bins))] += 1
    bars = [
        Bar(f"{i * 100 // bins}–{(i + 1) * 100 // bins}%", count, f"{count}")
        for i, count in enumerate(counts)
    ]
    return bar_chart(chart_id, title, bars, f"共 {len(values)} 份报告")
