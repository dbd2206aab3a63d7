"""Step 5b: check the published package against its Table Schemas, at scale.

Every row is already checked against its schema as the CSV is written
(:func:`nianbao.package.to_csv`: types, required, codes, patterns, ranges).
On top of that, frictionless validates the portal package.  Validating every
row with frictionless costs about 3 ms per report, so a rebuild validates
only the rows of reports whose output changed (:func:`validate_changed`, one
small package written to a temporary folder, same descriptor): the unchanged
rows are the bytes a previous build already validated with the same code and
schemas, and the keys across all rows hold by construction.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .package import join_tables


def validate_package(descriptor: Path) -> list[str]:
    """Frictionless's own verdict on a published package: a list of errors."""
    from frictionless import validate as frictionless_validate

    report = frictionless_validate(str(descriptor))
    if report.valid:
        return []
    return [f"{e.type}: {e.message}" for task in report.tasks for e in task.errors][:20] + [
        e.message for e in report.errors
    ]


def validate_changed(package: dict, parts: Iterable[dict[str, bytes]], report_ids: list[str]) -> list[str]:
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
    with tempfile.TemporaryDirectory(prefix="nianbao-validate-") as tmp:
        folder = Path(tmp)
        (folder / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
        for resource in package["resources"]:
            (folder / resource["path"]).write_bytes(tables[resource["path"]])
        errors += validate_package(folder / "datapackage.json")
    return errors[:40]


def _repeated(values: list[str]) -> list[str]:
    """Each value again after its first time, in order."""
    seen: set[str] = set()
    repeated = []
    for value in values:
        if value in seen:
            repeated.append(value)
        seen.add(value)
    return repeated
