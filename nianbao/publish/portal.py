"""Step 5b: the pages and files about many reports at once.

The home page, each year's list of reports with its filters, one page per agency, the comparison, quality,
changelog, search and 404 pages, the portal-wide downloads (package, workbook,
zip), the JSON index, and the catalogue files (DCAT, sitemap, robots, feed).
Everything here is rewritten on every build: it is small next to the
per-report folders, and it is what must change when any report does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment
from markupsafe import Markup

from .. import config
from .. import indicators as ind
from ..catalog import KINDS, LEVELS, Agency, agencies
from ..i18n import EN, SECTIONS_EN, both
from ..model import Problem, Report
from ..template import SECTIONS, TEMPLATES
from ..urls import (
    AGENCY_INDEX,
    PORTAL_FILES,
    agency_files,
    agency_folder,
    agency_package_name,
    rankings_file,
    report_files,
    report_page,
    search_shard,
    year_files,
    year_list_page,
)
from . import charts, downloads, metadata, package, render
from .history import History
from .views import (
    ReportContext,
    added_up,
    agency_dataset,
    counted,
    facts,
    figure_sums,
    portal_dataset,
    quality_groups,
    year_chart,
)
from .writer import Writer

# The changelog page lists the latest changes, the feed fewer.
CHANGELOG_MAX = 1000
FEED_MAX = 200

# --- figures -------------------------------------------------------------------


# --- writing -------------------------------------------------------------------


@dataclass
class Portal:
    reports: list[Report]
    problems: list[Problem]
    history: History
    base: str
    agencies: list[Agency] = field(default_factory=list)
    agency_of: dict[str, Agency] = field(default_factory=dict)  # report id -> agency
    facts: dict[str, str] = field(default_factory=dict)  # report id -> views.facts as JSON, when kept
    # Report id -> its context, once worked out.
    contexts: dict[str, ReportContext] = field(default_factory=dict)
    # Years whose page and rankings stand as the last build wrote them (none of their reports changed).
    kept_years: set[int] = field(default_factory=set)
    # Each year's key (year_key: its reports' folder keys and its agencies), where all are known.
    year_keys: dict[int, str] = field(default_factory=dict)
    # Each year's figures (year_figures) as the last build made them, and this build's.
    kept_figures: Kept = field(default_factory=lambda: Kept({}))
    # Each agency's key (agency_key), where all its reports' are known.
    agency_keys: dict[str, str] = field(default_factory=dict)
    # Each agency's entry of api/agencies.json (api_agencies) as the last build made it, and this build's.
    kept_agencies: Kept = field(default_factory=lambda: Kept({}))

    @property
    def years(self) -> list[int]:
        return [year for year, _ in self.by_year() if year]

    @property
    def year_downloads(self) -> list[tuple[int, dict[str, str]]]:
        """Each year and its workbook's and zip's paths (home and data pages)."""
        return [(year, year_files(year)) for year in self.years]

    def by_year(self) -> list[tuple[int, list[Report]]]:
        """Each year (0: unknown) and its reports, in order (grouped once: a build asks eight times)."""
        return self._by_year

    @cached_property
    def _by_year(self) -> list[tuple[int, list[Report]]]:
        grouped: dict[int, list[Report]] = {}
        for report in self.reports:
            grouped.setdefault(report.year or 0, []).append(report)
        return sorted(grouped.items())

    def __post_init__(self) -> None:
        self.agencies = agencies(self.reports)
        self.agency_of = {r.report_id: a for a in self.agencies for r in a.reports}

    @cached_property
    def figures(self) -> Mapping[str, dict[str, Any]]:
        """Report id -> its :func:`.views.facts`: as kept where the report was
        written (read when first asked for: an edit needs a year's and an
        agency's, not all), else worked out here."""

        def read(report: Report) -> dict[str, Any]:
            kept = self.facts.get(report.report_id)
            return json.loads(kept) if kept is not None else facts(report)

        return _Lazy(self.reports, read)

    @cached_property
    def rows(self) -> Mapping[str, dict[str, Any]]:
        """Report id -> its line in the lists, the report with its facts
        (the agency pages and the home page's list), each made when first
        asked: an edit asks for a few agencies' lines, not 10,000."""
        return _Lazy(self.reports, lambda report: {"report": report, **self.figures[report.report_id]})

    def year_figures(self) -> dict[int, dict[str, Any]]:
        """Each year's share of the home page's figures and its charts
        (:func:`.views.figure_sums`, :func:`.views.year_chart`): as the last
        build made them for a year whose key did not change, else from its
        reports' facts (an edit adds up one year, not all ten thousand reports).
        Worked out once (the home page and the years' pages ask)."""
        return self._year_figures

    @cached_property
    def _year_figures(self) -> dict[int, dict[str, Any]]:
        return {
            year: self.kept_figures.get(
                year, self.year_keys.get(year, ""), partial(self._figures_of, year, group)
            )
            for year, group in self.by_year()
        }

    def _figures_of(self, year: int, group: list[Report]) -> dict[str, Any]:
        return {"sums": figure_sums(group, self.figures), "chart": year_chart(year, group, self.figures)}

    def agencies_of(self, reports: list[Report]) -> list[Agency]:
        """The agencies of some reports, each once (a year's figures count them)."""
        found = {id(a): a for r in reports if (a := self.agency_of.get(r.report_id))}
        return list(found.values())

    def context(self, report: Report) -> ReportContext:
        """What the report's page needs to know of the rest (worked out once
        a build: the report folders and the sitemap ask)."""
        known = self.contexts.get(report.report_id)
        if known is None:
            known = self.contexts[report.report_id] = self._context(report)
        return known

    def _context(self, report: Report) -> ReportContext:
        agency = self.agency_of.get(report.report_id)
        added, modified = self.history.dates(report.source)
        return ReportContext(
            report_page(report.report_id),
            agency.name if agency else "",
            agency.slug if agency else "",
            self.base,
            added,
            modified,
            config.ACTIVE.repository,
        )


class Kept:
    """Pieces kept from build to build, each under the key of what it was
    made of (a year's figures, an agency's index entry): ``before`` as the
    last build left them (name -> (key, piece)), ``now`` as this one uses them."""

    def __init__(self, before: Mapping[Any, tuple[str, Any]]):
        self.before = before
        self.now: dict[Any, tuple[str, Any]] = {}

    def get(self, name: Any, key: str, make: Callable[[], Any]) -> Any:
        """The piece ``name``: the last build's when its key was ``key`` (never
        for no key), else made."""
        known = self.before.get(name)
        piece = known[1] if key and known is not None and known[0] == key else make()
        self.now[name] = (key, piece)
        return piece

    @property
    def changed(self) -> bool:
        return self.now != self.before


class _Lazy(Mapping[str, dict[str, Any]]):
    """Report id -> what ``make`` makes of the report, made once, when first asked for."""

    def __init__(self, reports: list[Report], make: Callable[[Report], dict[str, Any]]):
        self.reports = {r.report_id: r for r in reports}
        self.make = make
        self.made: dict[str, dict[str, Any]] = {}

    def __getitem__(self, report_id: str) -> dict[str, Any]:
        found = self.made.get(report_id)
        if found is None:
            found = self.made[report_id] = self.make(self.reports[report_id])
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self.reports)

    def __len__(self) -> int:
        return len(self.reports)


# A zip of CSV files is most often opened in a spreadsheet: Excel on Chinese
# Windows reads UTF-8 as GBK unless the file starts with a byte-order mark.
BOM = "\ufeff".encode()


def zipped_package(folder: str, descriptor: dict[str, Any], parts: list[package.Parts]) -> bytes:
    """A package of many reports as one reproducible zip: datapackage.json, its
    CSV files (with a byte-order mark, declared as utf-8-sig, so that Excel
    shows the Chinese) and their SHA256SUMS.  The portal's own CSV files in
    data/ stay plain UTF-8, as the data contract says."""
    tables = {
        name: BOM + data
        for name, data in package.join_tables(parts, [r["name"] for r in descriptor["resources"]]).items()
    }
    resources = [{**r, "encoding": "utf-8-sig"} for r in descriptor["resources"]]
    text = json.dumps({**descriptor, "resources": resources}, ensure_ascii=False, indent=2) + "\n"
    files = {"datapackage.json": text.encode("utf-8"), **tables}
    return downloads.bundle(folder, files)


def write_year(
    writer: Writer,
    year: int,
    reports: list[Report],
    lines: Mapping[str, package.Parts],
    sheets: Mapping[str, Mapping[str, bytes]] | None = None,
) -> None:
    """A year's workbook and zip (the portal's package is written whole, as the
    data contract asks; the bundles are by year, so one edit rebuilds one year's)."""
    files = year_files(year)
    title = f"{metadata.PORTAL_NAME}（{year}年度）"
    book = downloads.collection_workbook(reports, title, kept=sheets)
    if book is not None:
        writer.binary(files["xlsx"], book)
    descriptor = package.descriptor(
        f"nianbao-{year}",
        title,
        package.PORTAL_RESOURCES,
        f"{len(reports)}份{year}年度政府信息公开工作年度报告的数据，长表格式，已按模板勾稽关系核对。",
    )
    zipped = zipped_package(f"nianbao-{year}", descriptor, [lines[r.report_id] for r in reports])
    writer.binary(files["zip"], zipped)


def write_agency(
    writer: Writer,
    env: Environment,
    portal: Portal,
    agency: Agency,
    lines: Mapping[str, package.Parts],
    sheets: Mapping[str, Mapping[str, bytes]] | None = None,
) -> None:
    """An agency's folder: its page, workbook and zipped package."""
    folder = agency_folder(agency.slug)
    files = agency_files(agency.slug)
    descriptor = package.descriptor(
        # A package name is [-a-z0-9._/] only; the slug may be Chinese.
        agency_package_name(agency.slug),
        f"{agency.name}政府信息公开工作年度报告数据",
        package.PORTAL_RESOURCES,
        f"{agency.name}各年度报告的数据，由 nianbao 解析并按模板勾稽关系核对。{package.LEAN_NOTE}",
        lean=True,
    )
    book = downloads.collection_workbook(
        agency.reports, agency.name, official=len(agency.reports) <= 12, kept=sheets
    )
    if book is not None:
        writer.binary(files["xlsx"], book)
    writer.binary(
        files["zip"], zipped_package(agency.slug, descriptor, [lines[r.report_id] for r in agency.reports])
    )
    meta = agency_dataset(agency, portal.history)
    html = render.render_page(
        env,
        "agency.html",
        root="../../",
        path=agency.page,
        base=portal.base,
        agency=agency,
        rows=[portal.rows[r.report_id] for r in agency.reports],
        trend_requests=charts.trend_chart("trend-requests", "各年度本年新收申请", agency.reports),
        trend_granted=charts.trend_chart(
            "trend-granted", "各年度予以公开或部分公开占比", agency.reports, "granted_or_partial_share"
        ),
        dataset=meta,
        citation=metadata.citation(meta, portal.base),
        citation_en=metadata.citation_en(meta, portal.base),
    )
    writer.text(f"{folder}/index.html", html)


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


def api_entry(report: Report, row: dict[str, Any], agency_page: str) -> str:
    """A report's entry of ``api/index.json`` (``row``: its :func:`.views.facts`),
    as compact JSON: made where the report is written and kept with its lines."""
    entry = {
        "report_id": report.report_id,
        **_summary_fields(report, row),
        "template": report.template,
        "agency_page": agency_page,
        "page": report_page(report.report_id),
        "files": report_files(report.report_id),
        "indicators": {code: value for code, value in row["indicators"].items() if code in ind.HEADLINE},
    }
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


def api_index(entries: list[str]) -> str:
    """``api/index.json``: every report, its filters' fields, headline
    indicators and files (``entries``: each report's :func:`api_entry`)."""
    head = {
        "name": "nianbao",
        "title": metadata.PORTAL_NAME,
        "template": "api/template.json",
        "count": len(entries),
    }
    text = json.dumps(head, ensure_ascii=False, separators=(",", ":"))
    return f'{text[:-1]},"reports":[{",".join(entries)}]}}\n'


def _summary_fields(report: Report, row: dict[str, Any]) -> dict[str, Any]:
    """:func:`.downloads.summary_fields` from the report's list line, worked out once."""
    return {
        "agency": report.agency,
        "year": report.year,
        **{name: row[name] for name in ("region", "level", "kind", "errors", "warnings")},
    }


def api_agencies(portal: Portal) -> str:
    """``api/agencies.json``: every agency's names, region, years and
    reports (year and id), so that search finds an agency by any part of any
    name it used (信访局, 伊美区) and the compare page offers every report
    without loading the whole JSON index (4.5 MB at 10,000 reports).  An
    agency's entry is taken as the last build made it when its key did not
    change (``portal.kept_agencies``)."""
    entries = [
        portal.kept_agencies.get(
            agency.slug, portal.agency_keys.get(agency.slug, ""), partial(api_agency, agency)
        )
        for agency in portal.agencies
    ]
    return f'{{"count":{len(entries)},"agencies":[{",".join(entries)}]}}\n'


def api_agency(agency: Agency) -> str:
    """An agency's entry of ``api/agencies.json``, compact JSON."""
    entry = {
        "name": agency.name,
        "names": agency.names,
        "region": agency.region,
        "level": agency.level,
        "kind": agency.kind,
        "page": agency.page,
        "years": sorted({r.year for r in agency.reports if r.year}),
        # [year, id], and the report's own name of the agency when it used another
        "reports": [
            [r.year, r.report_id, *([r.agency] if r.agency != agency.name else [])] for r in agency.reports
        ],
    }
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


def api_rankings(reports: list[Report], rows: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """``api/rankings/<year>.json``: each report's indicators as their numerator
    and denominator, so the rankings page can rank agencies and also add up a
    region's or a level's figure the right way (Σ numerators / Σ denominators,
    not a mean of shares).  One report per agency and year (:func:`counted`)."""
    out = []
    for r in counted(reports):
        facet = rows[r.report_id]
        out.append([r.report_id, r.agency, facet["region"], facet["level"], facet["kind"], facet["parts"]])
    return {
        "indicators": [i.code for i in ind.INDICATORS],
        "fields": ["report_id", "agency", "region", "level", "kind", "parts"],
        "reports": out,
    }


def api_template() -> dict[str, Any]:
    """``api/template.json``: the labels the comparison page (or any client) needs."""
    return {
        "templates": {
            version: {
                "title": t.title,
                "rows": [
                    {
                        "code": r.code,
                        "number": r.number,
                        "label": r.label,
                        "label_en": EN.get(r.code, ""),
                        "numbered": r.numbered(),
                        "numbered_en": r.numbered(EN[r.code]) if r.code in EN else "",
                    }
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
                "formula_en": i.formula_en,
                "percent": i.percent,
                "scale": i.scale,
            }
            for i in ind.INDICATORS
        ],
        "sections": {
            code: {"label": label, "label_en": SECTIONS_EN[code]} for code, label in SECTIONS.items()
        },
    }


def _facets(reports: list[Report], rows: list[dict[str, Any]], years: bool = True) -> dict[str, list]:
    """The values each filter of a list offers (no years on a year's own list)."""
    return {
        "years": sorted({r.year for r in reports if r.year}, reverse=True) if years else [],
        "regions": sorted({row["region"] for row in rows if row["region"]}),
        "levels": [k for k in LEVELS if any(row["level"] == k for row in rows)],
        "kinds": [k for k in KINDS if any(row["kind"] == k for row in rows)],
    }


def agency_lines(agencies: list[Agency]) -> list[dict[str, Any]]:
    """Each agency's line of the agencies' index, its labels made once for
    all (1,700 lines at 10,000 generated reports: each label made per line took most of the page's time)."""
    levels = {code: both(*names) for code, names in LEVELS.items()}
    kinds = {code: both(*names) for code, names in KINDS.items()}
    return [
        {
            "name": a.name,
            "slug": a.slug,
            "region": a.region or "—",
            "level": levels[a.level],
            "kind": kinds[a.kind],
            "years": "、".join(str(r.year) if r.year else "—" for r in a.reports),
        }
        for a in agencies
    ]


def _year_label(year: int) -> Markup:
    return both(f"{year} 年度", str(year)) if year else both("年度未知", "Year unknown")


def year_files_made(year: int) -> list[str]:
    """What :func:`write_pages` makes of one year alone: its page and its rankings."""
    return [year_list_page(year), *([rankings_file(year)] if year else [])]


def year_key(year: int, keys: list[str], agencies: list[Agency]) -> str:
    """What a year's page and rankings are made of: its reports' folder keys
    (their lines, their context, the code) and its agencies' names and
    regions (its figures count them)."""
    digest = hashlib.sha256(year_list_page(year).encode())
    for key in keys:
        digest.update(key.encode())
    for slug, region in sorted((a.slug, a.region) for a in agencies):
        digest.update(f"\n{slug}\t{region}".encode())
    return digest.hexdigest()


def write_year_pages(writer: Writer, env: Environment, portal: Portal, list_rows: dict[str, str]) -> None:
    """Each year's page: its figures, its downloads and the list of its
    reports (``list_rows``: each report's line, :func:`.render.render_list_row`)."""
    for year, year_reports in portal.by_year():
        if year in portal.kept_years:
            continue
        name = year_list_page(year)
        rows = [portal.figures[r.report_id] for r in year_reports]
        page = render.render_page(
            env,
            "year.html",
            root="",
            path=name,
            base=portal.base,
            stats=added_up(portal.agencies_of(year_reports), [portal.year_figures()[year]["sums"]]),
            year_label=_year_label(year),
            year_label_zh=f"{year} 年度" if year else "年度未知",
            downloads=year_files(year) if year else None,
            list_html=Markup("".join(list_rows[r.report_id] for r in year_reports)),
            count=len(year_reports),
            facets=_facets(year_reports, rows, years=False),
        )
        writer.text(name, page)


def write_pages(
    writer: Writer,
    env: Environment,
    portal: Portal,
    list_rows: dict[str, str],
    catalog: dict[str, str],
    api_entries: dict[str, str],
) -> None:
    """The pages about all the reports (``list_rows``: each report's line of
    a list, :func:`.render.render_list_row`; ``catalog``: its dataset in the
    catalogue, :func:`.metadata.dcat_entry`; ``api_entries``: its entry of
    the JSON index, :func:`api_entry`).  The home page lists them all
    while they are few (:attr:`.Config.home_list_max`); each year's page always lists its own."""
    reports, base = portal.reports, portal.base
    by_year = portal.year_figures()
    figures = added_up(portal.agencies, [made["sums"] for made in by_year.values()])
    common = {"base": base, "stats": figures}
    listed_here = len(reports) <= config.ACTIVE.home_list_max
    rows = [portal.rows[r.report_id] for r in reports] if listed_here else []
    portal_meta = portal_dataset(reports, portal.history)

    def page(name: str, template: str, root: str = "", **values: Any) -> None:
        writer.text(name, render.render_page(env, template, root=root, path=name, **common, **values))

    write_year_pages(writer, env, portal, list_rows)
    page(
        "index.html",
        "index.html",
        rows=rows,
        list_html=Markup("".join(list_rows[r.report_id] for r in reports)) if listed_here else "",
        facets=_facets(reports, rows),
        year_pages=[
            {"page": year_list_page(year), "label": _year_label(year), "count": len(group)}
            for year, group in reversed(portal.by_year())
        ],
        problems=portal.problems,
        years=[made["chart"] for _, made in sorted(by_year.items(), reverse=True) if made["chart"]],
        dataset=portal_meta,
        citation=metadata.citation(portal_meta, base),
        citation_en=metadata.citation_en(portal_meta, base),
        year_downloads=portal.year_downloads,
    )
    page("agencies/index.html", "agencies.html", root="../", agencies=agency_lines(portal.agencies))
    page("compare.html", "compare.html")
    page("about.html", "about.html", templates=list(TEMPLATES.values()))
    page("rankings.html", "rankings.html", years=portal.years)
    page("search.html", "search.html", shards=sorted({search_shard(r.report_id) for r in reports}))
    page(
        "quality.html",
        "quality.html",
        groups=quality_groups(portal.reports, portal.problems),
        flagged=sorted(
            (r for r in reports if r.count("error") or r.count("warning")),
            key=lambda r: (-r.count("error"), -r.count("warning"), r.agency),
        ),
        problems=portal.problems,
    )
    entries, changes = feed_entries(portal, CHANGELOG_MAX)
    page(
        "changelog.html",
        "changelog.html",
        entries=entries,
        total=changes,
        history=portal.history,
        actions=metadata.ACTIONS,
        repository=config.ACTIVE.repository,
    )
    page("404.html", "404.html", root=urlsplit(base).path or "/")
    writer.text("feed.xml", metadata.atom(entries, base, FEED_MAX))
    writer.text(PORTAL_FILES["json"], api_index([api_entries[r.report_id] for r in reports]))
    writer.text(AGENCY_INDEX, api_agencies(portal))
    for year, year_reports in portal.by_year():
        if year and year not in portal.kept_years:
            writer.json(rankings_file(year), api_rankings(year_reports, portal.figures))
    writer.json("api/template.json", api_template())
    datasets = [portal_meta, *(agency_dataset(a, portal.history) for a in portal.agencies)]
    own = [metadata.dcat_entry(d, base) for d in datasets]
    writer.text(
        "catalog.jsonld", metadata.dcat_catalog([*own, *(catalog[r.report_id] for r in reports)], base)
    )
    listed = [
        "index.html",
        "agencies/index.html",
        "data.html",
        "quality.html",
        "changelog.html",
        "compare.html",
        "about.html",
        "rankings.html",
        *(year_list_page(year) for year, _ in portal.by_year()),
    ]
    contexts = (portal.context(r) for r in reports)
    paths = [
        *((p, "") for p in listed),
        *((d.path, d.modified[:10]) for d in datasets[1:]),
        *((c.page, c.modified[:10]) for c in contexts),
    ]
    writer.text("sitemap.xml", metadata.sitemap(paths, base))
    writer.text("robots.txt", metadata.robots(base))


def feed_entries(portal: Portal, limit: int) -> tuple[list[metadata.FeedEntry], int]:
    """The latest ``limit`` changes to the data, newest first, and how many
    there are in all (only the latest are shown: an entry for each of 10,000
    changes cost 0.17 s of an edit)."""
    by_source = {r.source: r for r in portal.reports}
    entries: list[metadata.FeedEntry] = []
    total = 0
    for change in portal.history.changes:
        report = by_source.get(change.source)
        if change.action != "removed" and report is None:
            continue  # a file that is not (or no longer) a report
        total += 1
        if len(entries) < limit:
            name = f"{report.agency}{report.year or ''}年报告" if report else change.source
            entries.append(metadata.FeedEntry(change, name, report_page(report.report_id) if report else ""))
    return entries, total
