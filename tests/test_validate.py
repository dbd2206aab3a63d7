"""Validation at scale: changed rows by frictionless, keys over every row."""

from __future__ import annotations

import shutil

from conftest import SEEDS

from nianbao.publish.validate import check_keys, validate_changed, validate_package
from nianbao.site import build


def _site(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copyfile(path, content / path.name)
    build(content, tmp_path / "site")
    return tmp_path / "site" / "data" / "datapackage.json"


def test_a_sound_package_passes_both_ways(tmp_path):
    descriptor = _site(tmp_path)
    assert validate_package(descriptor) == []
    assert validate_changed(descriptor, unchanged=set()) == []


def test_a_bad_value_in_a_changed_report_is_found_and_in_an_unchanged_one_is_trusted(tmp_path):
    descriptor = _site(tmp_path)
    requests = descriptor.parent / "requests.csv"
    text = requests.read_text(encoding="utf-8")
    first_id = text.splitlines()[1].split(",")[0]
    requests.write_text(
        text.replace(
            f"{first_id},new_received,natural_person,", f"{first_id},new_received,natural_person,x", 1
        ),
        encoding="utf-8",
    )
    assert any("type" in e for e in validate_changed(descriptor, unchanged=set()))
    assert validate_changed(descriptor, unchanged={first_id}) == []  # validated when it was written


def test_keys_are_checked_over_every_row_even_unchanged_ones(tmp_path):
    descriptor = _site(tmp_path)
    requests = descriptor.parent / "requests.csv"
    lines = requests.read_text(encoding="utf-8").splitlines()
    requests.write_text(
        "\n".join([*lines, lines[1], "nobody,granted,total,1,printed"]) + "\n", encoding="utf-8"
    )
    everyone = {line.split(",")[0] for line in lines[1:]} | {"nobody"}
    errors = validate_changed(descriptor, unchanged=everyone)
    assert any(e.startswith("primary-key: requests") for e in errors)
    assert any(e.startswith("foreign-key: requests ['nobody']") for e in errors)


def test_check_keys_on_tables_in_memory():
    package = {
        "resources": [
            {"name": "reports", "schema": {"primaryKey": ["report_id"]}},
            {
                "name": "requests",
                "schema": {
                    "foreignKeys": [
                        {"fields": "report_id", "reference": {"resource": "reports", "fields": "report_id"}}
                    ]
                },
            },
        ]
    }
    tables = {"reports": (["report_id"], [["a"], ["a"]]), "requests": (["report_id"], [["a"], ["b"]])}
    assert check_keys(package, tables) == [
        "primary-key: reports ('a',) appears twice",
        "foreign-key: requests ['b'] is not in reports",
    ]


def test_a_rebuild_validates_only_what_changed(tmp_path, monkeypatch):
    import nianbao.publish.site

    _site(tmp_path)
    calls = []

    def recording(descriptor, unchanged):
        calls.append(set(unchanged))
        return validate_changed(descriptor, unchanged)

    monkeypatch.setattr(nianbao.publish.site, "validate_changed", recording)
    content = tmp_path / "content"
    edited = sorted(content.iterdir())[0]
    edited.write_bytes(
        edited.read_bytes().replace("一、总体情况".encode(), "一、总体情况\n（已修订）".encode(), 1)
    )
    summary = build(content, tmp_path / "site")
    assert summary.reused == 4 and summary.package_errors == []
    assert len(calls) == 1 and len(calls[0]) == 4  # the edited report's rows went to frictionless
