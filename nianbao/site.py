"""The pipeline: content folder -> read -> parse -> check -> package -> render -> site.

:func:`build` is the whole public API of a build.  A file that cannot be read
or is not a report becomes a :class:`~nianbao.model.Problem` and the build goes
on; the output is written to a fresh folder and swapped in only when it is
complete, so a failed build never leaves a half-written site behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

from . import cache, downloads, metadata, package, portal, render
from .check import check
from .crosscheck import crosscheck
from .files import Refused, read_regular, too_large, why_not_regular
from .history import from_git, history
from .model import Problem, Report
from .parse import parse, report_id_for
from .read import ReadError, read_source
from .titles import GENERIC_STEMS
from .validate import validate_changed, validate_package

# Above these sizes a file is not one annual report (text runs to a few
# hundred KB, PDFs with scanned pages to tens of MB): skipped, with a message.
MAX_TEXT_BYTES = 10 * 1024 * 1024
MAX_BINARY_BYTES = 100 * 1024 * 1024
SUFFIXES = {".txt", ".text", ".md", ".markdown", ".tsv", ".pdf", ".html", ".htm", ".docx"}
STATIC_DIR = render.TEMPLATE_DIR / "static"


class Stages(Counter):
    """Seconds spent in each step of the pipeline, for the summary and the benchmark."""

    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self[name] += time.perf_counter() - started

    def line(self) -> str:
        order = (
            "reuse",
            "read",
            "parse",
            "check",
            "crosscheck",
            "history",
            "package",
            "agencies",
            "render",
            "write",
            "validate",
            "search",
        )
        return ", ".join(f"{name} {self[name]:.2f} s" for name in order if name in self)


@dataclass
class Summary:
    output: Path
    reports: list[Report] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    package_errors: list[str] = field(default_factory=list)
    strict: bool = False
    published: bool = True  # False when --strict refused to replace the site
    stages: Stages = field(default_factory=Stages)
    cached: int = 0  # files taken from the cache instead of being read and parsed
    reused: int = 0  # report folders taken from the previous site instead of being written
    search: str = ""  # why full-text search is unavailable, if it is
    size: int = 0  # bytes published
    files: int = 0  # files published
    up_to_date: bool = False  # nothing changed since the last build: the site was left as it was
    recorded: dict = field(default_factory=dict)  # that build's counts, when up to date

    def record(self) -> dict:
        """The counts :meth:`lines` prints, kept so an unchanged rebuild can say them again."""
        return {
            "reports": len(self.reports),
            "findings": dict(self.findings()),
            "problems": [[p.source, p.report_id, p.message, p.code] for p in self.problems],
            "package_errors": self.package_errors,
            "search": self.search,
            "size": self.size,
            "files": self.files,
        }

    @classmethod
    def unchanged(cls, output: Path, strict: bool, recorded: dict) -> Summary:
        summary = cls(output, strict=strict, up_to_date=True, recorded=recorded)
        summary.problems = [Problem(*p) for p in recorded["problems"]]
        summary.package_errors = recorded["package_errors"]
        summary.search, summary.size, summary.files = recorded["search"], recorded["size"], recorded["files"]
        return summary

    @property
    def strict_failures(self) -> int:
        """What --strict refuses: error findings and files that could not be read."""
        return self.findings()["error"] + len(self.problems)

    def findings(self) -> Counter[str]:
        counts: Counter[str] = Counter({"error": 0, "warning": 0, "info": 0})
        if self.up_to_date:
            counts.update(self.recorded["findings"])
            return counts
        for report in self.reports:
            counts.update(f.severity for f in report.findings)
        return counts

    def lines(self) -> list[str]:
        f = self.findings()
        built = self.recorded["reports"] if self.up_to_date else len(self.reports)
        out = [
            f"报告 reports built: {built}",
            f"问题 findings: {f['error']} error, {f['warning']} warning, {f['info']} info",
            f"无法读取 unreadable files: {len(self.problems)}",
        ]
        out += [f"  - {p.source}: {p.message}" for p in self.problems]
        if self.package_errors:
            out.append("数据包校验失败 data package INVALID:")
            out += [f"  - {e}" for e in self.package_errors]
        else:
            out.append("数据包校验 data package: valid")
        if self.up_to_date:
            out.append(
                f"用时 time: {self.seconds:.2f} s (无变化 nothing changed since the last build: site left as it was)"
            )
        else:
            out.append(f"用时 time: {self.seconds:.2f} s ({self.stages.line()})")
        out.append(size_line(self.size, self.files))
        if self.search:
            out.append(self.search)
        if self.cached or self.reused:
            out.append(
                f"增量 incremental: {self.cached} files from the cache, {self.reused} report folders reused"
            )
        if not self.published:
            out.append(
                f"严格模式 --strict: {self.strict_failures} 个 error 或无法读取的文件，站点未更新 "
                f"(the previous site at {self.output} is unchanged)"
            )
        else:
            out.append(f"站点 site: {self.output}/index.html")
        return out


# GitHub Pages publishes at most 1 GB; warn well before a deploy would fail.
SIZE_BUDGET = 1024**3
SIZE_WARNING = 0.8


def site_size(folder: Path) -> tuple[int, int]:
    """Bytes and files in a built site (hard links to the previous site count in full)."""
    size = count = 0
    for root, _, names in os.walk(folder):
        for name in names:
            size += os.stat(os.path.join(root, name)).st_size
            count += 1
    return size, count


def size_line(size: int, files: int) -> str:
    share = size / SIZE_BUDGET
    line = f"大小 size: {size / 1024 / 1024:.1f} MiB in {files:,} files ({share:.1%} of the 1 GiB GitHub Pages budget)"
    if share >= 1:
        line += " — 超出预算 OVER BUDGET: GitHub Pages will refuse this site"
    elif share >= SIZE_WARNING:
        line += " — 接近预算 close to the budget"
    return line


# The folder a browser's "save page, complete" puts beside NAME.html.
_PAGE_PARTS = ("{}_files", "{}.files", "{}-files", "{} files", "{}_archivos", "{}-Dateien")
# Files that are never reports: the pictures, styles and scripts of a saved page,
# and the link lists crawlers keep beside a page.
_PART_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp", ".css", ".js", ".json", ".ico"}
_PART_NAMES = {"links.tsv", "links.txt", "meta.json", "headers.txt"}


def discover(content: Path) -> list[Path]:
    """Every report file under the content folder, in a stable order (see :func:`survey`)."""
    return survey(content)[0]


def survey(content: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The content folder's report files, and what is refused, with the reason.

    Only regular files are read: symbolic links (which may lead out of the
    folder), FIFOs, devices and sockets are refused, as are hidden files
    (``.x.txt``: a name starting with a dot is easily missed in a review);
    hidden folders (``.git``) are not content and are passed over.  A web
    page saved "complete" (``page.html`` beside ``page_files/``) is one
    report: the folder of its parts is not read.  In a folder that holds a
    page saved under a generic name (``page.html``, ``page.txt``), the
    pictures, styles and link lists beside it are its parts too.
    """
    files: list[Path] = []
    refused: list[tuple[Path, str]] = []
    for root, dirs, names in os.walk(content):
        pages = [n for n in names if n.lower().endswith((".html", ".htm"))]
        parts = {form.format(n.rsplit(".", 1)[0]) for n in pages for form in _PAGE_PARTS}
        for d in sorted(dirs):
            if not d.startswith(".") and os.path.islink(os.path.join(root, d)):
                refused.append((Path(root) / d, why_not_regular(stat.S_IFLNK)))
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in parts)
        names = sorted(names)
        if any(n.rsplit(".", 1)[0].lower() in GENERIC_STEMS for n in names):  # a saved page's folder
            names = [n for n in names if not _is_part(n)]
        for name in names:
            path = Path(root) / name
            if name.startswith("."):
                refused.append((path, "是隐藏文件（文件名以 . 开头），已跳过：如果它是报告，请去掉开头的点"))
                continue
            reason = why_not_regular(os.lstat(path).st_mode)
            if reason:
                refused.append((path, reason))
            else:
                files.append(path)
    return files, refused


def _is_part(name: str) -> bool:
    lower = name.lower()
    return lower in _PART_NAMES or ("." + lower.rsplit(".", 1)[-1]) in _PART_SUFFIXES


def load(
    path: Path, relative: str, stages: Stages | None = None, data: bytes | None = None
) -> Report | Problem:
    """Read, parse and check one file (``data``: its bytes, if already read); never raises."""
    stages = stages if stages is not None else Stages()
    report_id = report_id_for(relative, {})
    if path.suffix.lower() in (".doc", ".wps"):
        return Problem(
            relative,
            report_id,
            "旧版 Word/WPS 文件无法直接读取：请用 Word 或 WPS 另存为 .docx",
            "unsupported",
        )
    if path.suffix.lower() not in SUFFIXES:
        return Problem(
            relative,
            report_id,
            f"不支持的文件类型「{path.suffix or '无扩展名'}」：可读取 .txt .md .tsv .html .pdf .docx",
            "unsupported",
        )
    try:
        limit = MAX_BINARY_BYTES if path.suffix.lower() in (".pdf", ".docx") else MAX_TEXT_BYTES
        if data is not None and len(data) > limit:
            raise Refused(too_large(len(data), limit), "too_large")
        with stages.timed("read"):
            source = read_source(relative, read_regular(path, limit) if data is None else data)
        with stages.timed("parse"):
            report = parse(source)
    except Refused as exc:
        return Problem(relative, report_id, str(exc), exc.code)
    except ReadError as exc:
        return Problem(relative, report_id, str(exc))
    except OSError as exc:
        return Problem(relative, report_id, f"无法打开文件：{exc.strerror}")
    except Exception as exc:
        return Problem(
            relative, report_id, f"解析时出错（{type(exc).__name__}: {exc}），请报告此问题", "parse_failed"
        )
    if not _has_numbers(report):
        return Problem(
            relative,
            report.report_id,
            "没有找到年度报告的表格（表三、表四），不像是政府信息公开工作年度报告",
            "not_a_report",
        )
    if report.year is None:
        return Problem(
            relative,
            report.report_id,
            "没有找到报告的年度（标题、正文的统计期限、文件名和发布日期里都没有）：请在 front matter 写明 year",
            "year_unknown",
        )
    with stages.timed("check"):
        try:
            return check(report)
        except Exception as exc:  # a bug in a check must not cost the report its numbers
            report.add("error", "check_failed", f"核对时出错（{type(exc).__name__}: {exc}），核对结果不完整")
            return report


def _has_numbers(report: Report) -> bool:
    cells = [*report.requests.values(), *report.reviews.values()]
    return any(c.value is not None for c in cells)


def _unique_ids(reports: list[Report]) -> None:
    """Two files may yield one id (same name in two folders): keep both.

    An id given in front matter always keeps its URL; among reports whose
    ids came from their file names, the first by path keeps it.  The others
    get a suffix from their own path, so it does not change when files come
    and go.
    """
    groups: dict[str, list[Report]] = {}
    for report in reports:
        groups.setdefault(report.report_id, []).append(report)
    for old, group in groups.items():
        if len(group) < 2:
            continue
        keeper = min(group, key=lambda r: (r.metadata_origin.get("id") != "front matter", r.source))
        for report in group:
            if report is keeper:
                continue
            suffix = hashlib.sha1(report.source.encode()).hexdigest()[:6]
            report.report_id = f"{old}-{suffix}"
            report.add(
                "warning",
                "duplicate_id",
                f"编号「{old}」已由 {keeper.source} 使用，本报告改用「{report.report_id}」",
                table="report",
            )


def _flag_duplicates(reports: list[Report]) -> None:
    """Two reports of one agency and year are both published, but only one is
    counted in the portal's figures: the one with the fewest errors, then the
    one with the most front matter, then the first by path."""
    by_key: dict[tuple[str, int | None], list[Report]] = {}
    for report in reports:
        by_key.setdefault((report.agency, report.year), []).append(report)
    for (agency, year), group in by_key.items():
        if len(group) < 2 or not agency:
            continue
        counted = min(group, key=lambda r: (r.count("error"), -len(r.metadata_origin), r.source))
        for report in group:
            others = "、".join(r.source for r in group if r is not report)
            if report is not counted:
                report.duplicate_of = counted.report_id
            how = "计入全国数字" if report is counted else f"不计入全国数字（计入的是 {counted.source}）"
            report.add(
                "warning",
                "duplicate_report",
                f"{agency}{year}年有不止一份报告（另见 {others}），都已保留；本报告{how}",
                table="report",
            )


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
    shutil.copytree(STATIC_DIR, out / "static")
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
                folder = Path("reports") / report.report_id
                if reuse.keys.get(report.report_id) == key and cache.reuse_folder(
                    reuse.previous / folder, out / folder
                ):
                    reuse.reused_ids.add(report.report_id)
                    continue
        jobs.append((out, content, report, context))
    failures: dict[str, str] = {}
    for job, (job_stages, error) in zip(jobs, _map(_write_report_safely, jobs, _killed_writing), strict=True):
        stages.update(job_stages)
        if error:
            failures[job[2].report_id] = error
    if failures:
        raise PublishFailed(failures)
    with stages.timed("package"):
        package.gather_package(
            out / "data",
            package.portal_package(len(reports)),
            (out / "reports" / r.report_id / "data" for r in reports),
            problems,
        )
        portal.write_downloads(out, site)
    with stages.timed("agencies"):
        for agency in site.agencies:
            try:
                _write_agency(out, env, site, agency, reuse)
            except Exception as exc:  # costs the agency's reports, not the portal
                error = f"机构页（{agency.name}）：{type(exc).__name__}: {exc}"
                failures.update({r.report_id: error for r in agency.reports})
    if failures:
        raise PublishFailed(failures)
    with stages.timed("render"):
        portal.write_pages(out, env, site)
        (out / "data.html").write_text(render.render_data(env, site.base), encoding="utf-8")
    (out / ".nojekyll").write_text("", encoding="utf-8")
    with stages.timed("validate"):
        if reuse is not None and reuse.validated and reuse.reused:
            errors = validate_changed(out / "data" / "datapackage.json", reuse.reused_ids)
        else:
            errors = validate_package(out / "data" / "datapackage.json")
    with stages.timed("search"):
        search = _search_index(out, reports, site, reuse)
    return errors, search


def _search_index(out: Path, reports: list[Report], site: portal.Portal, reuse: Reuse | None) -> str:
    """Pagefind indexes only the report and agency pages (``data-pagefind-body``):
    when none of their folders changed, last build's index is the same bytes."""
    key = ""
    if reuse is not None:
        folders = [r.report_id for r in reports] + [f"agencies/{a.slug}" for a in site.agencies]
        if all(reuse.written.get(f) for f in folders):
            key = hashlib.sha256(
                "\n".join(f"{f} {reuse.written[f]}" for f in sorted(folders)).encode()
            ).hexdigest()
        if (
            key
            and reuse.keys.get("pagefind") == key
            and cache.reuse_folder(reuse.previous / "pagefind", out / "pagefind")
        ):
            reuse.written["pagefind"] = key
            return ""
    problem = portal.index_search(out)
    if key and not problem:
        reuse.written["pagefind"] = key
    return problem


def _write_agency(out: Path, env, site: portal.Portal, agency, reuse: Reuse | None) -> None:
    """An agency's folder, taken from the previous site when none of its reports changed."""
    folder = Path("agencies") / agency.slug
    keys = [reuse.written.get(r.report_id, "") for r in agency.reports] if reuse else []
    if reuse is None or not all(keys):
        portal.write_agency(out, env, site, agency)
        return
    key = portal.agency_key(agency, keys, site)
    reuse.written[folder.as_posix()] = key
    if reuse.keys.get(folder.as_posix()) == key and cache.reuse_folder(reuse.previous / folder, out / folder):
        return
    portal.write_agency(out, env, site, agency)


# Originals that a browser would run on the portal's own origin: published
# with ".txt" added, so they are shown as text or downloaded, never run.
ACTIVE_SUFFIXES = {".html", ".htm", ".xhtml", ".xht", ".svg", ".xml", ".shtml", ".mht", ".mhtml"}


def published_source_name(source: str) -> str:
    """The name a report's original is published under in its folder."""
    suffix = Path(source).suffix.lower()
    return "source" + suffix + (".txt" if suffix in ACTIVE_SUFFIXES or not suffix else "")


class PublishFailed(Exception):
    """Some reports could not be written: report id -> what went wrong.

    The build leaves them out (listed as unreadable, with the reason) and
    writes the site again without them, so that no page links to them."""

    def __init__(self, failures: dict[str, str]):
        super().__init__(failures)
        self.failures = failures


KILLED = "处理这个文件的进程被系统终止了两次（可能内存不足，或文件触发了程序库的崩溃）"


def _killed_writing(job) -> tuple[Stages, str]:
    return Stages(), KILLED


def _killed_loading(job) -> tuple[Problem, Stages, str, bool]:
    _, relative, _, _, key = job
    return Problem(relative, report_id_for(relative, {}), KILLED + "，已跳过", "killed"), Stages(), key, False


def _write_report_safely(job: tuple[Path, Path, Report, portal.ReportContext]) -> tuple[Stages, str]:
    """:func:`_write_report`, with what went wrong instead of an exception."""
    try:
        return _write_report(job), ""
    except Exception as exc:
        return Stages(), f"{type(exc).__name__}: {exc}"


_ENV = None


def _write_report(job: tuple[Path, Path, Report, portal.ReportContext]) -> Stages:
    """One report's package, workbook, JSON, zip, source copy and page (run in a worker process)."""
    global _ENV
    out, content, report, context = job
    _ENV = _ENV or render.environment()
    stages = Stages()
    folder = out / "reports" / report.report_id
    rid = report.report_id
    files = portal.report_files(rid)
    with stages.timed("package"):
        tables = package.report_tables(report, context.page)
        written = package.write_package(folder / "data", package.report_package(report), tables, compact=True)
        book = downloads.report_workbook(report)
        document = downloads.report_document(report, files)
        bundle = downloads.bundle(rid, {f"data/{p.name}": p.read_bytes() for p in written})
    source_name = published_source_name(report.source)
    with stages.timed("write"):
        (folder / source_name).write_bytes(read_regular(content / report.source, MAX_BINARY_BYTES))
        (folder / f"{rid}.xlsx").write_bytes(book)
        (folder / f"{rid}.zip").write_bytes(bundle)
        (folder / "report.json").write_text(
            json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8"
        )
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
        (source_name, source_name, ("原始文件", "Original file")),
    ]
    with stages.timed("render"):
        page = render.render_report(_ENV, report, context, links, hashlib.sha256(bundle).hexdigest())
    with stages.timed("write"):
        (folder / "index.html").write_text(page, encoding="utf-8")
    return stages


# Below this many reports, starting worker processes costs more than it saves.
PARALLEL_MIN = 40


def workers() -> int:
    """Cores this process may use (CPU affinity, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _map(function, jobs: list, dead: Callable[[object], object] | None = None) -> Iterator:
    """``map`` over every core when the work is big enough; results in order.

    A worker killed by the system (out of memory, a crash in a library)
    breaks the whole pool: the jobs whose results were lost are then run
    again one at a time, each in a fresh worker, and a job that kills its
    worker again gives ``dead(job)`` instead of its result.
    """
    count = workers()
    if count < 2 or len(jobs) < PARALLEL_MIN:
        yield from map(function, jobs)
        return
    done = 0
    try:
        with ProcessPoolExecutor(count, initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
            for result in pool.map(function, jobs, chunksize=max(1, min(64, len(jobs) // (count * 8)))):
                yield result
                done += 1
    except BrokenProcessPool:
        for job in jobs[done:]:
            yield _alone(function, job, dead)


def _alone(function, job, dead: Callable[[object], object] | None):
    """``function(job)`` in a worker of its own."""
    try:
        with ProcessPoolExecutor(1, initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
            return pool.submit(function, job).result()
    except BrokenProcessPool:
        if dead is None:
            raise
        return dead(job)


def _die_with_parent(parent: int) -> None:
    """A worker must not outlive a build that was killed: it would go on
    writing into the unfinished tree that the next build clears away."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the line above ran
        os._exit(1)


def _load_job(
    job: tuple[Path, str, Path | None, str, str],
) -> tuple[Report | Problem, Stages, str, bool]:
    """Read, parse and check one file, or take what it became last time.

    ``job``: the file, its path in the content folder, the cache folder (None
    without a cache), the file's content digest and its cache key (both ""
    without a cache or when it cannot be read).  Returns the result, the time
    spent, the key and whether the result came from the cache.
    """
    path, relative, cache_dir, digest, key = job
    stages = Stages()
    if cache_dir is not None and key:
        with stages.timed("reuse"):
            cached = cache.load_parsed(cache_dir, key)
        if cached is not None:
            return cached, stages, key, True
    data = None
    if cache_dir is not None and key and not digest.startswith("size:"):
        with suppress(OSError, Refused):  # load() says what is wrong with the file
            data = read_regular(path, MAX_BINARY_BYTES)
    result = load(path, relative, stages, data)
    # Kept only if the bytes parsed are the bytes the key was made from (the
    # file may have changed since the build looked at it).
    if data is not None and hashlib.sha256(data).hexdigest() == digest:
        cache.store_parsed(cache_dir, key, result)
    return result, stages, key, False


def _swap_in(tmp: Path, output: Path) -> None:
    """Replace ``output`` by the finished ``tmp`` tree in one step.

    Where the system can exchange two names atomically (Linux's
    ``renameat2(RENAME_EXCHANGE)``), the new site takes the old one's place
    in one operation and the old one is removed after: there is no instant
    without a site.  Elsewhere the old site is renamed aside first, and a
    build killed between the two renames is put right by :func:`_recover`.
    """
    if output.exists() and _exchange(tmp, output):
        shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the previous site
        return
    old = None
    if output.exists():
        old = output.with_name(f".{output.name}.old-{os.getpid()}")
        output.rename(old)
    tmp.rename(output)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0
    return done


@contextmanager
def build_lock(output: Path) -> Iterator[None]:
    """One build at a time into one output: a second waits for the first.

    The lock is an advisory ``flock`` on a file beside the output, released
    by the system when its holder ends, however it ends, so a killed build
    never leaves a stale lock.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    path = output.with_name(f".{output.name}.lock")
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(
                f"另一个构建正在写入 {output}，等它完成… (waiting for another build)",
                file=sys.stderr,
                flush=True,
            )
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _progress(results: Iterator, total: int) -> Iterator:
    """Count reports read on a terminal; say nothing in CI logs (no terminal)."""
    show = sys.stderr.isatty() and total >= PARALLEL_MIN
    for done, result in enumerate(results, 1):
        if show and (done % 25 == 0 or done == total):
            print(
                f"\r读取 reading {done}/{total}",
                end="" if done < total else "\n",
                file=sys.stderr,
                flush=True,
            )
        yield result


def _recover(output: Path) -> None:
    """Clean up after a build that was killed.

    A build killed while writing leaves its unfinished ``.site.new-*`` tree:
    removed.  One killed in the instant between its two renames leaves the
    previous site as ``.site.old-*`` and no ``site/``: put back.
    """
    if not output.parent.is_dir():
        return
    for stale in sorted(output.parent.glob(f".{output.name}.new-*")):
        shutil.rmtree(stale, ignore_errors=True)
    olds = sorted(output.parent.glob(f".{output.name}.old-*"))
    if olds and not output.exists():
        olds.pop().rename(output)
    for old in olds:
        shutil.rmtree(old, ignore_errors=True)


def _leave_out(summary: Summary, failures: dict[str, str]) -> None:
    """Reports that could not be published become unreadable files with the reason."""
    for report in [r for r in summary.reports if r.report_id in failures]:
        summary.reports.remove(report)
        message = f"发布时出错（{failures[report.report_id]}），本报告未发布：请报告此问题"
        summary.problems.append(Problem(report.source, report.report_id, message, "publish_failed"))


def build(
    content: Path,
    output: Path,
    strict: bool = False,
    incremental: bool = True,
    base_url: str | None = None,
) -> Summary:
    """Build the whole site from ``content`` into ``output``.

    With ``strict``, a build with any ``error`` finding or unreadable file is
    written but not published: the previous site stays as it was.  With
    ``incremental`` (the default), what did not change since the last build
    is taken from the cache beside the output (:mod:`nianbao.cache`); the
    result is the same, byte for byte, as a build without it.  ``base_url``
    is where the site will be published (for the sitemap, feed and catalogue;
    :data:`nianbao.metadata.DEFAULT_BASE_URL` when not given).
    """
    with build_lock(output):
        return _build(content, output, strict, incremental, base_url)


def _build(content: Path, output: Path, strict: bool, incremental: bool, base_url: str | None) -> Summary:
    started = time.perf_counter()
    summary = Summary(output, strict=strict)
    _recover(output)
    cache_dir = cache.folder_for(output) if incremental else None
    version = cache.code_version() if incremental else ""
    found, refused = survey(content)
    files = [(path.relative_to(content).as_posix(), path) for path in found]
    # Each file is read and hashed once here; the digest keys both the whole
    # build and the file's entry in the cache.
    states = (
        {relative: cache.file_state(path, MAX_BINARY_BYTES) for relative, path in files} if cache_dir else {}
    )
    git = from_git(content)  # once: it keys the build and dates the changelog
    whole = ""
    if cache_dir is not None:
        # Nothing changed at all (content, code, options, history): the site stands.
        whole = cache.build_key(version, repr((strict, metadata.base_url(base_url))), states, repr(git))
        recorded = cache.unchanged_build(cache_dir, whole) if (output / "index.html").is_file() else None
        if recorded is not None:
            summary = Summary.unchanged(output, strict, recorded)
            summary.seconds = time.perf_counter() - started
            return summary
    jobs = []
    for relative, path in files:
        digest = states.get(relative, ("", -1))[0]
        key = cache.parsed_key(version, relative, digest) if digest else ""
        jobs.append((path, relative, cache_dir, digest, key))
    source_keys: dict[str, str] = {}
    for result, stages, key, hit in _progress(_map(_load_job, jobs, _killed_loading), len(jobs)):
        summary.stages.update(stages)
        source_keys[result.source] = key
        summary.cached += hit
        (summary.problems if isinstance(result, Problem) else summary.reports).append(result)
    for path, reason in refused:
        relative = path.relative_to(content).as_posix()
        summary.problems.append(Problem(relative, report_id_for(relative, {}), reason, "refused"))
    _unique_ids(summary.reports)
    _flag_duplicates(summary.reports)
    with summary.stages.timed("crosscheck"):
        try:
            crosscheck(summary.reports)
        except Exception as exc:  # checks across reports are extra: they never cost the reports
            for report in summary.reports:
                report.add(
                    "warning",
                    "crosscheck_failed",
                    f"跨报告核对（连续年度、地区与部门）出错，未完成：{type(exc).__name__}: {exc}",
                    table="report",
                )
    summary.reports.sort(key=lambda r: (r.agency, r.year or 0, r.report_id))
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; a published site is not
    reuse = None
    if cache_dir is not None:
        keys = cache.load_written(cache_dir) if output.is_dir() else {}
        reuse = Reuse(output, keys, source_keys, validated=cache.previous_valid(cache_dir, version))
    try:
        while True:
            try:
                summary.package_errors, summary.search = write_site(
                    tmp, content, summary.reports, summary.problems, summary.stages, reuse, base_url, git
                )
                break
            except PublishFailed as failed:
                # Those reports are left out and the site written again without them.
                _leave_out(summary, failed.failures)
                shutil.rmtree(tmp, ignore_errors=True)
                tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
                tmp.chmod(0o755)
                if reuse is not None:
                    reuse.written.clear()
                    reuse.reused_ids.clear()
        summary.size, summary.files = site_size(tmp)
        summary.published = not (strict and summary.strict_failures)
        if summary.published:
            # What the cache says of the published site is forgotten before the
            # swap and recorded after it: a build killed in between leaves a
            # cache that trusts nothing, never one that describes the wrong site.
            cache.forget_written(cache.folder_for(output))
            _swap_in(tmp, output)
            if cache_dir is not None and reuse is not None:
                summary.reused = reuse.reused
                cache.store_written(
                    cache_dir, reuse.written, version, not summary.package_errors, whole, summary.record()
                )
                cache.prune_parsed(cache_dir, set(source_keys.values()))
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    summary.seconds = time.perf_counter() - started
    return summary
