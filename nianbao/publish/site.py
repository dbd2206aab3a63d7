"""Step 4, publish: every page and file of the site, written into a fresh folder.

Each report's folder (package, workbook, JSON, zip, original, page) is
written on every core; then the portal's package, downloads, agency folders,
pages and search index.  A report whose folder cannot be written is named
(:class:`PublishFailed`) so the build can leave it out and write again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .. import cache, config
from ..model import Problem, Report
from ..read import read_regular
from ..summary import Stages
from ..urls import agency_folder, report_files, report_folder, source_name
from ..workers import KILLED, map_jobs
from . import downloads, metadata, package, phrases, portal, render, search
from .history import history
from .validate import validate_changed, validate_package
from .views import ReportContext
from .writer import Writer

STATIC_DIR = render.TEMPLATE_DIR / "static"


@dataclass
class Reuse:
    """What the previous build left that this one may reuse (see :mod:`nianbao.cache`)."""

    previous: Path  # the published site being replaced
    keys: dict[str, str]  # report id -> key of its folder in the previous site
    source_keys: dict[str, str]  # source path -> its cache key (its bytes and the code version)
    written: dict[str, str] = field(default_factory=dict)  # the same for this build
    reused_ids: set[str] = field(default_factory=set)  # report folders taken from the previous site
    validated: bool = False  # the previous site's package passed validation with this code

    @property
    def reused(self) -> int:
        return len(self.reused_ids)


def write_site(
    out: Path,
    content: Path,
    reports: list[Report],
    problems: list[Problem],
    stages: Stages | None = None,
    reuse: Reuse | None = None,
    base_url: str | None = None,
    git: list | None = None,  # the content's git history (nianbao.history.from_git); None: file times
) -> tuple[list[str], str]:
    """Write every page and file into ``out``.

    Returns the package errors and why search is unavailable ("" when it is not)."""
    stages = stages if stages is not None else Stages()
    env = render.environment()
    writer = Writer(out)
    writer.copy_tree(STATIC_DIR, "static")
    writer.text("static/en.js", phrases.script())
    with stages.timed("history"):
        changes = history(content, [r.source for r in reports], git)
    site = portal.Portal(reports, problems, changes, metadata.base_url(base_url))
    jobs = []
    for report in reports:
        context = site.context(report)
        if reuse is not None:
            source_key = reuse.source_keys.get(report.source)
            with stages.timed("reuse"):
                if not source_key:  # a file the cache could not key is always written afresh
                    jobs.append((out, content, report, context))
                    continue
                key = cache.written_key(source_key, report, repr(context))
                reuse.written[report.report_id] = key
                folder = report_folder(report.report_id)
                if reuse.keys.get(report.report_id) == key and writer.reuse(reuse.previous / folder, folder):
                    reuse.reused_ids.add(report.report_id)
                    continue
        jobs.append((out, content, report, context))
    failures: dict[str, str] = {}
    for job, (job_stages, error) in zip(
        jobs, map_jobs(_write_report_safely, jobs, _killed_writing), strict=True
    ):
        stages.update(job_stages)
        if error:
            failures[job[2].report_id] = error
    if failures:
        raise PublishFailed(failures)
    with stages.timed("package"):
        package.gather_package(
            writer,
            "data",
            package.portal_package(len(reports)),
            (out / report_folder(r.report_id) / "data" for r in reports),
            problems,
        )
        portal.write_downloads(writer, site)
    with stages.timed("agencies"):
        for agency in site.agencies:
            try:
                _write_agency(writer, env, site, agency, reuse)
            except Exception as exc:  # costs the agency's reports, not the portal
                error = f"机构页（{agency.name}）：{type(exc).__name__}: {exc}"
                failures.update({r.report_id: error for r in agency.reports})
    if failures:
        raise PublishFailed(failures)
    with stages.timed("render"):
        portal.write_pages(writer, env, site)
        writer.text("data.html", render.render_data(env, site.base))
    writer.text(".nojekyll", "")
    with stages.timed("validate"):
        if reuse is not None and reuse.validated and reuse.reused:
            errors = validate_changed(out / "data" / "datapackage.json", reuse.reused_ids)
        else:
            errors = validate_package(out / "data" / "datapackage.json")
    with stages.timed("search"):
        search = _search_index(writer, reports, site, reuse)
    return errors, search


def _search_index(writer: Writer, reports: list[Report], site: portal.Portal, reuse: Reuse | None) -> str:
    """Pagefind indexes only the report and agency pages (``data-pagefind-body``):
    when none of their folders changed, last build's index is the same bytes."""
    key = ""
    if reuse is not None:
        folders = [r.report_id for r in reports] + [agency_folder(a.slug) for a in site.agencies]
        if all(reuse.written.get(f) for f in folders):
            key = hashlib.sha256(
                "\n".join(f"{f} {reuse.written[f]}" for f in sorted(folders)).encode()
            ).hexdigest()
        if (
            key
            and reuse.keys.get("pagefind") == key
            and writer.reuse(reuse.previous / "pagefind", "pagefind")
        ):
            reuse.written["pagefind"] = key
            return ""
    problem = search.index_search(writer.root)
    if key and not problem and reuse is not None:
        reuse.written["pagefind"] = key
    return problem


def _write_agency(writer: Writer, env, site: portal.Portal, agency, reuse: Reuse | None) -> None:
    """An agency's folder, taken from the previous site when none of its reports changed."""
    folder = agency_folder(agency.slug)
    keys = [reuse.written.get(r.report_id, "") for r in agency.reports] if reuse else []
    if reuse is None or not all(keys):
        portal.write_agency(writer, env, site, agency)
        return
    key = portal.agency_key(agency, keys, site)
    reuse.written[folder] = key
    if reuse.keys.get(folder) == key and writer.reuse(reuse.previous / folder, folder):
        return
    portal.write_agency(writer, env, site, agency)


class PublishFailed(Exception):
    """Some reports could not be written: report id -> what went wrong.

    The build leaves them out (listed as unreadable, with the reason) and
    writes the site again without them, so that no page links to them."""

    def __init__(self, failures: dict[str, str]):
        super().__init__(failures)
        self.failures = failures


def _killed_writing(job) -> tuple[Stages, str]:
    return Stages(), KILLED


def _write_report_safely(job: tuple[Path, Path, Report, ReportContext]) -> tuple[Stages, str]:
    """:func:`_write_report`, with what went wrong instead of an exception."""
    try:
        return _write_report(job), ""
    except Exception as exc:
        return Stages(), f"{type(exc).__name__}: {exc}"


def _write_report(job: tuple[Path, Path, Report, ReportContext]) -> Stages:
    """One report's package, workbook, JSON, zip, source copy and page (run in a worker process)."""
    out, content, report, context = job
    stages = Stages()
    writer = Writer(out)
    folder = report_folder(report.report_id)
    rid = report.report_id
    files = report_files(rid)
    with stages.timed("package"):
        tables = package.report_tables(report, context.page)
        written = package.write_package(
            writer, f"{folder}/data", package.report_package(report), tables, compact=True
        )
        book = downloads.report_workbook(report)
        document = downloads.report_document(report, files)
        bundle = downloads.bundle(rid, {f"data/{p.name}": p.read_bytes() for p in written})
    original = source_name(report.source)
    with stages.timed("write"):
        writer.binary(
            f"{folder}/{original}", read_regular(content / report.source, config.LIMITS.binary_bytes)
        )
        writer.binary(f"{folder}/{rid}.xlsx", book)
        writer.binary(f"{folder}/{rid}.zip", bundle)
        writer.json(f"{folder}/report.json", document)
    links = [
        (
            f"{rid}.xlsx",
            f"{rid}.xlsx",
            ("Excel 工作簿：表二、表三（官方版式）、表四、指标、问题", "Excel workbook"),
        ),
        (
            "data/requests_wide.csv",
            "requests_wide.csv",
            ("表三，官方 25 × 7 版式", "Table 3, official layout"),
        ),
        ("data/requests.csv", "requests.csv", ("表三，长表", "Table 3, long")),
        ("data/reviews.csv", "reviews.csv", ("表四，长表", "Table 4, long")),
        ("data/proactive.csv", "proactive.csv", ("表二，长表", "Table 2, long")),
        ("data/indicators.csv", "indicators.csv", ("派生指标", "Derived indicators")),
        ("data/quality.csv", "quality.csv", ("核对发现的问题", "Findings")),
        (
            "data/datapackage.json",
            "datapackage.json",
            ("Frictionless 数据包（含字段说明）", "Frictionless data package"),
        ),
        ("report.json", "report.json", ("JSON：本报告的全部数据", "JSON: all of this report")),
        (
            f"{rid}.zip",
            f"{rid}.zip",
            (
                "数据包（datapackage.json 与各 CSV）的压缩包，含 SHA256SUMS",
                "The data package zipped, with SHA256SUMS",
            ),
        ),
        (original, original, ("原始文件", "Original file")),
    ]
    with stages.timed("render"):
        page = render.render_report(
            render.environment(), report, context, links, hashlib.sha256(bundle).hexdigest()
        )
    with stages.timed("write"):
        writer.text(f"{folder}/index.html", page)
    return stages
