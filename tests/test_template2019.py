"""The 2019-2020 template: detected from the report, read into its own fields."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT
from formatkit import report_docx, report_html
from reportkit import GOOD, codes, parse_text, report_text

from nianbao.site import build
from nianbao.template import TEMPLATE_2019
from tools.score import score

FOLDER = ROOT / "tests" / "data" / "template2019"
EXPECTED = json.loads((FOLDER / "dongan-2019.json").read_text(encoding="utf-8"))
TEXT = (FOLDER / "dongan-2019.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("suffix", [".txt", ".html", ".docx"])
def test_a_2019_report_gives_every_cell_in_every_format(tmp_path, suffix):
    content = tmp_path / "content"
    content.mkdir()
    data = {
        ".txt": TEXT.encode(),
        ".html": report_html(EXPECTED).encode(),
        ".docx": report_docx(EXPECTED),
    }[suffix]
    (content / f"dongan-2019{suffix}").write_bytes(data)
    summary = build(content, tmp_path / "out")
    assert summary.package_errors == []
    result = score(tmp_path / "out", FOLDER)
    # 23 x 7 in 三, 15 in 四, 22 in 二
    assert (result.exact, result.flagged, result.unflagged, result.metadata) == (198, 0, 0, [])


def test_the_2019_report_has_23_rows_and_its_own_table_two():
    report = parse_text(TEXT)
    assert report.template == "2019"
    assert {row for row, _ in report.requests} == {r.code for r in TEMPLATE_2019.rows}
    assert report.requests[("other_processing", "total")].value == 1
    assert report.proactive[("administrative_licensing", "items_change")].value == -2
    assert str(report.proactive[("centralized_procurement", "procurement_amount")].value) == "1526.4"
    assert ("regulations", "issued") not in report.proactive  # never forced into 2021's fields
    assert [f for f in report.findings if f.severity != "info"] == []


def test_without_table_two_the_year_decides():
    no_table_two = TEXT[: TEXT.index("    二、主动公开")] + TEXT[TEXT.index("    三、收到和处理") :]
    assert parse_text(no_table_two).template == "2019"
    assert parse_text(no_table_two.replace("2019 年", "2022 年")).template == "2021"


def test_a_2021_report_on_the_old_form_is_read_as_2019_with_a_warning():
    report = parse_text(TEXT.replace("2019 年", "2022 年"))
    assert report.template == "2019"
    assert "template_year_mismatch" in codes(report)
    assert report.proactive[("regulations", "published_total")].value == 3


def test_a_2021_report_is_not_read_as_2019():
    report = parse_text(report_text())
    assert report.template == "2021"
    assert report.requests[("granted", "total")].value == GOOD["granted"][6]


def test_a_negative_number_is_a_change_only_where_the_template_allows_it():
    report = parse_text(
        TEXT.replace("规章                   0                0                 3", "规章 0 0 -3")
    )
    assert report.proactive[("regulations", "published_total")].value is None
    assert "not_a_number" in codes(report)
