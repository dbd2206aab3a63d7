"""Step 4, publish: every page and file of the site, written into a fresh folder.

Each report's folder (package, workbook, JSON, zip, original, page) is
written on every core; then the portal's package, downloads, agency folders,
pages and search index.  A report whose folder cannot be written is named
(:class:`PublishFailed`) so the build can leave it out and write again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .. import cache, config
from ..model import Problem, Report
from ..read import read_regular
from ..summary import Stages
from ..urls import (
    agency_files,
    agency_folder,
    report_folder,
    search_folder,
    search_shard,
    source_name,
    year_folder,
)
from ..workers import KILLED, map_jobs
from . import downloads, joined, metadata, package, phrases, portal, render, search, views
from .history import history
from .validate import Validation, start_changed, start_portal
from .views import ReportContext
from .writer import Writer

STATIC_DIR = render.TEMPLATE_DIR / "static"
# Kept with a report's table lines (nianbao.cache): its line of the lists of
# reports, what the pages about all reports need of it (views.facts), its
# dataset in the DCAT catalogue and its entry of the JSON index.
# Kept as they are (a str, a dict), not as bytes: a rebuild reads them all.
LIST_ROW = "html:list-row"
FACTS = "facts"
CATALOG = "json:catalog"
API_ENTRY = "json:api-index"
# Kept in the cache's parts/ beside the lines: each year's figures and charts (Portal.year_figures).
FIGURES = "figures.pickle"
# And each agency's entry of api/agencies.json (portal.api_agencies).
AGENCY_ENTRIES = "agencies.pickle"
# And where each report's lines are in the portal's CSV files (joined.Index).
TABLES = "tables.pickle"
# A report's lines of the portal's tables, among its kept parts (package.portal_parts).
TABLE_NAMES = frozenset(package.PORTAL_LINES)


@dataclass
class Reuse:
    """What the previous build left that this one may reuse (see :mod:`nianbao.cache`)."""

    previous: Path  # the published site being replaced
    keys: dict[str, str]  # report id or folder -> the key of what it was made of in the previous site
    source_keys: dict[str, str]  # source path -> its cache key (its bytes and the code version)
    written: dict[str, str] = field(default_factory=dict)  # the same for this build
    reused_ids: set[str] = field(default_factory=set)  # report folders taken from the previous site
    validated: bool = False  # the previous site's package passed validation with this code
    # In place: only what changed is written (into a staging folder, then
    # committed piece by piece, nianbao.output.commit); an unchanged folder is
    # left where it is in the previous site.  Otherwise it is hard-linked
    # into a whole new tree.
    in_place: bool = False
    version: str = ""  # the whole code's (nianbao.cache.code_version): part of every folder's key
    kept: set[str] = field(default_factory=set)  # folders left in place
    # Where the search shards' scratch sites are kept from build to build
    # (the cache's search/): an edit writes its own document only.
    search_staging: Path | None = None
    _previous_folders: cache.Listing | None = field(default=None, repr=False)

    @property
    def reused(self) -> int:
        return len(self.reused_ids)

    def keys_of(self, report_ids: list[str]) -> list[str] | None:
        """These reports' folder keys in this build; None when one has none
        (a file the cache could not key), and what is made of them is written afresh."""
        keys = [self.written.get(rid, "") for rid in report_ids]
        return keys if all(keys) else None

    def link(self, writer: Writer, name: str, folder: str, key: str) -> bool:
        """Take ``folder`` from the previous site when what it was made of
        (recorded under ``name``) was ``key``: left in place, or hard-linked
        into the new tree, not written again."""
        if self.keys.get(name) != key:
            return False
        if not self.in_place:
            return writer.reuse(self.previous / folder, folder)
        if self._previous_folders is None:
            self._previous_folders = cache.Listing(self.previous, folders=True)
        parent, _, name = folder.rpartition("/")
        if not self._previous_folders.has(parent, name):
            return False
        self.kept.add(folder)
        return True


def keep_compiled(folder: Path | None) -> None:
    """Keep what the pages are made with (compiled templates, the English
    dictionary) in ``folder`` of the build's cache, or nowhere."""
    render.keep_compiled(folder)


def write_site(
    out: Path,
    content: Path,
    reports: list[Report],
    problems: list[Problem],
    stages: Stages | None = None,
    reuse: Reuse | None = None,
    base_url: str | None = None,
    git: list | None = None,  # the content's git history (nianbao.history.from_git); None: file times
    parts: Path | None = None,  # where the reports' table lines are kept (the cache's, or a scratch folder)
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
    parts = parts if parts is not None else out.parent / f".{out.name}.parts"
    part_files: dict[str, Path] = {}
    kept_entries = cache.Entries(parts)
    jobs = []
    for report in reports:
        context = site.context(report)
        source_key = reuse.source_keys.get(report.source, "") if reuse is not None else ""
        with stages.timed("reuse"):
            key = cache.written_key(source_key, report, repr(context), reuse.version if reuse else "")
        part_files[report.report_id] = cache.entry_path(parts, key)
        if reuse is not None and source_key:  # a file the cache could not key is always written afresh
            reuse.written[report.report_id] = key
            folder = report_folder(report.report_id)
            if kept_entries.has_entry(key) and reuse.link(writer, report.report_id, folder, key):
                reuse.reused_ids.add(report.report_id)
                continue
        jobs.append((out, content, report, context, part_files[report.report_id]))
    failures: dict[str, str] = {}
    for job, (job_stages, error) in zip(
        jobs, map_jobs(_write_report_safely, jobs, _killed_writing), strict=True
    ):
        stages.update(job_stages)
        if error:
            failures[job[2].report_id] = error
    if failures:
        raise PublishFailed(failures)
    # The search index needs the reports' search documents only: staged here,
    # it is made while the rest is written (Pagefind runs in processes of its
    # own, on the other core).
    with stages.timed("search"):
        indexing, keys = _stage_search(writer, reports, reuse, SearchDocuments(reports, part_files))
    background = ThreadPoolExecutor(max_workers=1)
    searching = background.submit(_timed, stages, "search", indexing.run) if indexing else None
    try:
        errors = _write_portal(writer, env, site, problems, stages, reuse, parts, part_files)
    finally:
        background.shutdown(wait=True)
    problem = searching.result() if searching else ""
    if not problem and reuse is not None:
        reuse.written.update(keys)
    return errors, problem


def _timed(stages: Stages, name: str, run: Callable[[], str]) -> str:
    with stages.timed(name):
        return run()


def _write_portal(
    writer: Writer,
    env,
    site: portal.Portal,
    problems: list[Problem],
    stages: Stages,
    reuse: Reuse | None,
    parts: Path,
    part_files: dict[str, Path],
) -> list[str]:
    """Everything about many reports: the portal's package, the years' bundles,
    the agencies' folders and the pages; returns the package's errors."""
    reports = site.reports
    with stages.timed("package"):
        small = _load_parts(parts, part_files)
        site.facts = {rid: part[FACTS] for rid, part in small.items()}
        lines = _write_portal_package(writer, reports, problems, reuse, parts, part_files, small)
        keeping = _keep_index(lines, parts) if reuse is not None else None
    try:
        with stages.timed("package"):
            sheets = SheetLines(part_files, parts if reuse is not None else None)
            sheets.forget_years([year for year, _ in site.by_year()])
        with stages.timed("validate"):
            validation = _start_validation(writer, reports, problems, reuse, lines)
        try:
            # The years' bundles are mostly zlib, which lets go of the interpreter:
            # made on a thread of their own while the agencies and pages are written
            # (and waited for however those end).
            with ThreadPoolExecutor(max_workers=1) as bundling:
                years = [
                    bundling.submit(_write_year, writer, year, year_reports, reuse, lines, sheets)
                    for year, year_reports in site.by_year()
                ]
                _write_agencies_and_pages(writer, env, site, reuse, lines, sheets, stages, sheets.parts)
                with stages.timed("package"):
                    for year in years:
                        year.result()  # what went wrong making a year's bundle stops the build, as before
        except BaseException:
            validation.cancel()
            raise
    finally:
        lines.close()
        if keeping is not None:
            keeping.result()
    with stages.timed("validate"):
        errors = validation.result()
    return errors


def _write_portal_package(
    writer: Writer,
    reports: list[Report],
    problems: list[Problem],
    reuse: Reuse | None,
    parts: Path,
    part_files: dict[str, Path],
    small: dict[str, package.Parts],
) -> joined.Written:
    """The portal's package (``data/``): its CSV files joined from the
    reports' lines, an unchanged report's copied from the last site's files
    where the last build recorded them; returns every report's lines, read
    back from those files."""
    descriptor = package.portal_package(len(reports))
    names = [resource["name"] for resource in descriptor["resources"]]
    index = joined.Index.from_kept(cache.load_snapshot(parts, TABLES)) if reuse is not None else None

    def own(report_id: str) -> package.Parts:
        kept = small[report_id]
        return kept if TABLE_NAMES.issubset(kept) else cache.load_parts(part_files[report_id])

    written = joined.write_tables(
        writer,
        "data",
        names,
        [(r.report_id, part_files[r.report_id].name) for r in reports],
        own,
        package.problem_parts(problems),
        reuse.previous / "data" if reuse is not None else None,
        index,
    )
    writer.json("data/datapackage.json", descriptor, compact=False)
    return joined.Written(writer.root / "data", written, small)


def _keep_index(lines: joined.Written, parts: Path) -> Future[None]:
    """Where each report's lines are in the portal's files, kept for the
    next build with the files' digests, made on a thread of their own."""

    def keep() -> None:
        cache.store_snapshot(parts, joined.signed(lines.index, lines.folder).kept(), TABLES)

    signing = ThreadPoolExecutor(max_workers=1)
    try:
        return signing.submit(keep)
    finally:
        signing.shutdown(wait=False)  # waited for at the portal's end (_write_portal)


def _start_validation(
    writer: Writer,
    reports: list[Report],
    problems: list[Problem],
    reuse: Reuse | None,
    lines: joined.Written,
) -> Validation:
    """Frictionless on the package just written, in a process of its own: on
    the rows of the reports that changed when the last site's package passed
    with this code, otherwise on every row."""
    if reuse is not None and reuse.validated and reuse.reused:
        changed = [lines[r.report_id] for r in reports if r.report_id not in reuse.reused_ids]
        return start_changed(
            package.portal_package(len(reports)),
            [*changed, package.problem_parts(problems)],
            [r.report_id for r in reports],
        )
    return start_portal(writer.root / "data" / "datapackage.json")


def _write_agencies_and_pages(
    writer: Writer,
    env,
    site: portal.Portal,
    reuse: Reuse | None,
    lines: joined.Written,
    sheets: SheetLines,
    stages: Stages,
    kept: Path | None,
) -> None:
    """The agencies' folders, then the pages about all reports (``kept``:
    where the years' figures are kept from build to build, or nowhere)."""
    reports, failures = site.reports, {}
    with stages.timed("agencies"):
        for agency in site.agencies:
            try:
                _write_agency(writer, env, site, agency, reuse, lines, sheets)
            except Exception as exc:  # costs the agency's reports, not the portal
                error = f"机构页（{agency.name}）：{type(exc).__name__}: {exc}"
                failures.update({r.report_id: error for r in agency.reports})
    if failures:
        raise PublishFailed(failures)
    with stages.timed("render"):
        site.kept_years = _kept_years(site, reuse)
        site.kept_figures = portal.Kept(cache.load_snapshot(kept, FIGURES) if kept is not None else {})
        site.kept_agencies = portal.Kept(
            cache.load_snapshot(kept, AGENCY_ENTRIES) if kept is not None else {}
        )
        portal.write_pages(
            writer,
            env,
            site,
            {r.report_id: lines.small[r.report_id][LIST_ROW] for r in reports},
            {r.report_id: lines.small[r.report_id][CATALOG] for r in reports},
            {r.report_id: lines.small[r.report_id][API_ENTRY] for r in reports},
        )
        writer.text("data.html", render.render_data(env, site.base, site.year_downloads))
        for pieces, name in ((site.kept_figures, FIGURES), (site.kept_agencies, AGENCY_ENTRIES)):
            if kept is not None and pieces.changed:
                cache.store_snapshot(kept, pieces.now, name)
    writer.text(".nojekyll", "")


def _kept_years(site: portal.Portal, reuse: Reuse | None) -> set[int]:
    """The years whose page and rankings are left in place: none of their
    reports changed.  Only on a rebuild in place: the files stay where they
    are, as nothing may write into a file hard-linked from the last site."""
    kept: set[int] = set()
    if reuse is None:
        return kept
    for year, reports in site.by_year():
        keys = reuse.keys_of([r.report_id for r in reports])
        if keys is None:
            continue
        key = site.year_keys[year] = portal.year_key(year, keys, site.agencies_of(reports))
        files = portal.year_files_made(year)
        if reuse.in_place and all(
            reuse.keys.get(f) == key and os.path.isfile(f"{reuse.previous}/{f}") for f in files
        ):
            reuse.kept.update(files)
            kept.add(year)
        reuse.written.update(dict.fromkeys(files, key))
    return kept


class SheetLines(Mapping[str, Mapping[str, bytes]]):
    """Report id -> its kept lines of the long sheets (:func:`.downloads.report_lines`),
    read when a workbook asks; empty when they cannot be read (then written again)."""

    def __init__(self, part_files: dict[str, Path], parts: Path | None = None):
        self.part_files = part_files
        self.parts = parts  # where a year's are kept together (the cache's parts/), or nowhere

    def __getitem__(self, report_id: str) -> Mapping[str, bytes]:
        try:
            return cache.load_parts(cache.sheets_path(self.part_files[report_id]))
        except (OSError, pickle.PickleError, EOFError, ValueError):
            return {}

    def of_year(self, year: int, reports: list[Report]) -> Mapping[str, Mapping[str, bytes]]:
        """The lines of a year's reports, from the year's snapshot of them
        where it has them: one read, not one file a report (1,600 files took
        1.1 s of an edit at 10,000 reports); the others from their files, and
        kept again in one snapshot when many were not in it."""
        if self.parts is None:
            return self
        name = year_sheets_name(year)
        known = cache.load_snapshot(self.parts, name)
        lines: dict[str, Mapping[str, bytes]] = {}
        now: dict[str, Mapping[str, bytes]] = {}
        for report in reports:
            entry = self.part_files[report.report_id].name
            found = known.get(entry) or self[report.report_id]
            lines[report.report_id] = found
            if found:  # lines that could not be read are written afresh, and not kept
                now[entry] = found
        if cache.snapshot_outdated(known.keys(), now.keys()):
            cache.store_snapshot(self.parts, now, name)
        return lines

    def forget_years(self, years: list[int]) -> None:
        """Drop the snapshots of years that no longer have reports."""
        if self.parts is None or not self.parts.is_dir():
            return
        wanted = {year_sheets_name(year) for year in years}
        for entry in os.scandir(self.parts):
            if entry.name.startswith("sheets-") and entry.name not in wanted:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)

    def __iter__(self) -> Iterator[str]:
        return iter(self.part_files)

    def __len__(self) -> int:
        return len(self.part_files)


def year_sheets_name(year: int) -> str:
    return f"sheets-{year}.pickle"


def _load_parts(parts: Path, part_files: dict[str, Path]) -> dict[str, package.Parts]:
    """Every report's kept parts but its table lines (its lines of the lists,
    facts, catalogue and index entries), from the last build's snapshot of
    them where it has them (one read, not one per report), the others from
    their own files (whole: their table lines are written from them); kept
    again in one snapshot when many were not in it.  The table lines stay
    out of it: the portal's files are copied from the last site's
    (:mod:`.joined`), and the snapshot is a quarter of the size."""
    known = cache.load_snapshot(parts)
    lines = {rid: known.get(path.name) or cache.load_parts(path) for rid, path in part_files.items()}
    if cache.snapshot_outdated(known.keys(), [path.name for path in part_files.values()]):
        now = {
            path.name: {name: value for name, value in lines[rid].items() if name not in TABLE_NAMES}
            for rid, path in part_files.items()
        }
        cache.store_snapshot(parts, now)
    return lines


class SearchDocuments:
    """Report id -> its search document (:func:`.render.render_search_document`),
    as kept where the report was written, or made again when it cannot be read."""

    def __init__(self, reports: list[Report], part_files: dict[str, Path]):
        self.reports = {r.report_id: r for r in reports}
        self.part_files = part_files

    def __call__(self, report_id: str) -> bytes:
        try:
            return cache.search_path(self.part_files[report_id]).read_bytes()
        except OSError:
            return render.render_search_document(render.environment(), self.reports[report_id]).encode()


def _stage_search(
    writer: Writer, reports: list[Report], reuse: Reuse | None, documents: SearchDocuments
) -> tuple[search.Indexing | None, dict[str, str]]:
    """The search index's shards to make again, staged (:class:`.search.Indexing`;
    None when none is), and every shard's key: a shard none of whose reports
    changed is taken from the last site as it is (see :mod:`.search`)."""
    shards: dict[str, list[str]] = {}
    for report in reports:
        shards.setdefault(search_shard(report.report_id), []).append(report.report_id)
    todo: dict[str, list[str]] = {}
    keys: dict[str, str] = {}
    document_keys: dict[str, dict[str, str]] = {}  # shard -> its reports' keys, where all are known
    for shard, ids in shards.items():
        folder = search_folder(shard)
        written = reuse.keys_of(ids) if reuse is not None else None
        if reuse is not None and written is not None:
            keys[folder] = hashlib.sha256(
                "\n".join(f"{rid} {key}" for rid, key in sorted(zip(ids, written, strict=True))).encode()
            ).hexdigest()
            if reuse.link(writer, folder, folder, keys[folder]):
                reuse.written[folder] = keys[folder]
                continue
            document_keys[shard] = dict(zip(ids, written, strict=True))
        todo[shard] = ids
    if not todo:
        return None, keys
    staging = reuse.search_staging if reuse is not None else None
    return search.Indexing(writer.root, todo, documents, staging, document_keys), keys


def _write_year(
    writer: Writer,
    year: int,
    reports: list[Report],
    reuse: Reuse | None,
    lines: joined.Written,
    sheets: SheetLines,
) -> None:
    """A year's workbook and zip, taken from the previous site when none of its reports changed."""
    folder = year_folder(year)
    keys = reuse.keys_of([r.report_id for r in reports]) if reuse is not None else None
    if reuse is not None and keys is not None:
        key = hashlib.sha256("\n".join([folder, *keys]).encode()).hexdigest()
        reuse.written[folder] = key
        if reuse.link(writer, folder, folder, key):
            return
    portal.write_year(writer, year, reports, lines, sheets.of_year(year, reports))


def _write_agency(
    writer: Writer,
    env,
    site: portal.Portal,
    agency,
    reuse: Reuse | None,
    lines: joined.Written,
    sheets: SheetLines,
) -> None:
    """An agency's folder, taken from the previous site when none of its reports changed."""
    folder = agency_folder(agency.slug)
    keys = reuse.keys_of([r.report_id for r in agency.reports]) if reuse is not None else None
    if reuse is not None and keys is not None:
        key = site.agency_keys[agency.slug] = portal.agency_key(agency, keys, site)
        reuse.written[folder] = key
        if reuse.link(writer, folder, folder, key):
            return
    portal.write_agency(writer, env, site, agency, lines, sheets)


class PublishFailed(Exception):
    """Some reports could not be written: report id -> what went wrong.

    The build leaves them out (listed as unreadable, with the reason) and
    writes the site again without them, so that no page links to them."""

    def __init__(self, failures: dict[str, str]):
        super().__init__(failures)
        self.failures = failures


def _killed_writing(job) -> tuple[Stages, str]:
    return Stages(), KILLED


def _write_report_safely(job: tuple[Path, Path, Report, ReportContext, Path]) -> tuple[Stages, str]:
    """:func:`_write_report`, with what went wrong instead of an exception."""
    try:
        return _write_report(job), ""
    except Exception as exc:
        return Stages(), f"{type(exc).__name__}: {exc}"


def _write_report(job: tuple[Path, Path, Report, ReportContext, Path]) -> Stages:
    """One report's folder: its page, its package (data inline) and its original
    (run in a worker process); and its lines of the portal's tables, kept aside."""
    out, content, report, context, parts_file = job
    stages = Stages()
    writer = Writer(out)
    folder = report_folder(report.report_id)
    with stages.timed("package"):
        data_package = writer.json(f"{folder}/datapackage.json", package.report_package(report, context.page))
        parts = package.portal_parts(report, context.page)
        cache.store_parts(cache.sheets_path(parts_file), downloads.report_lines(report))
    with stages.timed("render"):
        facts = views.facts(report)
        # As JSON text: 10,000 reports' facts unpickled as objects took 0.15 s
        # of every rebuild, which reads the few it needs (Portal.figures).
        parts[FACTS] = json.dumps(facts, ensure_ascii=False, separators=(",", ":"))
        facts = json.loads(parts[FACTS])  # the list line is made of what is kept, as elsewhere
        parts[LIST_ROW] = render.render_list_row(render.environment(), {"report": report, **facts})
        parts[CATALOG] = metadata.dcat_entry(views.report_dataset(report, context), context.base)
        parts[API_ENTRY] = portal.api_entry(report, facts, context.agency_page)
        document = render.render_search_document(render.environment(), report)
    cache.write_whole(cache.search_path(parts_file), document.encode())
    cache.store_parts(parts_file, parts)  # last: the entry stands for what is kept beside it
    original = source_name(report.source)
    with stages.timed("write"):
        raw = read_regular(content / report.source, config.LIMITS.binary_bytes)
        writer.binary(f"{folder}/{original}", raw)
    kind = views.original_kind(report.source)
    links = [
        render.Download(
            "datapackage.json",
            "datapackage.json",
            (
                "本报告的数据包：表二、表三（官方版式）、表四、指标和问题，数据在文件内（Frictionless，JSON）",
                "This report's data package, data inline (Frictionless, JSON)",
            ),
        ),
        render.Download(original, views.download_name(report, original), kind, views.file_size(len(raw))),
    ]
    if context.agency_slug:
        files = agency_files(context.agency_slug)
        links += [
            render.Download(
                f"../../{files['xlsx']}",
                PurePosixPath(files["xlsx"]).name,
                (
                    "本机构各年度（含本报告）的 Excel 工作簿，表三为官方版式",
                    "The agency's workbook, all years",
                ),
            ),
            render.Download(
                f"../../{files['zip']}",
                PurePosixPath(files["zip"]).name,
                ("本机构各年度的 CSV 数据包（压缩包，含 SHA256SUMS）", "The agency's CSV package, zipped"),
            ),
        ]
    with stages.timed("render"):
        page = render.render_report(
            render.environment(),
            report,
            context,
            links,
            hashlib.sha256(data_package.read_bytes()).hexdigest(),
        )
    with stages.timed("write"):
        writer.text(f"{folder}/index.html", page)
    return stages
