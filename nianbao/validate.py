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
import io
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


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        return header, list(reader)


def validate_changed(descriptor: Path, unchanged: set[str]) -> list[str]:
    """Frictionless on every row whose report changed; keys over all rows."""
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    tables = {r["name"]: _rows(descriptor.parent / r["path"]) for r in package["resources"]}
    errors = check_keys(package, tables)
    with tempfile.TemporaryDirectory(prefix="nianbao-validate-") as tmp:
        folder = Path(tmp)
        shutil.copyfile(descriptor, folder / descriptor.name)
        for resource in package["resources"]:
            header, rows = tables[resource["name"]]
            at = header.index("report_id") if "report_id" in header else None
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(r for r in rows if at is None or r[at] not in unchanged)
            (folder / resource["path"]).parent.mkdir(parents=True, exist_ok=True)
            (folder / resource["path"]).write_text(out.getvalue(), encoding="utf-8")
        errors += validate_package(folder / descriptor.name)
    return errors


def check_keys(package: dict, tables: dict[str, tuple[list[str], list[list[str]]]]) -> list[str]:
    """Primary keys unique and foreign keys resolved, over every row."""
    errors = []
    for resource in package["resources"]:
        schema = resource["schema"]
        header, rows = tables[resource["name"]]
        key = schema.get("primaryKey")
        if key:
            at = [header.index(k) for k in ([key] if isinstance(key, str) else key)]
            seen: set[tuple[str, ...]] = set()
            for row in rows:
                value = tuple(row[i] for i in at)
                if value in seen:
                    errors.append(f"primary-key: {resource['name']} {value} appears twice")
                seen.add(value)
        for fk in schema.get("foreignKeys", []):
            fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
            ref = fk["reference"]
            ref_fields = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
            ref_header, ref_rows = tables[ref["resource"]]
            known = {tuple(r[ref_header.index(f)] for f in ref_fields) for r in ref_rows}
            at = [header.index(f) for f in fields]
            for row in rows:
                if tuple(row[i] for i in at) not in known:
                    errors.append(
                        f"foreign-key: {resource['name']} {[row[i] for i in at]} is not in {ref['resource']}"
                    )
                    break
    return errors[:20]
