"""The pipeline over a folder: read -> parse -> check -> publish -> site/.

:func:`build` is the whole public API of a build, and this module only puts
the stages in order: each content file is read, parsed and checked on its own
(on every core, or taken from the cache), the reports are checked against
each other, and the site is written into a fresh folder and swapped in whole,
or, on a rebuild, only what changed is written and put in place piece by
piece (:mod:`nianbao.output`).  A file that cannot be read or is not a report
becomes a :class:`~nianbao.model.Problem` and the build goes on.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
import time
from pathlib import Path

from . import cache, config
from .check import crosscheck, flag_duplicates
from .config import Config
from .loading import killed_loading, load_job
from .model import Problem, Report, compact
from .output import Units, build_lock, commit, kept_units, recover, swap_in, total, units
from .publish.history import from_git
from .publish.site import PublishFailed, Reuse, keep_compiled, write_site
from .read import keep_child
from .read.folder import companions, survey
from .summary import Summary
from .urls import report_id, unique_ids
from .workers import map_jobs, progress


def _leave_out(summary: Summary, failures: dict[str, str]) -> None:
    """Reports that could not be published become unreadable files with the reason."""
    for report in [r for r in summary.reports if r.report_id in failures]:
        summary.reports.remove(report)
        message = f"发布时出错（{failures[report.report_id]}），本报告未发布：请报告此问题"
        summary.problems.append(Problem(report.source, report.report_id, message, "publish_failed"))


def build(
    content: Path,
    output: Path,
    settings: Config | None = None,
    *,
    strict: bool | None = None,
    incremental: bool | None = None,
    base_url: str | None = None,
) -> Summary:
    """Build the whole site from ``content`` into ``output``.

    ``settings`` is the build's :class:`~nianbao.config.Config`; ``strict``,
    ``incremental`` and ``base_url`` change one value of it.  With
    ``strict``, a build with any ``error`` finding or unreadable file is
    written but not published: the previous site stays as it was.  With
    ``incremental`` (the default), what did not change since the last build
    is taken from the cache beside the output (:mod:`nianbao.cache`); the
    result is the same, byte for byte, as a build without it.  ``base_url``
    is where the site will be published (for the sitemap, feed and catalogue).
    """
    chosen = settings or Config.make(base_url)
    changes = {"strict": strict, "incremental": incremental}
    chosen = chosen.but(**{k: v for k, v in changes.items() if v is not None})
    if base_url and settings is not None:
        chosen = chosen.but(base_url=base_url)
    config.activate(chosen)
    try:
        with build_lock(output):
            return _build(content, output, chosen)
    finally:
        gc.unfreeze()  # what the build froze is collectable again: a process may build more than once (the tests)


def _relative(path: Path, content: Path) -> str:
    """A path found under ``content`` as the content-relative posix path that
    names it everywhere (what ``relative_to().as_posix()`` gives, at a tenth
    of the cost for 10,000 files)."""
    text, prefix = str(path), str(content) + os.sep
    if text.startswith(prefix):
        return text[len(prefix) :].replace(os.sep, "/")
    return path.relative_to(content).as_posix()  # "." or a folder given as "content/"


def _build(content: Path, output: Path, settings: Config) -> Summary:
    strict, incremental, base_url = settings.strict, settings.incremental, settings.base_url
    started = time.perf_counter()
    summary = Summary(output, strict=strict)
    recover(output)
    cache_dir = cache.folder_for(output) if incremental else None
    version = cache.code_version() if incremental else ""
    parsing = cache.parsing_version() if incremental else ""
    found, refused, folders = survey(content)
    files = [(_relative(path, content), path) for path in found]
    # A web page's reading depends on the pictures in its folder too (OCR).
    pictures = {
        relative: [(_relative(p, content), p) for p in companions(path, folders.get(str(path.parent)))]
        for relative, path in files
        if relative.lower().endswith((".html", ".htm"))
    }
    extra = [pair for pairs in pictures.values() for pair in pairs]
    # Each file that changed since the last build is read and hashed once
    # here; the digest keys both the whole build and the file's entry in the cache.
    states = cache.file_states(cache_dir, files + extra, config.LIMITS.binary_bytes) if cache_dir else {}
    git = from_git(content)  # once: it keys the build and dates the changelog
    whole = ""
    if cache_dir is not None:
        # Nothing changed at all (content, code, options, history): the site stands.
        whole = cache.build_key(version + parsing, repr(settings.but(incremental=True)), states, repr(git))
        recorded = cache.unchanged_build(cache_dir, whole) if (output / "index.html").is_file() else None
        if recorded is not None:
            summary = Summary.unchanged(output, strict, recorded)
            summary.seconds = time.perf_counter() - started
            return summary
    jobs = []
    for relative, path in files:
        digest = states.get(relative, ("", -1))[0]
        beside = [f"{name} {states.get(name, ('', -1))[0]}" for name, _ in pictures.get(relative, [])]
        key = cache.parsed_key(parsing, relative, "\n".join([digest, *beside])) if digest else ""
        jobs.append((path, relative, cache_dir, digest, key))
    source_keys: dict[str, str] = {}
    # What the cache holds is loaded here: sending 10,000 reports back from
    # the workers cost more than unpickling them.  The rest is read on every core.
    loaded: list[Report | Problem | None] = []
    with summary.stages.timed("reuse"):
        snapshot = cache.load_snapshot(cache_dir / "parsed") if cache_dir is not None else {}
        for *_, key in jobs:
            hit = snapshot.get(key) if key else None
            if hit is None and cache_dir is not None and key:
                hit = compact(cache.load_parsed(cache_dir, key))
            loaded.append(hit)
            if hit is not None:
                source_keys[hit.source] = key
        # What the snapshot holds beyond this build's files is let go now, not
        # kept alive while the rest are read (a new parsing code: all of it).
        snapshot_keys = set(snapshot)
        del snapshot
    summary.cached = sum(1 for hit in loaded if hit is not None)
    todo = [job for job, hit in zip(jobs, loaded, strict=True) if hit is None]
    # Each worker reads its files in one kept child, not a child a file.
    reading = map_jobs(load_job, todo, killed_loading, setup=keep_child)
    done = iter(progress(reading, len(todo)))
    results: dict[str, Report | Problem] = {}
    for (*_, key), hit in zip(jobs, loaded, strict=True):
        if hit is None:
            hit, stages, key = next(done)
            hit = compact(hit)
            summary.stages.update(stages)
            source_keys[hit.source] = key
        results[key] = hit
        if isinstance(hit, Problem):
            summary.problems.append(hit)
        else:
            summary.reports.append(hit)
    # The workers and their kept children end now, not when the build does
    # (they held 100-250 MB each while the site was written).
    reading.close()
    results.pop("", None)  # files the cache could not key
    if cache_dir is not None and cache.snapshot_outdated(snapshot_keys, results.keys()):
        with summary.stages.timed("reuse"):
            cache.store_snapshot(cache_dir / "parsed", results)
    for path, reason in refused:
        relative = _relative(path, content)
        summary.problems.append(Problem(relative, report_id(relative), reason, "refused"))
    unique_ids(summary.reports)
    flag_duplicates(summary.reports)
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
    keep_compiled(cache_dir / "compiled" if cache_dir is not None else None)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; a published site is not
    reuse = None
    # Each report's lines of the portal tables: kept in the cache, or for this build only.
    parts = (
        cache_dir / "parts"
        if cache_dir is not None
        else Path(tempfile.mkdtemp(prefix=f".{output.name}.parts-", dir=output.parent))
    )
    previous: Units = {}
    if cache_dir is not None:
        keys = cache.load_written(cache_dir) if output.is_dir() else {}
        previous = cache.load_units(cache_dir) if keys else {}
        reuse = Reuse(
            output,
            keys,
            source_keys,
            validated=cache.previous_valid(cache_dir, version),
            version=version,
            in_place=bool(previous),
            search_staging=cache_dir / "search",
        )
    # The reports live until the build ends: the collector's full passes need
    # not walk their millions of objects again while the site is written
    # (an edit at 10,000 reports: 6-10 % of its time, measured in pairs).
    gc.freeze()
    try:
        while True:
            try:
                summary.package_errors, summary.search = write_site(
                    tmp,
                    content,
                    summary.reports,
                    summary.problems,
                    summary.stages,
                    reuse,
                    base_url,
                    git,
                    parts,
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
                    reuse.kept.clear()
        in_place = reuse is not None and reuse.in_place
        written = units(tmp)
        published = {**kept_units(output, reuse.kept, previous), **written} if reuse and in_place else written
        summary.size, summary.files = total(published)
        summary.published = not (strict and summary.strict_failures)
        if summary.published:
            # What the cache says of the published site is forgotten before the
            # swap and recorded after it: a build killed in between leaves a
            # cache that trusts nothing, never one that describes the wrong site.
            cache.forget_written(cache.folder_for(output))
            if in_place:
                commit(tmp, output, written, set(previous) - set(published))
            else:
                swap_in(tmp, output)
            if cache_dir is not None and reuse is not None:
                summary.reused = reuse.reused
                cache.store_written(
                    cache_dir,
                    reuse.written,
                    version,
                    not summary.package_errors,
                    whole,
                    summary.record(),
                    published,
                )
                cache.prune(cache_dir / "parsed", set(source_keys.values()))
                cache.prune(parts, set(reuse.written.values()))
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if cache_dir is None:
            shutil.rmtree(parts, ignore_errors=True)
    summary.seconds = time.perf_counter() - started
    return summary
