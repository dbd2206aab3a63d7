"""Step 5b: the pages and files about many reports at once.

The home page and its filters, one page per agency, the comparison, quality,
changelog, search and 404 pages, the portal-wide downloads (package, workbook,
zip), the JSON index, and the catalogue files (DCAT, sitemap, robots, feed).
Everything here is rewritten on every build: it is small next to the
per-report folders, and it is what must change when any report does.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment

from .. import indicators as ind
from ..catalog import KINDS, LEVELS, Agency, agencies, facets, region_of
from ..check import passes_arithmetic
from ..i18n import EN, SECTIONS_EN
from ..model import Problem, Report
from ..template import SECTIONS, TEMPLATES
from ..urls import (
    PORTAL_FILES,
    agency_files,
    agency_folder,
    agency_package_name,
    report_files,
    report_folder,
    report_page,
)
from . import charts, downloads, metadata, package
from .history import History


@dataclass(frozen=True)
class ReportContext:
    """What a report's own page needs to know about the rest of the portal.

    Its ``repr`` is part of the key under which an unchanged report folder is
    reused (:func:`nianbao.cache.written_key`): when any of it changes, the
    folder is written again."""

    page: str
    agency_name: str
    agency_page: str
    base: str
    added: str
    modified: str


def report_dataset(report: Report, context: ReportContext) -> metadata.Dataset:
    name = report.title or f"{report.agency}{report.year or ''}年政府信息公开工作年度报告"
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
        files=PORTAL_FILES,
        temporal=f"{years[0]}/{years[-1]}" if len(years) > 1 else str(years[0]) if years else "",
        modified=history.changes[0].date if history.changes else "",
    )


def _span(years: list[int]) -> str:
    if not years:
        return "年度未知"
    return f"{years[0]}—{years[-1]}年度" if len(years) > 1 else f"{years[0]}年度"


# --- figures -------------------------------------------------------------------


def counted(reports: list[Report]) -> list[Report]:
    """The reports the portal's figures add up: one per agency and year."""
    return [r for r in reports if not r.duplicate_of]


def stats(reports: list[Report], agency_list: list[Agency]) -> dict[str, Any]:
    """What the portal holds and its headline national figures (a report of
    an agency-year that has another is counted once, see :func:`counted`)."""
    published = reports
    reports = counted(reports)
    years = sorted({r.year for r in reports if r.year})

    def total(table: str, row: str, column: str = "total") -> int:
        return int(sum(r.value(table, row, column) or 0 for r in reports))

    # The national share is over the requests of every report where it is known, not a mean of shares.
    known = [p for r in reports if (p := ind.BY_CODE["granted_or_partial_share"].parts(r))]
    return {
        "reports": len(published),
        "agencies": len(agency_list),
        "regions": len({a.region for a in agency_list if a.region}),
        "years": years,
        "years_text": _span(years),
        "received": total("requests", "new_received"),
        "granted_share": float(sum(t for t, _ in known)) / float(sum(b for _, b in known)) if known else None,
        "reconsiderations": total("reviews", "reconsideration"),
        "lawsuits": total("reviews", "litigation_direct")
        + total("reviews", "litigation_after_reconsideration"),
        "passing": sum(1 for r in published if passes_arithmetic(r)),
    }


def list_row(report: Report) -> dict[str, Any]:
    """One line of the home page's list, with the values its filters and sorting use."""
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
        "errors": report.count("error"),
        "warnings": report.count("warning"),
    }


def year_charts(reports: list[Report]) -> list[dict[str, Any]]:
    """Rankings and a distribution across agencies, for each year (newest first)."""
    by_year: dict[int, list[Report]] = defaultdict(list)
    for report in counted(reports):
        if report.year:
            by_year[report.year].append(report)
    out = []
    for year in sorted(by_year, reverse=True):
        group = by_year[year]
        top = sorted(
            (r for r in group if r.value("requests", "new_received", "total") is not None),
            key=lambda r: (-(r.value("requests", "new_received", "total") or 0), r.agency),
        )[:10]
        most = [
            (
                r.agency or r.source,
                float(r.value("requests", "new_received", "total") or 0),
                f"{int(r.value('requests', 'new_received', 'total') or 0):,}",
                report_page(r.report_id),
            )
            for r in top
        ]
        # Refusal shares over a base of fewer than 10 requests say little: left out.
        denied = sorted(
            (
                (ind.BY_CODE["denied_share"].value(r), r)
                for r in group
                if (r.value("requests", "total_processed", "total") or 0) >= 10
            ),
            key=lambda pair: (-(pair[0] if pair[0] is not None else -1), pair[1].agency),
        )
        refusing = [
            (r.agency or r.source, v, ind.show("denied_share", v), report_page(r.report_id))
            for v, r in denied[:10]
            if v is not None
        ]
        shares = [v for r in group if (v := ind.BY_CODE["granted_or_partial_share"].value(r)) is not None]
        out.append(
            {
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
        )
    return out


# --- writing -------------------------------------------------------------------


@dataclass
class Portal:
    reports: list[Report]
    problems: list[Problem]
    history: History
    base: str
    agencies: list[Agency] = field(default_factory=list)
    agency_of: dict[str, Agency] = field(default_factory=dict)  # report id -> agency

    def __post_init__(self) -> None:
        self.agencies = agencies(self.reports)
        self.agency_of = {r.report_id: a for a in self.agencies for r in a.reports}

    def context(self, report: Report) -> ReportContext:
        agency = self.agency_of.get(report.report_id)
        added, modified = self.history.dates(report.source)
        return ReportContext(
            report_page(report.report_id),
            agency.name if agency else "",
            agency.page if agency else "",
            self.base,
            added,
            modified,
        )


def write_downloads(out: Path, portal: Portal) -> None:
    """The portal's and each agency's workbook, zip and package (the portal's CSVs are already written)."""
    data = out / "data"
    book = downloads.collection_workbook(portal.reports, portal.problems, metadata.PORTAL_NAME)
    files = {p.name: p.read_bytes() for p in sorted(data.glob("*")) if p.suffix in (".csv", ".json")}
    if book is not None:
        (data / "nianbao.xlsx").write_bytes(book)
    (data / "nianbao.zip").write_bytes(downloads.bundle("nianbao", files))


def write_agency(out: Path, env: Environment, portal: Portal, agency: Agency) -> None:
    """An agency's folder: its page, package, workbook and zip."""
    folder = out / agency_folder(agency.slug)
    written = package.gather_package(
        folder / "data",
        package.descriptor(
            # A package name is [-a-z0-9._/] only; the slug may be Chinese.
            agency_package_name(agency.slug),
            f"{agency.name}政府信息公开工作年度报告数据",
            package.PORTAL_RESOURCES,
            f"{agency.name}各年度报告的数据，由 nianbao 解析并按模板勾稽关系核对。{package.LEAN_NOTE}",
            lean=True,
        ),
        (out / report_folder(r.report_id) / "data" for r in agency.reports),
        compact=True,
    )
    book = downloads.collection_workbook(agency.reports, [], agency.name, official=len(agency.reports) <= 12)
    if book is not None:
        (folder / f"{agency.slug}.xlsx").write_bytes(book)
    (folder / f"{agency.slug}.zip").write_bytes(
        downloads.bundle(agency.slug, {f"data/{p.name}": p.read_bytes() for p in written})
    )
    meta = agency_dataset(agency, portal.history)
    html = env.get_template("agency.html").render(
        root="../../",
        path=agency.page,
        base=portal.base,
        agency=agency,
        rows=[list_row(r) for r in agency.reports],
        trend_requests=charts.trend_chart("trend-requests", "各年度本年新收申请", agency.reports),
        trend_granted=charts.trend_chart(
            "trend-granted", "各年度予以公开或部分公开占比", agency.reports, "granted_or_partial_share"
        ),
        dataset=meta,
        citation=metadata.citation(meta, portal.base),
    )
    (folder / "index.html").write_text(html, encoding="utf-8")


def agency_key(agency: Agency, report_keys: list[str], portal: Portal) -> str:
    """What an agency folder is made of: its name and kind, its reports' folder
    keys (their content and the code version) and when they changed."""
    digest = hashlib.sha256(
        repr((agency.name, agency.slug, agency.level, agency.kind, agency.region)).encode()
    )
    for report, key in zip(agency.reports, report_keys, strict=True):
        digest.update(key.encode())
        digest.update(repr(portal.history.dates(report.source)).encode())
    digest.update(portal.base.encode())
    return digest.hexdigest()


def api_index(portal: Portal) -> dict[str, Any]:
    """``api/index.json``: every report, its filters' fields, headline indicators and files."""
    return {
        "name": "nianbao",
        "title": metadata.PORTAL_NAME,
        "template": "api/template.json",
        "count": len(portal.reports),
        "reports": [
            {
                "report_id": r.report_id,
                **downloads.summary_fields(r),
                "template": r.template,
                "agency_page": a.page if (a := portal.agency_of.get(r.report_id)) else "",
                "page": report_page(r.report_id),
                "files": report_files(r.report_id),
                "indicators": {
                    code: value for code, value in ind.indicators(r).items() if code in ind.HEADLINE
                },
            }
            for r in portal.reports
        ],
    }


def api_template() -> dict[str, Any]:
    """``api/template.json``: the labels the comparison page (or any client) needs."""
    return {
        "templates": {
            version: {
                "title": t.title,
                "rows": [
                    {"code": r.code, "number": r.number, "label": r.label, "label_en": EN.get(r.code, "")}
                    for r in (*t.rows, *t.variants)
                ],
                "applicants": [
                    {"code": c.code, "label": c.label, "label_en": EN[c.code]} for c in t.applicants
                ],
                "proceedings": [
                    {"code": c.code, "label": c.label, "label_en": EN[c.code]} for c in t.proceedings
                ],
                "outcomes": [{"code": c.code, "label": c.label, "label_en": EN[c.code]} for c in t.outcomes],
                "proactive": [
                    {
                        "code": i.code,
                        "label": i.label,
                        "label_en": EN[i.code],
                        "measures": [
                            {"code": m, "label": t.measures[m], "label_en": EN[m]} for m in i.measures
                        ],
                    }
                    for i in t.proactive
                ],
            }
            for version, t in TEMPLATES.items()
        },
        "indicators": [
            {
                "code": i.code,
                "label": i.label,
                "label_en": i.label_en,
                "formula": i.formula,
                "percent": i.percent,
            }
            for i in ind.INDICATORS
        ],
        "sections": {
            code: {"label": label, "label_en": SECTIONS_EN[code]} for code, label in SECTIONS.items()
        },
    }


def _json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def quality_groups(portal: Portal) -> list[dict[str, Any]]:
    """Every finding grouped by code: how often, in how many reports, which."""
    groups: dict[str, dict[str, Any]] = {}
    for report in portal.reports:
        for f in report.findings:
            g = groups.setdefault(f.code, {"code": f.code, "severity": f.severity, "count": 0, "reports": {}})
            g["count"] += 1
            g["reports"].setdefault(report.report_id, (report, []))[1].append(f.message)
    for problem in portal.problems:
        g = groups.setdefault(
            problem.code, {"code": problem.code, "severity": "error", "count": 0, "reports": {}}
        )
        g["count"] += 1
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(groups.values(), key=lambda g: (order[g["severity"]], -g["count"], g["code"]))


def write_pages(out: Path, env: Environment, portal: Portal) -> None:
    reports, base = portal.reports, portal.base
    figures = stats(reports, portal.agencies)
    common = {"base": base, "stats": figures}
    rows = [list_row(r) for r in reports]
    facets = {
        "years": sorted({r.year for r in reports if r.year}, reverse=True),
        "regions": sorted({row["region"] for row in rows if row["region"]}),
        "levels": [k for k in LEVELS if any(row["level"] == k for row in rows)],
        "kinds": [k for k in KINDS if any(row["kind"] == k for row in rows)],
    }
    portal_meta = portal_dataset(reports, portal.history)

    def page(name: str, template: str, root: str = "", **values: Any) -> None:
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        html = env.get_template(template).render(root=root, path=name, **common, **values)
        path.write_text(html, encoding="utf-8")

    page(
        "index.html",
        "index.html",
        rows=rows,
        facets=facets,
        problems=portal.problems,
        years=year_charts(reports),
        dataset=portal_meta,
        citation=metadata.citation(portal_meta, base),
    )
    page("agencies/index.html", "agencies.html", root="../", agencies=portal.agencies)
    page("compare.html", "compare.html")
    page("search.html", "search.html")
    page(
        "quality.html",
        "quality.html",
        groups=quality_groups(portal),
        flagged=sorted(
            (r for r in reports if r.count("error") or r.count("warning")),
            key=lambda r: (-r.count("error"), -r.count("warning"), r.agency),
        ),
        problems=portal.problems,
    )
    entries = feed_entries(portal)
    page(
        "changelog.html",
        "changelog.html",
        entries=entries[:1000],
        total=len(entries),
        history=portal.history,
        actions=metadata.ACTIONS,
    )
    page("404.html", "404.html", root=urlsplit(base).path or "/")
    (out / "feed.xml").write_text(metadata.atom(entries, base), encoding="utf-8")
    _json(out / "api" / "index.json", api_index(portal))
    _json(out / "api" / "template.json", api_template())
    datasets = [
        portal_meta,
        *(agency_dataset(a, portal.history) for a in portal.agencies),
        *(report_dataset(r, portal.context(r)) for r in reports),
    ]
    catalog = metadata.dcat_catalog(datasets, base)
    (out / "catalog.jsonld").write_text(
        json.dumps(catalog, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    listed = [
        "index.html",
        "agencies/index.html",
        "data.html",
        "quality.html",
        "changelog.html",
        "compare.html",
    ]
    paths = [(p, "") for p in listed] + [(d.path, d.modified[:10]) for d in datasets[1:]]
    (out / "sitemap.xml").write_text(metadata.sitemap(paths, base), encoding="utf-8")
    (out / "robots.txt").write_text(metadata.robots(base), encoding="utf-8")


def feed_entries(portal: Portal) -> list[metadata.FeedEntry]:
    by_source = {r.source: r for r in portal.reports}
    entries = []
    for change in portal.history.changes:
        report = by_source.get(change.source)
        if change.action != "removed" and report is None:
            continue  # a file that is not (or no longer) a report
        name = f"{report.agency}{report.year or ''}年报告" if report else change.source
        entries.append(metadata.FeedEntry(change, name, report_page(report.report_id) if report else ""))
    return entries
