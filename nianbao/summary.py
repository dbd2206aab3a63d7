"""What a build did, as its summary says it: reports, findings, unreadable
files, validation, time per stage, size against the Pages budget."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import config
from .model import Problem, Report


class Stages(dict[str, float]):
    """Seconds spent in each step of the pipeline, for the summary and the benchmark."""

    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - started)

    def add(self, name: str, seconds: float) -> None:
        self[name] = self.get(name, 0.0) + seconds

    def update(self, other: Mapping[str, float]) -> None:  # type: ignore[override]
        """Add another's seconds to these (a worker's, for instance)."""
        for name, seconds in other.items():
            self.add(name, seconds)

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


def size_line(size: int, files: int) -> str:
    share = size / config.ACTIVE.size_budget
    line = f"大小 size: {size / 1024 / 1024:.1f} MiB in {files:,} files ({share:.1%} of the 1 GiB GitHub Pages budget)"
    if share >= 1:
        line += " — 超出预算 OVER BUDGET: GitHub Pages will refuse this site"
    elif share >= config.ACTIVE.size_warning:
        line += " — 接近预算 close to the budget"
    return line
