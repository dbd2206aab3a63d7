"""Frictionless's verdict on a published package, in a process of its own.

The build runs this file by its path (``python frictionless_run.py MODE
DESCRIPTOR``, printing the errors as JSON), on the other core while it
writes the pages (:mod:`nianbao.publish.validate`): so it imports nothing of
nianbao, only frictionless, numpy and the standard library.  The functions
are also imported as they are (the tests, :func:`validate.validate_changed`).
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from array import array
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


MODES = {"package": validate_package, "portal": validate_portal}


def main(argv: list[str]) -> int:
    mode, descriptor = argv
    print(json.dumps(MODES[mode](Path(descriptor)), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
