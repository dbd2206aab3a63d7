"""Validation at scale: the rows of changed reports by frictionless, keys by construction."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import SEEDS

from nianbao.publish import frictionless_run, package, validate
from nianbao.publish.validate import validate_changed, validate_package, validate_portal
from nianbao.site import build
from nianbao.urls import report_page


def _site(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copyfile(path, content / path.name)
    summary = build(content, tmp_path / "site")
    return tmp_path / "site" / "data" / "datapackage.json", summary


def _lines(summary) -> dict[str, dict[str, bytes]]:
    return {r.report_id: package.portal_parts(r, report_page(r.report_id)) for r in summary.reports}


def test_a_sound_package_passes_both_ways(tmp_path):
    descriptor, summary = _site(tmp_path)
    assert validate_package(descriptor) == []
    ids = [r.report_id for r in summary.reports]
    assert validate_changed(package.portal_package(5), _lines(summary).values(), ids) == []


def test_a_bad_value_in_a_changed_report_is_found_and_unchanged_ones_are_not_read(tmp_path):
    _, summary = _site(tmp_path)
    lines = _lines(summary)
    first = summary.reports[0].report_id
    bad = lines[first]["requests"].replace(
        b",new_received,natural_person,", b",new_received,natural_person,x", 1
    )
    assert bad != lines[first]["requests"]
    changed = {**lines[first], "requests": bad}
    ids = [r.report_id for r in summary.reports]
    errors = validate_changed(package.portal_package(5), [changed], ids)
    assert any("type" in e for e in errors)
    others = [v for k, v in lines.items() if k != first]
    assert validate_changed(package.portal_package(5), others, ids) == []  # validated when it was written


def test_a_repeated_key_is_found(tmp_path):
    _, summary = _site(tmp_path)
    lines = _lines(summary)
    first = summary.reports[0].report_id
    ids = [r.report_id for r in summary.reports]
    twice = {**lines[first], "requests": lines[first]["requests"] * 2}
    errors = validate_changed(package.portal_package(5), [twice], ids)
    assert any("primary" in e.lower() for e in errors), errors
    # Two reports under one id: every key of theirs would repeat.
    assert validate_changed(package.portal_package(5), [], [*ids, first]) == [
        f"primary-key: reports ('{first}',) appears twice"
    ]


def test_a_rebuild_validates_only_what_changed(tmp_path, monkeypatch):
    import nianbao.publish.site

    _site(tmp_path)
    calls = []

    def recording(descriptor, parts, report_ids):
        parts = list(parts)
        calls.append(parts)
        return validate.start_changed(descriptor, parts, report_ids)

    monkeypatch.setattr(nianbao.publish.site, "start_changed", recording)
    content = tmp_path / "content"
    edited = sorted(content.iterdir())[0]
    edited.write_bytes(
        edited.read_bytes().replace("一、总体情况".encode(), "一、总体情况\n（已修订）".encode(), 1)
    )
    summary = build(content, tmp_path / "site")
    assert summary.reused == 4 and summary.package_errors == []
    # the edited report's lines (and the unreadable files' quality rows) went to frictionless
    assert len(calls) == 1 and len(calls[0]) == 2


def test_a_whole_package_is_validated_with_its_keys_checked_apart(tmp_path):
    descriptor, _ = _site(tmp_path)
    assert validate_portal(descriptor) == []
    assert sorted(p.name for p in descriptor.parent.iterdir() if p.name.startswith(".")) == []  # no leftovers
    requests = descriptor.parent / "requests.csv"
    lines = requests.read_text(encoding="utf-8").splitlines(keepends=True)
    requests.write_text("".join([*lines, lines[7]]), encoding="utf-8")  # a row again, at the end
    report_id, row, applicant = lines[7].split(",")[:3]
    assert validate_portal(descriptor) == [
        f"primary-key: requests {(report_id, row, applicant)} appears twice"
    ]
    assert validate_package(descriptor) != []  # frictionless with the keys agrees


def test_equal_hashes_are_compared_as_keys(tmp_path, monkeypatch):
    """A collision of the 8-byte hashes is never reported as a repeated key."""
    descriptor, _ = _site(tmp_path)
    monkeypatch.setattr(frictionless_run, "_key_hash", lambda values: 0)  # every key collides
    assert (
        validate.repeated_keys(
            descriptor.parent / "requests.csv", "requests", ["report_id", "row", "applicant"]
        )
        == []
    )
    assert validate.repeated_keys(descriptor.parent / "requests.csv", "requests", ["row", "applicant"]) != []


def test_a_key_column_missing_is_reported_not_raised(tmp_path):
    path = tmp_path / "requests.csv"
    path.write_text("report_id,row,value\na,new_received,1\n", encoding="utf-8")
    assert validate.repeated_keys(path, "requests", ["report_id", "row", "applicant"]) == [
        "primary-key: requests has no column applicant"
    ]


def test_a_validation_that_cannot_run_says_so_instead_of_passing(tmp_path, monkeypatch):
    broken = tmp_path / "broken.py"
    broken.write_text("import sys\nsys.exit('frictionless is not installed')\n", encoding="utf-8")
    monkeypatch.setattr(validate, "CHILD", broken)
    descriptor, _ = _site(tmp_path)
    assert validate.start_portal(descriptor).result() == [
        "数据包校验未完成（frictionless）：frictionless is not installed"
    ]


def test_a_validation_stopped_on_the_way_leaves_nothing_behind(tmp_path):
    _, summary = _site(tmp_path)
    running = validate.start_changed(package.portal_package(5), _lines(summary).values(), [])
    scratch = Path(running.scratch.name)
    assert (scratch / "requests.csv").is_file()
    running.cancel()
    assert running.process.returncode is not None and not scratch.exists()


def test_the_validation_runs_apart_from_the_build(tmp_path):
    """A process of its own, which imports no part of nianbao (it is run by its path)."""
    descriptor, _ = _site(tmp_path)
    child = subprocess.run(
        [sys.executable, "-X", "importtime", str(validate.CHILD), "portal", str(descriptor)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(child.stdout) == []
    imported = {line.rsplit("|", 1)[-1].strip() for line in child.stderr.splitlines()}
    assert "frictionless" in imported
    assert not [name for name in imported if name == "nianbao" or name.startswith("nianbao.")]
