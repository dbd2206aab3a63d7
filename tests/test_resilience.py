"""No single report can stop the portal.

Each stage of the pipeline is made to fail for one report out of five: that
report is either published with an ``error`` finding or listed as unreadable
with the reason, and the four others are published as usual.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from conftest import SEEDS
from sitekit import broken_links

from nianbao import loading, site
from nianbao.publish import package, render
from nianbao.site import build

VICTIM = "002_86e56b1db52c9874"  # the seed whose processing is made to fail
OTHERS = sorted(p.stem for p in SEEDS.glob("*.txt") if p.stem != VICTIM)


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    folder.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copyfile(path, folder / path.name)
    return folder


def _fails_for_victim(original):
    """``original``, raising for the victim's report, as a bug would."""

    def wrapper(*args, **kwargs):
        names = " ".join(str(a) for a in args[:2])
        if VICTIM in names or any(VICTIM in str(getattr(a, "source", "")) for a in args):
            raise RuntimeError("injected failure")
        return original(*args, **kwargs)

    return wrapper


def _published_sources(out) -> set[str]:
    with (out / "data" / "reports.csv").open(encoding="utf-8") as f:
        return {row["source"].rsplit(".", 1)[0] for row in csv.DictReader(f)}


def _assert_others_published(summary, out):
    assert summary.published
    assert summary.package_errors == []
    assert set(OTHERS) <= _published_sources(out)
    for name in OTHERS:
        assert (out / "reports" / name.replace("_", "-") / "index.html").is_file()
    assert broken_links(out) == []


@pytest.mark.parametrize(
    ("module", "name"),
    [(loading, "read_source"), (loading, "parse")],
    ids=["read", "parse"],
)
def test_a_report_that_fails_to_read_or_parse_is_listed_with_the_reason(
    content, tmp_path, monkeypatch, module, name
):
    monkeypatch.setattr(module, name, _fails_for_victim(getattr(module, name)))
    out = tmp_path / "out"
    summary = build(content, out, incremental=False)
    _assert_others_published(summary, out)
    [problem] = summary.problems
    assert problem.source == f"{VICTIM}.txt"
    assert "RuntimeError: injected failure" in problem.message
    assert VICTIM not in _published_sources(out)


def test_a_failing_check_keeps_the_report_with_an_error_finding(content, tmp_path, monkeypatch):
    monkeypatch.setattr(loading, "check", _fails_for_victim(loading.check))
    out = tmp_path / "out"
    summary = build(content, out, incremental=False)
    _assert_others_published(summary, out)
    assert summary.problems == []
    victim = next(r for r in summary.reports if r.source == f"{VICTIM}.txt")
    assert [f.code for f in victim.findings if f.severity == "error"] == ["check_failed"]
    assert victim.requests[("new_received", "total")].value is not None  # its numbers are still published


def test_a_failing_crosscheck_costs_no_report(content, tmp_path, monkeypatch):
    def broken(reports):
        raise RuntimeError("injected failure")

    monkeypatch.setattr(site, "crosscheck", broken)
    out = tmp_path / "out"
    summary = build(content, out, incremental=False)
    _assert_others_published(summary, out)
    assert len(summary.reports) == 5
    assert all("crosscheck_failed" in {f.code for f in r.findings} for r in summary.reports)


@pytest.mark.parametrize(
    ("module", "name"),
    [(package, "report_package"), (render, "render_report"), (Path, "write_bytes")],
    ids=["package", "render", "write"],
)
def test_a_report_that_fails_to_publish_is_left_out_and_named(content, tmp_path, monkeypatch, module, name):
    original = getattr(module, name)
    if module is Path:  # a file of the victim's folder cannot be written

        def failing(self, data):
            if VICTIM.replace("_", "-") in str(self):
                raise OSError(28, "No space left on device")
            return original(self, data)

        monkeypatch.setattr(Path, "write_bytes", failing)
    else:
        monkeypatch.setattr(module, name, _fails_for_victim(original))
    out = tmp_path / "out"
    summary = build(content, out, incremental=False)
    _assert_others_published(summary, out)
    [problem] = summary.problems
    assert (problem.source, problem.code) == (f"{VICTIM}.txt", "publish_failed")
    assert "发布时出错" in problem.message
    assert VICTIM not in _published_sources(out)
    assert not (out / "reports" / VICTIM.replace("_", "-")).exists()
    quality = (out / "data" / "quality.csv").read_text(encoding="utf-8")
    assert f"{VICTIM}" in quality or VICTIM.replace("_", "-") in quality


def test_strict_still_fails_when_a_report_is_left_out(content, tmp_path, monkeypatch):
    monkeypatch.setattr(package, "report_package", _fails_for_victim(package.report_package))
    out = tmp_path / "out"
    summary = build(content, out, strict=True, incremental=False)
    assert not summary.published
    assert not out.exists()


def test_the_command_line_names_the_file_and_exits_as_documented(content, tmp_path, monkeypatch, capsys):
    import build as cli

    monkeypatch.setattr(package, "report_package", _fails_for_victim(package.report_package))
    code = cli.main(["--content", str(content), "--output", str(tmp_path / "out"), "--no-cache"])
    printed = capsys.readouterr()
    assert code == 0
    assert f"{VICTIM}.txt: 发布时出错" in printed.out
    assert "Traceback" not in printed.out + printed.err
