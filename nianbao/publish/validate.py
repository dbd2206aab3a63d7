"""Step 5b: check the published package against its Table Schemas, at scale.

Every row is already checked against its schema as the CSV is written
(:func:`nianbao.package.to_csv`: types, required, codes, patterns, ranges).
On top of that, frictionless validates the portal package.  Validating every
row with frictionless costs about 3 ms per report, so a rebuild validates
only the rows of reports whose output changed (:func:`validate_changed`, one
small package written to a temporary folder, same descriptor): the unchanged
rows are the bytes a previous build already validated with the same code and
schemas, and the keys across all rows hold by construction.

A whole package (:func:`validate_portal`, a cold build) is validated by
frictionless row by row without its primary keys, and the keys are checked
here instead: frictionless keeps every key of a table in memory (630 MB for
the 1.75 million rows of 10,000 reports), this check 8 bytes a key.
"""

from __future__ import annotations

import csv
import hashlib
import json
import tempfile
from array import array
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


def validate_portal(descriptor: Path) -> list[str]:
    """A whole package: frictionless on every row, without the primary keys,
    which :func:`repeated_keys` checks in a fraction of the memory."""
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    keys = {r["name"]: r["schema"].get("primaryKey") for r in package["resources"]}
    for resource in package["resources"]:
        resource["schema"] = {k: v for k, v in resource["schema"].items() if k != "primaryKey"}
    # Beside the original, so that the CSV paths stay relative (frictionless
    # refuses absolute ones); removed whatever happens.
    stripped = descriptor.with_name(f".{descriptor.stem}-without-keys.json")
    try:
        stripped.write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
        errors = validate_package(stripped)
    finally:
        stripped.unlink(missing_ok=True)
    for resource in package["resources"]:
        if keys[resource["name"]]:
            errors += repeated_keys(
                descriptor.parent / resource["path"], resource["name"], keys[resource["name"]]
            )
    return errors[:40]


def repeated_keys(path: Path, name: str, fields: list[str], limit: int = 20) -> list[str]:
    """Keys that appear more than once in a CSV file, as frictionless words them.

    Each key is hashed to 8 bytes and the hashes sorted; the rare equal hashes
    are then compared as keys, so a collision is never taken for a repeat."""
    import numpy  # here: a build that changes nothing never validates, and numpy takes 80 ms to import

    hashes = array("Q")  # 8 bytes a key, not a Python int's 32
    with path.open(newline="", encoding="utf-8") as file:
        rows = csv.reader(file)
        header = next(rows, [])
        missing = [f for f in fields if f not in header]
        if missing:  # frictionless words the missing column; the keys cannot be read
            return [f"primary-key: {name} has no column {', '.join(missing)}"]
        at = [header.index(f) for f in fields]
        for row in rows:
            hashes.append(_key_hash([row[i] for i in at]))
    ordered = numpy.sort(numpy.frombuffer(hashes, dtype=numpy.uint64))
    suspects = set(ordered[1:][ordered[1:] == ordered[:-1]].tolist())
    if not suspects:
        return []
    seen: set[tuple[str, ...]] = set()
    errors: list[str] = []
    with path.open(newline="", encoding="utf-8") as file:
        rows = csv.reader(file)
        next(rows, None)
        for row in rows:
            key = tuple(row[i] for i in at)
            if _key_hash(list(key)) in suspects:
                if key in seen and len(errors) < limit:
                    errors.append(f"primary-key: {name} {key} appears twice")
                seen.add(key)
    return errors


def _key_hash(values: list[str]) -> int:
    digest = hashlib.blake2b("\x1f".join(values).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


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
