"""The one writer: every file of the site goes through a :class:`Writer`.

A writer owns one folder (the unfinished site) and takes paths relative to
it, with "/" as in URLs (:mod:`nianbao.urls`).  It refuses a path that would
leave the folder, makes the folders on the way, writes text as UTF-8 with
"\\n" line ends and JSON in one of two fixed layouts, so that the same
content always gives the same bytes.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path, PurePosixPath
from typing import Any


class Writer:
    def __init__(self, root: Path):
        self.root = root

    def path(self, relative: str | PurePosixPath) -> Path:
        """Where ``relative`` is written; its folder is made.  A path that is
        absolute or climbs out (``..``) is a bug, never a file outside the site."""
        parts = PurePosixPath(relative).parts
        if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
            raise ValueError(f"not a path inside the site: {relative!r}")
        target = self.root.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def text(self, relative: str, text: str) -> Path:
        target = self.path(relative)
        with target.open("w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        return target

    def binary(self, relative: str, data: bytes) -> Path:
        target = self.path(relative)
        target.write_bytes(data)
        return target

    def json(self, relative: str, data: Any, compact: bool = True) -> Path:
        """JSON with its keys as given: compact (the API, packages of reports)
        or indented by two (what people read)."""
        layout: dict[str, Any] = {"separators": (",", ":")} if compact else {"indent": 2}
        return self.text(relative, json.dumps(data, ensure_ascii=False, **layout) + "\n")

    def copy_tree(self, source: Path, relative: str) -> None:
        shutil.copytree(source, self.path(relative))

    def reuse(self, previous: Path, relative: str) -> bool:
        """Take a folder of the previous site as it is: hard-linked where the
        file system allows, copied where not.  False when it is not there."""
        if not previous.is_dir():
            return False
        target = self.path(relative)
        try:
            _link_tree(previous, target)
        except OSError:
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(previous, target)
        return True


def _link_tree(source: Path, target: Path) -> None:
    """``source`` hard-linked into a new folder ``target``, file by file
    (shutil.copytree also copies each folder's times and modes, which a
    rebuild at 10,000 reports would pay 11,000 times).  Links are not followed."""
    os.mkdir(target)
    with os.scandir(source) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                _link_tree(Path(entry.path), target / entry.name)
            else:
                os.link(entry.path, target / entry.name, follow_symlinks=False)
