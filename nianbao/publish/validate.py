"""Step 5b: check the published package against its Table Schemas, at scale.

Every row is already checked against its schema as the CSV is written
(:func:`nianbao.package.to_csv`: types, required, codes, patterns, ranges).
On top of that, frictionless validates the portal package.  Validating every
row with frictionless costs about 6 ms per report, so a rebuild validates
only the rows of reports whose output changed (in one small package written
to a temporary folder, same descriptor) and checks the keys that span all
rows (primary keys unique, every ``report_id`` a known report) itself: the
unchanged rows are the bytes a previous build already validated with the
same code and schemas.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import tempfile
from pathlib import Path


def validate_package(descriptor: Path) -> list[str]:
    """Frictionless's own verdict on a published package: a list of errors."""
    from frictionless import validate as frictionless_validate

    report = frictionless_validate(str(descriptor))
    if report.valid:
        return []
    return [f"{e.type}: {e.message}" for task in report.tasks for e in task.errors][:20] + [
        e.message for e in report.errors
    ]


def _key(values: tuple[str, ...]) -> bytes:
    # 2 million rows of keys as tuples of strings would cost hundreds of MB:
    # a 16-byte digest per key keeps the check exact in practice and small.
    return hashlib.blake2b("\x1f".join(values).encode(), digest_size=16).digest()


def validate_changed(descriptor: Path, unchanged: set[str]) -> list[str]:
    """Frictionless on every row whose report changed; keys over all rows.

    The portal's CSV files are streamed once: rows of changed reports are
    copied into a small package that frictionless validates, and every row's
    keys are checked on the way.
    """
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    errors: list[str] = []
    known: dict[str, set[bytes]] = {}  # resource -> keys others may refer to
    resources = _referenced_first(package["resources"])
    with tempfile.TemporaryDirectory(prefix="nianbao-validate-") as tmp:
        folder = Path(tmp)
        shutil.copyfile(descriptor, folder / descriptor.name)
        for resource in resources:
            target = folder / resource["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            with (
                (descriptor.parent / resource["path"]).open(encoding="utf-8", newline="") as source,
                target.open("w", encoding="utf-8", newline="") as out,
            ):
                rows = csv.reader(source)
                header = next(rows, [])
                checks = _KeyChecks(resource, header, known)
                at = header.index("report_id") if "report_id" in header else None
                writer = csv.writer(out, lineterminator="\n")
                writer.writerow(header)
                for row in rows:
                    checks.add(row)
                    if at is None or row[at] not in unchanged:
                        writer.writerow(row)
            errors += checks.errors
        errors += validate_package(folder / descriptor.name)
    return errors[:40]


def _referenced_first(resources: list[dict]) -> list[dict]:
    """``reports`` first: the other resources' foreign keys point into it."""
    return sorted(resources, key=lambda r: r["name"] != "reports")


class _KeyChecks:
    """Primary key unique and foreign keys resolved, one row at a time."""

    def __init__(self, resource: dict, header: list[str], known: dict[str, set[bytes]]):
        schema = resource["schema"]
        self.name = resource["name"]
        self.errors: list[str] = []
        key = schema.get("primaryKey") or []
        self.primary = [header.index(k) for k in ([key] if isinstance(key, str) else key)]
        self.known = known
        self.seen: set[bytes] = known.setdefault(self.name, set())
        self.foreign: list[tuple[list[int], str]] = []
        # A reference names the referenced resource's primary key (true of every schema here).
        for fk in schema.get("foreignKeys", []):
            fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
            self.foreign.append(([header.index(f) for f in fields], fk["reference"]["resource"]))

    def add(self, row: list[str]) -> None:
        if self.primary:
            key = _key(tuple(row[i] for i in self.primary))
            if key in self.seen and len(self.errors) < 20:
                self.errors.append(
                    f"primary-key: {self.name} {tuple(row[i] for i in self.primary)} appears twice"
                )
            self.seen.add(key)
        for at, target in self.foreign:
            if _key(tuple(row[i] for i in at)) not in self.known.get(target, set()) and len(self.errors) < 20:
                self.errors.append(f"foreign-key: {self.name} {[row[i] for i in at]} is not in {target}")


def check_keys(package: dict, tables: dict[str, tuple[list[str], list[list[str]]]]) -> list[str]:
    """The same key checks over tables held in memory (for small packages and tests)."""
    known: dict[str, set[bytes]] = {}
    errors: list[str] = []
    for resource in _referenced_first(package["resources"]):
        header, rows = tables[resource["name"]]
        checks = _KeyChecks(resource, header, known)
        for row in rows:
            checks.add(row)
        errors += checks.errors
    return errors
