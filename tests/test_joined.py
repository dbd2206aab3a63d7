"""The portal's CSV files are joined from the reports' lines, an unchanged
report's copied from the last site's files (nianbao.publish.joined)."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from nianbao.publish import joined
from nianbao.publish.package import join_tables
from nianbao.publish.writer import Writer

NAMES = ["reports", "requests", "labels"]


def _lines(rid: str, version: int = 0) -> dict[str, bytes]:
    rows = random.Random(f"{rid}{version}").randint(1, 4)
    return {
        "reports": f"{rid},{version}\n".encode(),
        "requests": b"".join(f"{rid},row{i},{version}\n".encode() for i in range(rows)),
    }


def _write(folder: Path, reports, lines, last=None, index=None, asked=None):

    def own(rid: str):
        if asked is not None:
            asked.append(rid)
        return lines[rid]

    tail = {"reports": b"problem,1\n"}
    keys = [(rid, f"{rid}-{lines[rid]['reports'].decode().strip()}") for rid in reports]
    written = joined.write_tables(Writer(folder.parent), folder.name, NAMES, keys, own, tail, last, index)
    return joined.signed(written, folder)


def _expected(reports, lines) -> dict[str, bytes]:
    return join_tables([*(lines[rid] for rid in reports), {"reports": b"problem,1\n"}], NAMES)


def _files(folder: Path) -> dict[str, bytes]:
    return {f"{name}.csv": (folder / f"{name}.csv").read_bytes() for name in NAMES}


def test_the_first_build_joins_every_reports_lines(tmp_path):
    reports = [f"r{i}" for i in range(5)]
    lines = {rid: _lines(rid) for rid in reports}
    _write(tmp_path / "a", reports, lines)
    assert _files(tmp_path / "a") == _expected(reports, lines)


@pytest.mark.parametrize("seed", range(6))
def test_a_rebuild_copies_the_unchanged_reports_and_writes_the_same_bytes(tmp_path, seed):
    rng = random.Random(seed)
    reports = [f"r{i}" for i in range(30)]
    lines = {rid: _lines(rid) for rid in reports}
    index = _write(tmp_path / "a", reports, lines)
    # an edit, an addition, a deletion and a move in the order
    edited = rng.choice(reports)
    lines[edited] = _lines(edited, 1)
    reports.remove(rng.choice([r for r in reports if r != edited]))
    reports.insert(rng.randrange(len(reports)), "new")
    lines["new"] = _lines("new")
    moved = reports.pop(rng.randrange(len(reports)))
    reports.insert(rng.randrange(len(reports)), moved)
    asked: list[str] = []
    again = _write(tmp_path / "b", reports, lines, tmp_path / "a", index, asked)
    assert _files(tmp_path / "b") == _expected(reports, lines)
    assert sorted(asked) == sorted({edited, "new"})  # the others were copied
    written = joined.Written(tmp_path / "b", again, {rid: {"small": rid} for rid in reports})
    try:
        for rid in reports:
            got = written[rid]
            assert got["small"] == rid
            assert got["requests"] == lines[rid]["requests"] and got["labels"] == b""
    finally:
        written.close()


def test_a_last_site_that_is_not_the_one_recorded_is_not_copied(tmp_path):
    reports = [f"r{i}" for i in range(8)]
    lines = {rid: _lines(rid) for rid in reports}
    index = _write(tmp_path / "a", reports, lines)
    table = tmp_path / "a" / "requests.csv"
    table.write_bytes(table.read_bytes().replace(b"row0", b"ROW0"))  # changed by hand since
    asked: list[str] = []
    _write(tmp_path / "b", reports, lines, tmp_path / "a", index, asked)
    assert _files(tmp_path / "b") == _expected(reports, lines)
    assert sorted(asked) == sorted(reports)


def test_a_last_site_restored_from_an_archive_is_copied_from(tmp_path):
    reports = [f"r{i}" for i in range(8)]
    lines = {rid: _lines(rid) for rid in reports}
    index = _write(tmp_path / "a", reports, lines)
    restored = tmp_path / "restored"
    restored.mkdir()
    for path in (tmp_path / "a").iterdir():  # new inodes and times, the same bytes
        (restored / path.name).write_bytes(path.read_bytes())
    asked: list[str] = []
    _write(tmp_path / "b", reports, lines, restored, index, asked)
    assert _files(tmp_path / "b") == _expected(reports, lines) and asked == []


def test_without_copy_file_range_the_lines_are_read_and_written(tmp_path, monkeypatch):
    reports = [f"r{i}" for i in range(8)]
    lines = {rid: _lines(rid) for rid in reports}
    index = _write(tmp_path / "a", reports, lines)

    def refused(*args):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "copy_file_range", refused, raising=False)
    asked: list[str] = []
    _write(tmp_path / "b", reports, lines, tmp_path / "a", index, asked)
    assert _files(tmp_path / "b") == _expected(reports, lines) and asked == []


def test_an_index_that_is_not_one_is_empty(tmp_path):
    assert joined.Index.from_kept({}).order == []
    assert joined.Index.from_kept({"files": [], "order": [], "keys": [], "spans": {}}).files == {}
    reports = [f"r{i}" for i in range(3)]
    kept = _write(tmp_path / "a", reports, {rid: _lines(rid) for rid in reports}).kept()
    assert joined.Index.from_kept(kept).order == reports
    assert joined.Index.from_kept({**kept, "files": {"reports": (1, 2, 3)}}).order == []  # an older one
    assert joined.Index.from_kept({**kept, "keys": kept["keys"][:2]}).order == []
