"""Step 5b: check the published package against its Table Schemas, at scale.

Every row is already checked against its schema as the CSV is written
(:func:`nianbao.package.to_csv`: types, required, codes, patterns, ranges).
On top of that, frictionless validates the portal package.  Validating every
row with frictionless costs about 3 ms per report, so a rebuild validates
only the rows of reports whose output changed (:func:`start_changed`, one
small package written to a temporary folder, same descriptor): the unchanged
rows are the bytes a previous build already validated with the same code and
schemas, and the keys across all rows hold by construction.

A whole package (:func:`start_portal`, a cold build) is validated by
frictionless row by row without its primary keys, and the keys are checked
apart (:func:`.frictionless_run.validate_portal`): frictionless keeps every
key of a table in memory (630 MB for the 1.75 million rows of 10,000
reports), that check 8 bytes a key.

Either runs in a process of its own (:class:`Validation`), started as soon
as the package's CSV files are written: it has the other core while the
agencies and pages are written, and the build collects its verdict last.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .frictionless_run import repeated_keys, validate_package, validate_portal
from .package import join_tables

__all__ = [
    "Validation",
    "repeated_keys",
    "start_changed",
    "start_portal",
    "validate_changed",
    "validate_package",
    "validate_portal",
]

CHILD = Path(__file__).with_name("frictionless_run.py")
TIMEOUT = 3600  # seconds: 10,000 reports take about a minute


class Validation:
    """Frictionless at work on a package in a process of its own; :meth:`result`
    is its verdict, a list of errors (one saying why, when it could not run)."""

    def __init__(self, mode: str, descriptor: Path, errors: list[str], scratch=None):
        self.errors = errors  # found before frictionless runs (ids given twice)
        self.scratch = scratch  # the temporary folder of a small package, removed at the end
        self.process = subprocess.Popen(
            [sys.executable, str(CHILD), mode, str(descriptor)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def result(self) -> list[str]:
        try:
            out, err = self.process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.cancel()
            return [*self.errors, f"数据包校验未完成：frictionless 超过 {TIMEOUT} 秒"][:40]
        finally:
            self._clean()
        try:
            found = json.loads(out) if self.process.returncode == 0 else None
        except ValueError:
            found = None
        if not isinstance(found, list):
            tail = (err or out or "").strip().splitlines()[-1:] or [f"exit {self.process.returncode}"]
            return [*self.errors, f"数据包校验未完成（frictionless）：{tail[0]}"][:40]
        return [*self.errors, *map(str, found)][:40]

    def cancel(self) -> None:
        """Stop it (the build failed on the way): nothing is left running or on disk."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()
        self._clean()

    def _clean(self) -> None:
        if self.scratch is not None:
            self.scratch.cleanup()
            self.scratch = None


def start_portal(descriptor: Path) -> Validation:
    """A whole published package, every row (a cold build)."""
    return Validation("portal", descriptor, [])


def start_changed(package: dict, parts: Iterable[dict[str, bytes]], report_ids: list[str]) -> Validation:
    """Frictionless on the rows of the reports that changed, and the keys that
    span every row.

    ``parts``: the changed reports' lines of each resource
    (:func:`nianbao.publish.package.portal_parts`), written with ``package``'s
    descriptor as a small package in a temporary folder.  The keys across all
    rows hold by construction: every line of a report carries its id, the
    lines of one report cannot repeat a key (they come from one table each),
    so the primary keys are unique and every ``report_id`` is a known report as
    long as the ids in ``report_ids`` (all the published reports) are unique,
    which is checked here.  Work in proportion to what changed, not to the
    portal's two million rows.
    """
    errors = [f"primary-key: reports ('{rid}',) appears twice" for rid in _repeated(report_ids)][:20]
    tables = join_tables(parts, [resource["name"] for resource in package["resources"]])
    scratch = tempfile.TemporaryDirectory(prefix="nianbao-validate-")
    try:
        folder = Path(scratch.name)
        (folder / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
        for resource in package["resources"]:
            (folder / resource["path"]).write_bytes(tables[resource["path"]])
        return Validation("package", folder / "datapackage.json", errors, scratch)
    except BaseException:
        scratch.cleanup()
        raise


def validate_changed(package: dict, parts: Iterable[dict[str, bytes]], report_ids: list[str]) -> list[str]:
    """:func:`start_changed`, waited for."""
    return start_changed(package, parts, report_ids).result()


def _repeated(values: list[str]) -> list[str]:
    """Each value again after its first time, in order."""
    seen: set[str] = set()
    repeated = []
    for value in values:
        if value in seen:
            repeated.append(value)
        seen.add(value)
    return repeated
