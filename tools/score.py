"""Score a built site against hand-transcribed expected values.

    python -m tools.score SITE_DIR EXPECTED_DIR

``EXPECTED_DIR`` holds one JSON file per report, named after the report's
source file (``000_3925396cff2e10ed.json`` for ``000_3925396cff2e10ed.txt``),
in the format of the seeds' ``expected/`` folder; a list in a cell means any
of those values is right.  Every cell is one of:

- exact: the published value is right;
- flagged: wrong, but a finding names its table and its row or column, or the
  value is published as derived;
- unflagged: wrong and nothing says so.  This must be 0: no silent error.

Exits 1 when any cell is unflagged.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from nianbao.template import TEMPLATES
from nianbao.urls import GENERIC_STEMS

# The expected files name table 二's items by short keys.
PROACTIVE_KEYS = {
    "regulations": "regulations",
    "normative_documents": "normative_documents",
    "licensing": "administrative_licensing",
    "punishment": "administrative_punishment",
    "enforcement": "administrative_enforcement",
    "fees": "administrative_fees",
}


def matches(got: object, want: object) -> bool:
    if isinstance(want, list):
        return any(matches(got, w) for w in want)
    if want is None or got is None:
        return got is None and want is None
    return Decimal(str(got)) == Decimal(str(want))


def expected_cells(exp: dict) -> Iterator[tuple[str, str, str, object]]:
    """(table, row, column, expected value) for every cell of an expected file.

    ``table3`` lists the rows of the report's template in order; ``table2``
    is keyed by the short names above (2021 files) or by item code, with a
    list of values in the order of the item's measures.
    """
    template = TEMPLATES[str(exp.get("template", "2021"))]
    table3 = exp["table3"]
    if len(table3) != len(template.rows):
        # Rows in the contract's 25-row order (a 2019 file leaves the rows it
        # does not have null and gives （六）其他处理 as table3_other_processing).
        by_code = dict(zip(TEMPLATES["2021"].row_codes, table3, strict=True))
        if "table3_other_processing" in exp:
            by_code["other_processing"] = exp["table3_other_processing"]
        table3 = [by_code[row.code] for row in template.rows]
    for i, row in enumerate(template.rows):
        for j, col in enumerate(template.applicant_codes):
            yield "requests", row.code, col, table3[i][j]
    for k, (proc, outcome) in enumerate(template.review_cells):
        yield "reviews", proc, outcome, exp["table4"][k]
    if exp.get("table2_2019"):
        for item in template.proactive:
            given = exp["table2_2019"].get(item.code, {})
            for measure in item.measures:
                yield "proactive", item.code, measure, given.get(measure)
        return
    table2 = exp.get("table2") or {}
    for item in template.proactive:
        short = next(
            (k for k, code in PROACTIVE_KEYS.items() if code == item.code and k in table2), item.code
        )
        want = table2.get(short)
        wants = want if isinstance(want, list) and len(item.measures) > 1 else [want] * len(item.measures)
        for measure, w in zip(item.measures, wants, strict=True):
            yield "proactive", item.code, measure, w


@dataclass
class Score:
    exact: int = 0
    flagged: int = 0
    unflagged: int = 0
    missing_reports: list[str] = field(default_factory=list)
    silent: list[str] = field(default_factory=list)  # the unflagged cells, for the reader
    wrong: list[str] = field(default_factory=list)  # the flagged cells, for the reader
    metadata: list[str] = field(default_factory=list)  # agency, year or template not as expected

    def lines(self) -> list[str]:
        out = [
            f"cells exact: {self.exact}",
            f"cells wrong and flagged: {self.flagged}",
            f"cells wrong and unflagged: {self.unflagged}",
        ]
        out += [f"  unflagged: {s}" for s in self.silent]
        out += [f"  report not built: {m}" for m in self.missing_reports]
        out.append(f"metadata wrong (agency, year, template): {len(self.metadata)}")
        out += [f"  {m}" for m in self.metadata]
        return out


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _name(source: str) -> str:
    """The name a report's expected values go by: its file's stem, or its
    folder's name for a page saved under a generic name (a/page.html -> a)."""
    path = Path(source)
    return path.parent.name if path.stem.lower() in GENERIC_STEMS and path.parent.name else path.stem


def _flagged(findings: list[dict[str, str]], table: str, row: str, column: str) -> bool:
    for f in findings:
        if f["severity"] == "info" or f["table"] != table:
            continue
        # A finding on the row, on the column, or on the whole table (e.g. 表四
        # with too few numbers) names the cell.
        if (f["row"] in ("", row)) and (f["column"] in ("", column)):
            return True
    return False


def score(site: Path, expected: Path) -> Score:
    data = site / "data"
    rows = {_name(r["source"]): r for r in _read(data / "reports.csv")}
    reports = {stem: r["report_id"] for stem, r in rows.items()}
    values: dict[tuple[str, str, str, str], tuple[str, str]] = {}
    for table, (a, b) in (
        ("requests", ("row", "applicant")),
        ("reviews", ("proceeding", "outcome")),
        ("proactive", ("item", "measure")),
    ):
        for r in _read(data / f"{table}.csv"):
            values[(r["report_id"], table, r[a], r[b])] = (r["value"], r["status"])
    findings: dict[str, list[dict[str, str]]] = {}
    for f in _read(data / "quality.csv"):
        findings.setdefault(f["report_id"], []).append(f)
    result = Score()
    for path in sorted(expected.glob("*.json")):
        exp = json.loads(path.read_text(encoding="utf-8"))
        rid = reports.get(path.stem)
        if rid is None:
            result.missing_reports.append(path.stem)
            continue
        for key in ("agency", "year", "template"):
            if key in exp and str(exp[key]) != rows[path.stem][key]:
                result.metadata.append(
                    f"{path.stem} {key}: published {rows[path.stem][key]!r}, expected {exp[key]!r}"
                )
        for table, row, col, want in expected_cells(exp):
            raw, status = values.get((rid, table, row, col), ("", "missing"))
            got = None if raw == "" else Decimal(raw)
            if matches(got, want):
                result.exact += 1
            elif status == "derived" or _flagged(findings.get(rid, []), table, row, col):
                result.flagged += 1
                result.wrong.append(
                    f"{path.stem} {table} {row} {col}: published {raw or 'null'}, expected {want}"
                )
            else:
                result.unflagged += 1
                result.silent.append(
                    f"{path.stem} {table} {row} {col}: published {raw or 'null'}, expected {want}"
                )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compare a built site with expected values.")
    parser.add_argument("site", type=Path, help="the build's output folder")
    parser.add_argument("expected", type=Path, help="folder of expected JSON files")
    args = parser.parse_args(argv)
    result = score(args.site, args.expected)
    print("\n".join(result.lines()))
    return 1 if result.unflagged or result.missing_reports or result.metadata else 0


if __name__ == "__main__":
    sys.exit(main())
