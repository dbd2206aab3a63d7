"""What the pages show, worked out before anything is rendered: a report's
context in the portal, the datasets the catalogue describes, the headline
figures, the list rows, the charts per year, the findings grouped.

Plain functions over reports; :mod:`.render` turns them into pages and
:mod:`.portal` writes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlencode

from .. import indicators as ind
from ..catalog import Agency, facets, region_of
from ..check import passes_arithmetic
from ..model import Problem, Report
from ..urls import PORTAL_FILES, agency_files, agency_page, report_files, report_page, year_files
from . import charts, metadata
from .history import History
from .package import plain


@dataclass(frozen=True)
class ReportContext:
    """What a report's own page needs to know about the rest of the portal.

    Its ``repr`` is part of the key under which an unchanged report folder is
    reused (:func:`nianbao.cache.written_key`): when any of it changes, the
    folder is written again."""

    page: str
    agency_name: str
    agency_slug: str  # "" when the report has no agency page
    base: str
    added: str
    modified: str
    repository: str = ""  # where readers report an error (config.repository); "" hides the link

    @property
    def agency_page(self) -> str:
        return agency_page(self.agency_slug) if self.agency_slug else ""


# What a report's published original is, by the suffix of the file in content/.
_PDF = ("PDF 原件", "The original PDF")
_WORD = ("Word 原件", "The original Word file")
_PAGE = (
    "网页原件（存为纯文本，其中的脚本不会运行）",
    "The original web page (kept as plain text, so no script runs)",
)
ORIGINAL_KINDS = {".pdf": _PDF, ".docx": _WORD, ".doc": _WORD, ".html": _PAGE, ".htm": _PAGE}
TRANSCRIPT = (
    "收录的文本（由原报告转录，开头可能有元数据）",
    "The text as collected (transcribed from the report; may begin with metadata)",
)


def original_kind(source: str) -> tuple[str, str]:
    """What a reader downloads as the report's original, in both languages:
    the agency's own file, or a transcription (a text file is not the original)."""
    return ORIGINAL_KINDS.get(PurePosixPath(source).suffix.lower(), TRANSCRIPT)


def download_name(report: Report, published: str) -> str:
    """The name a download of the original is saved under: agency and year, not "source.pdf"."""
    who = report.agency or report.report_id
    stem = f"{who}-{report.year}" if report.year else who
    return stem + PurePosixPath(published).suffix


def file_size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{max(1, round(size / 1024))} KB"


def issue_link(repository: str, report: Report, page_url: str) -> str:
    """A new issue on the site's repository, prefilled with what a maintainer
    needs to find the report; "" when the site names no repository."""
    if not repository:
        return ""
    title = f"数据有误：{report.name}"
    body = "\n".join(
        [
            f"报告页面：{page_url}",
            f"报告编号：{report.report_id}",
            f"内容库中的文件：{report.source}",
            "",
            "哪张表、哪一行、哪一列：",
            "原报告中的数字：",
            "网站上的数字：",
            "（可附原报告的页码或截图）",
        ]
    )
    return f"{repository}/issues/new?" + urlencode({"title": title, "body": body})


def report_dataset(report: Report, context: ReportContext) -> metadata.Dataset:
    name = report.name
    return metadata.Dataset(
        path=context.page,
        identifier=report.report_id,
        title=f"{name}（数据）",
        description=(
            f"{report.agency or '未知机构'}{report.year or ''}年政府信息公开工作年度报告的表二、表三、表四数据，"
            f"由 nianbao 从 {report.source} 解析并按模板勾稽关系核对。"
        ),
        files=report_files(report.report_id),
        creator=report.agency,
        temporal=str(report.year or ""),
        spatial=region_of(report),
        modified=context.modified,
    )


def agency_dataset(agency: Agency, history: History) -> metadata.Dataset:
    years = sorted({r.year for r in agency.reports if r.year})
    modified = max((history.dates(r.source)[1] for r in agency.reports), default="")
    return metadata.Dataset(
        path=agency.page,
        identifier=f"agency-{agency.slug}",
        title=f"{agency.name}政府信息公开工作年度报告数据（{_span(years)}）",
        description=f"{agency.name}各年度政府信息公开工作年度报告的表二、表三、表四数据，共 {len(agency.reports)} 份。",
        files=agency_files(agency.slug),
        creator=agency.name,
        temporal=f"{years[0]}/{years[-1]}" if len(years) > 1 else str(years[0]) if years else "",
        spatial=agency.region,
        modified=modified,
    )


def portal_dataset(reports: list[Report], history: History) -> metadata.Dataset:
    years = sorted({r.year for r in reports if r.year})
    return metadata.Dataset(
        path="index.html",
        identifier="nianbao",
        title=metadata.PORTAL_NAME,
        description=f"{len(reports)} 份政府信息公开工作年度报告（{_span(years)}）的表二、表三、表四数据，已按模板勾稽关系核对。",
        files={
            **PORTAL_FILES,
            **{f"{kind} {year}": path for year in years for kind, path in year_files(year).items()},
        },
        temporal=f"{years[0]}/{years[-1]}" if len(years) > 1 else str(years[0]) if years else "",
        modified=history.changes[0].date if history.changes else "",
    )


def _span(years: list[int]) -> str:
    if not years:
        return "年度未知"
    return f"{years[0]}—{years[-1]}年度" if len(years) > 1 else f"{years[0]}年度"


def counted(reports: list[Report]) -> list[Report]:
    """The reports the portal's figures add up: one per agency and year."""
    return [r for r in reports if not r.duplicate_of]


def figure_sums(reports: list[Report], rows: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """What some reports (a year's) add to the portal's figures: counts and
    integer sums, so that the years' sums add up to the same figures as all
    reports at once (:func:`added_up`)."""
    published = reports
    reports = counted(reports)
    lines = [rows[r.report_id] for r in reports]

    def total(*names: str) -> int:
        return sum(line[name] or 0 for line in lines for name in names)

    # The national share is over the requests of every report where it is known, not a mean of shares.
    share = INDICATOR_INDEX["granted_or_partial_share"]
    known = [p for line in lines if (p := line["parts"][share])]
    return {
        "reports": len(published),
        "years": sorted({r.year for r in reports if r.year}),
        "received": total("received"),
        "granted": sum(t for t, _ in known),
        "granted_base": sum(b for _, b in known),
        "granted_known": len(known),
        "reconsiderations": total("reconsiderations"),
        "lawsuits": total("litigation_direct", "litigation_after_reconsideration"),
        "passing": sum(1 for r in published if passes_arithmetic(r)),
        # of those, the reports with an equation that cells missing left unchecked
        "unassessed": sum(
            1
            for r in published
            if passes_arithmetic(r) and any(f.code == "check_not_assessable" for f in r.findings)
        ),
        "counted": len(reports),  # the national figures' reports: one per agency and year
    }


def added_up(agency_list: list[Agency], sums: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures of the reports whose :func:`figure_sums` are ``sums`` (of
    the agencies ``agency_list``)."""

    def total(name: str) -> Any:
        return sum(part[name] for part in sums)

    years = sorted({year for part in sums for year in part["years"]})
    base = total("granted_base")
    return {
        "reports": total("reports"),
        "agencies": len(agency_list),
        "regions": len({a.region for a in agency_list if a.region}),
        "years": years,
        "years_text": _span(years),
        "received": total("received"),
        "granted_share": float(total("granted")) / float(base) if total("granted_known") else None,
        "reconsiderations": total("reconsiderations"),
        "lawsuits": total("lawsuits"),
        "passing": total("passing"),
        "unassessed": total("unassessed"),
        "counted": total("counted"),
    }


INDICATOR_INDEX = {
    indicator.code: i for i, indicator in enumerate(ind.INDICATORS)
}  # its place in facts' "parts"


def list_row(report: Report) -> dict[str, Any]:
    """One report's line of the lists of reports (home, year, agency), with the values its filters and sorting use."""
    values = ind.indicators(report)
    received = report.value("requests", "new_received", "total")
    recon = report.value("reviews", "reconsideration", "total")
    direct = report.value("reviews", "litigation_direct", "total")
    after = report.value("reviews", "litigation_after_reconsideration", "total")
    return {
        "report": report,
        "page": report_page(report.report_id),
        **facets(report),
        "indicators": values,
        "received": None if received is None else int(received),
        "granted": values["granted_or_partial_share"],
        "denied": values["denied_share"],
        "reconsiderations": None if recon is None else int(recon),
        "lawsuits": None if direct is None or after is None else int(direct + after),
        "litigation_direct": None if direct is None else int(direct),
        "litigation_after_reconsideration": None if after is None else int(after),
        "errors": report.count("error"),
        "warnings": report.count("warning"),
        "flagged": flagged_figures(report),
    }


def facts(report: Report) -> dict[str, Any]:
    """What the pages and files about all reports need of one report, as
    JSON: its list line's values (:func:`list_row` without the report) and its
    indicators' numerators and denominators (the rankings).  Worked out where
    the report is written and kept with its table lines, so that a rebuild
    does not work them out again for every report."""
    row = {key: value for key, value in list_row(report).items() if key != "report"}
    parts = [i.parts(report) for i in ind.INDICATORS]
    row["parts"] = [None if p is None else [plain(p[0]), plain(p[1])] for p in parts]
    return row


# The cells each headline figure is made of: (table, rows); a finding (not
# info) on one of them, or on its whole table, puts a marker on the figure.
FIGURE_CELLS = {
    "received": ("requests", {"new_received"}),
    "granted": ("requests", {"granted", "partially_granted", "total_processed"}),
    "reconsiderations": ("reviews", {"reconsideration"}),
    "lawsuits": ("reviews", {"litigation_direct", "litigation_after_reconsideration"}),
}


def flagged_figures(report: Report) -> dict[str, bool]:
    """Which headline figures rest on a cell that a finding questions, or on a derived value."""
    questioned = [f for f in report.findings if f.severity != "info"]
    derived = {
        table: {
            row
            for (row, column), cell in report.table(table).items()
            if cell.status == "derived" and column == "total"
        }
        for table in ("requests", "reviews")
    }
    out = {}
    for figure, (table, rows) in FIGURE_CELLS.items():
        found = any(f.table == table and (not f.row or f.row in rows) for f in questioned)
        out[figure] = found or not derived[table].isdisjoint(rows)
    return out


def year_chart(year: int, reports: list[Report], rows: Mapping[str, dict[str, Any]]) -> dict[str, Any] | None:
    """One year's rankings and distribution (None when none of its reports is counted)."""
    group = [(r, rows[r.report_id]) for r in counted(reports)]
    if not year or not group:
        return None
    denied_parts = INDICATOR_INDEX["denied_share"]
    top = sorted(
        ((r, line["received"]) for r, line in group if line["received"] is not None),
        key=lambda pair: (-pair[1], pair[0].agency),
    )[:10]
    most = [
        (r.agency or r.source, float(received), f"{received:,}", report_page(r.report_id))
        for r, received in top
    ]
    # Refusal shares over a base of fewer than 10 requests (三（七）总计, the share's denominator) say little: left out.
    denied = sorted(
        (
            (line["denied"], r)
            for r, line in group
            if line["denied"] is not None and line["parts"][denied_parts][1] >= 10
        ),
        key=lambda pair: (-pair[0], pair[1].agency),
    )
    refusing = [
        (r.agency or r.source, v, ind.show("denied_share", v), report_page(r.report_id))
        for v, r in denied[:10]
    ]
    shares = [v for _, line in group if (v := line["granted"]) is not None]
    return {
        "year": year,
        "count": len(group),
        "most": most,
        "refusing": refusing,
        "shares": shares,
        "most_svg": charts.ranking_chart(f"most-{year}", f"{year}年本年新收申请最多的机构", most),
        "refusing_svg": charts.ranking_chart(
            f"refusing-{year}",
            f"{year}年不予公开占比最高的机构",
            refusing,
            "只计办理结果总计不少于 10 件的报告",
        ),
        "shares_svg": charts.histogram(
            f"shares-{year}", f"{year}年各报告“予以公开或部分公开”占比的分布", shares
        ),
    }


def quality_groups(reports: list[Report], problems: list[Problem]) -> list[dict[str, Any]]:
    """Every finding grouped by code: how often, in how many reports, which."""
    groups: dict[str, dict[str, Any]] = {}
    for report in reports:
        for f in report.findings:
            g = groups.setdefault(f.code, {"code": f.code, "severity": f.severity, "count": 0, "reports": {}})
            g["count"] += 1
            g["reports"].setdefault(report.report_id, (report, []))[1].append(f.message)
    for problem in problems:
        g = groups.setdefault(
            problem.code, {"code": problem.code, "severity": "error", "count": 0, "reports": {}}
        )
        g["count"] += 1
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(groups.values(), key=lambda g: (order[g["severity"]], -g["count"], g["code"]))
