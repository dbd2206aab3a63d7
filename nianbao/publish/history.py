"""When each report was added and last changed: the data's changelog.

Taken from the content folder's git history when it is inside a git
repository (one ``git log`` for the whole folder), otherwise from the files'
modification times, so a folder of reports with no history still gets a feed.
Either way the result depends only on the content, never on when the build
runs, so two builds of the same content are the same bytes.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class Change:
    date: str  # ISO 8601, UTC, seconds
    action: str  # added / changed / removed
    source: str  # path relative to the content folder
    commit: str = ""  # short hash, when from git
    subject: str = ""  # commit message's first line


@dataclass
class History:
    changes: list[Change]  # newest first
    from_git: bool
    _dates: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for change in reversed(self.changes):  # oldest first
            if change.action != "removed":
                first = self._dates.get(change.source, (change.date, ""))[0]
                self._dates[change.source] = (first, change.date)

    def dates(self, source: str) -> tuple[str, str]:
        """(first added, last changed) of a source file; "" when unknown."""
        return self._dates.get(source, ("", ""))


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_git(content: Path) -> list[Change] | None:
    """Every add, change and removal of a file under ``content``; None without git."""
    try:
        top = subprocess.run(
            ["git", "-C", str(content), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
        log = subprocess.run(
            [
                "git",
                "-C",
                str(content),
                "-c",
                "core.quotepath=off",
                "log",
                "--no-renames",
                "--name-status",
                "--format=%x00%h%x09%ct%x09%s",
                "--",
                ".",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    prefix = content.resolve().relative_to(Path(top).resolve()).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    changes: list[Change] = []
    actions = {"A": "added", "M": "changed", "D": "removed"}
    for block in log.split("\x00")[1:]:
        head, *files = block.strip("\n").split("\n")
        commit, stamp, subject = [*head.split("\t", 2), "", ""][:3]
        for line in files:
            status, _, path = line.partition("\t")
            if path.startswith(prefix) and status[:1] in actions:
                changes.append(
                    Change(_iso(float(stamp)), actions[status[:1]], path[len(prefix) :], commit, subject)
                )
    return changes


def history(content: Path, sources: list[str], git: list[Change] | None) -> History:
    """The changelog of the reports now in ``content`` (and of those removed, from git).

    ``git``: :func:`from_git` of ``content`` (None: not in a git repository)."""
    if git is not None:
        changes = list(git)
        tracked = {c.source for c in changes}
        # Files not committed yet: their modification time stands in.
        untracked = [s for s in sources if s not in tracked]
        changes += _from_files(content, untracked)
        changes.sort(key=lambda c: (c.date, c.source), reverse=True)
        return History(changes, True)
    return History(
        sorted(_from_files(content, sources), key=lambda c: (c.date, c.source), reverse=True), False
    )


def _from_files(content: Path, sources: list[str]) -> list[Change]:
    out = []
    root = str(content)
    for source in sources:
        try:  # a string path: pathlib's joins cost more than the stat, 10,000 times
            out.append(Change(_iso(os.stat(f"{root}/{source}").st_mtime), "added", source))
        except OSError:
            continue
    return out
