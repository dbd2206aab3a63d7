"""Every number of the five seed reports, against the hand transcription."""

import pytest
from conftest import SEED_NAMES, SEEDS, expected, matches

from nianbao import parse, read_source
from nianbao.template import TEMPLATE_2021 as T
from tools.score import expected_cells


def parsed(name):
    path = SEEDS / f"{name}.txt"
    return parse(read_source(path.name, path.read_bytes()))


def cells(name):
    """(table, row, column, got, want) for every cell the expected file lists."""
    report = parsed(name)
    for table, row, col, want in expected_cells(expected(name)):
        yield table, row, col, report.table(table)[(row, col)].value, want


@pytest.mark.parametrize("name", SEED_NAMES)
def test_every_seed_number_is_right(name):
    wrong = [c for c in cells(name) if not matches(c[3], c[4])]
    assert wrong == []
    assert len(list(cells(name))) == 25 * 7 + 15 + 10


@pytest.mark.parametrize("name", SEED_NAMES)
def test_agency_and_year_come_from_the_text_alone(name):
    report, exp = parsed(name), expected(name)
    assert (report.agency, report.year) == (exp["agency"], exp["year"])
    assert report.metadata_origin == {"agency": "text", "year": "text"}


def test_seed_001s_short_rows_are_settled_by_the_arithmetic_and_reported():
    report = parsed("001_07ea97a0e0dbb2b9")
    granted = [report.requests[("granted", c)] for c in T.applicant_codes]
    assert [c.value for c in granted] == [2, 0, 0, 0, 0, 0, 2]
    # The two ends are printed in every reading of the row; the middle is not.
    assert [c.status for c in granted] == ["printed"] + ["derived"] * 5 + ["printed"]
    short = [f for f in report.findings if f.code == "short_row"]
    assert [f.row for f in short] == ["granted", "partially_granted"]
    assert all("6个数" in f.message for f in short)


def test_seed_002s_blank_rows_are_derived_and_its_blank_reconsideration_stays_null():
    report = parsed("002_86e56b1db52c9874")
    assert report.requests[("other_other", "total")].status == "derived"
    assert report.requests[("other_other", "total")].value == 0
    assert {report.reviews[("reconsideration", o)].status for o in ("upheld", "total")} == {"blank"}
    assert report.reviews[("reconsideration", "total")].value is None
    assert report.reviews[("litigation_direct", "upheld")].value == 1
    assert any(f.code == "table_missing" and f.table == "proactive" for f in report.findings)


def test_seed_layouts_are_recognised():
    layouts = {name: parsed(name).layout for name in SEED_NAMES}
    assert layouts == {
        "000_3925396cff2e10ed": "text",
        "001_07ea97a0e0dbb2b9": "tsv",
        "002_86e56b1db52c9874": "markdown+tsv",
        "003_9575e5b310ab3ea7": "text",
        "004_5c62533f5d23ed68": "markdown+tsv",
    }


def test_prose_sections_are_found_in_every_seed():
    for name in SEED_NAMES:
        report = parsed(name)
        assert set(report.prose) == {"overview", "problems", "other"}, name
        assert all(text.strip() for text in report.prose.values()), name
