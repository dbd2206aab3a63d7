"""Property-based tests: whatever text arrives, the reader and parser finish,
never raise, and publish no number that is not in the source.

Hypothesis generates arbitrary text and mutates the real seed reports
(deleting, duplicating and swapping lines, dropping characters, inserting
digits and noise); each example must finish within the deadline.
"""

from __future__ import annotations

import os
import re

import pytest
from conftest import SEEDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nianbao import check, parse, read_source
from nianbao.read import ReadError
from nianbao.text import normalise

SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
PROPERTIES = settings(
    # NIANBAO_EXAMPLES=1000 for a deep run; 40 keeps the suite quick.
    max_examples=int(os.environ.get("NIANBAO_EXAMPLES", "40")),
    # No deadline: how long a case takes depends on the machine and what else
    # runs on it (CI's two cores ran a 2-second case in 30); the arithmetic's
    # worst case is bounded by MAX_PLACEMENTS, and speed is the benchmark's.
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Characters reports are made of: labels, digits, placeholders, white space.
ALPHABET = st.sampled_from(
    list(
        "0123456789０１２３ \t\n|/—-无一二三四五六七（）()、.总计本年新收上年结转予以公开部分申请政府信息行政复议诉讼"
    )
)


def _read_and_parse(name: str, data: bytes):
    try:
        return check(parse(read_source(name, data)))
    except ReadError:
        return None  # a refused file is an answer too (empty, binary)


def _published_numbers_are_in_the_source(report, text: str) -> None:
    source = re.sub(r"[,\s]", "", normalise(text))
    for table in ("requests", "reviews", "proactive"):
        for key, cell in report.table(table).items():
            if cell.value is None or cell.status == "derived":
                continue
            assert cell.status == "printed", (table, key, cell)
            assert str(cell.value) in source, (table, key, cell.value)


@PROPERTIES
@given(st.text(alphabet=ALPHABET, max_size=3000))
def test_report_like_noise_never_raises(text):
    report = _read_and_parse("noise.txt", text.encode("utf-8"))
    if report is not None:
        _published_numbers_are_in_the_source(report, text)


@PROPERTIES
@given(st.binary(max_size=2000), st.sampled_from(["a.txt", "a.md", "a.tsv", "a.html", "a.pdf", "a.docx"]))
def test_arbitrary_bytes_are_refused_in_words_or_read_without_inventing(data, name):
    try:
        report = check(parse(read_source(name, data)))
    except ReadError as refused:
        assert re.search(r"[\u4e00-\u9fff]", str(refused)), str(refused)  # a reason a clerk can read
        return
    assert report.agency and report.report_id  # never an empty required field
    if name.endswith((".txt", ".md", ".tsv", ".html")):
        _published_numbers_are_in_the_source(report, data.decode("utf-8", errors="replace"))


@st.composite
def mutated_seed(draw):
    """A seed report with a few random edits of the kinds PDF-to-text makes."""
    lines = draw(st.sampled_from(SEED_TEXTS)).split("\n")
    for _ in range(draw(st.integers(1, 8))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["delete", "duplicate", "swap", "cut", "digits", "join", "noise"]))
        if edit == "delete":
            del lines[i]
        elif edit == "duplicate":
            lines.insert(i, lines[i])
        elif edit == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
        elif edit == "cut" and lines[i]:
            at = draw(st.integers(0, len(lines[i])))
            lines[i : i + 1] = [lines[i][:at], lines[i][at:]]
        elif edit == "digits":
            lines[i] += " " + " ".join(map(str, draw(st.lists(st.integers(0, 99999), max_size=9))))
        elif edit == "join" and i + 1 < len(lines):
            lines[i : i + 2] = [lines[i] + lines[i + 1]]
        elif edit == "noise":
            lines.insert(i, draw(st.text(alphabet=ALPHABET, max_size=80)))
    return "\n".join(lines)


@PROPERTIES
@given(mutated_seed())
def test_mutated_real_reports_never_raise_and_invent_no_number(text):
    report = _read_and_parse("mutated.txt", text.encode("utf-8"))
    if report is not None:
        _published_numbers_are_in_the_source(report, text)


@PROPERTIES
@given(
    mutated_seed(),
    st.sampled_from(["utf-8", "gb18030", "utf-16", "utf-16-le", "utf-16-be"]),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_encodings_and_line_ends_do_not_change_the_numbers(text, encoding, newline):
    plain = _read_and_parse("a.txt", text.encode("utf-8"))
    other = _read_and_parse("a.txt", text.replace("\n", newline).encode(encoding, errors="replace"))
    if plain is None or other is None or "\r" in text or "\ufffd" in text:
        return
    if text.encode(encoding, errors="replace").decode(encoding) != text:
        return  # characters the encoding cannot hold
    values = lambda r: {k: c.value for k, c in r.requests.items()}  # noqa: E731
    assert values(plain) == values(other)


# --- edits that lose nothing: every cell must still be exactly right ----------------------

SEED_NAMES = [p.stem for p in sorted(SEEDS.glob("*.txt"))]


@st.composite
def harmless_edits(draw):
    """A seed with edits that carry no information: blank lines, trailing
    white space, page marks between lines, other line ends."""
    name = draw(st.sampled_from(SEED_NAMES))
    lines = (SEEDS / f"{name}.txt").read_text(encoding="utf-8").split("\n")
    for _ in range(draw(st.integers(1, 12))):
        i = draw(st.integers(0, len(lines)))
        edit = draw(st.sampled_from(["blank", "trailing", "page"]))
        if edit == "blank":
            lines.insert(i, "")
        elif edit == "trailing" and i < len(lines) and "\t" not in lines[i]:
            lines[i] += draw(st.sampled_from([" ", "  ", "\u3000", " \u00a0"]))
        elif edit == "page":
            lines.insert(i, draw(st.sampled_from(["— 3 —", "-12-", "第 4 页", "第4页 共9页"])))
    return name, draw(st.sampled_from(["\n", "\r\n"])).join(lines)


def _every_cell_as_expected(report, name: str) -> None:
    from conftest import expected

    from tools.score import expected_cells, matches

    for table, row, column, want in expected_cells(expected(name)):
        got = report.value(table, row, column)
        assert matches(got, want), (name, table, row, column, got, want)


@PROPERTIES
@given(harmless_edits())
def test_edits_that_carry_no_information_change_no_cell(example):
    name, text = example
    report = _read_and_parse(f"{name}.txt", text.encode("utf-8"))
    assert report is not None
    _every_cell_as_expected(report, name)


def test_the_property_fails_when_any_single_cell_changes():
    """Mutation check: the property above notices a change to any one cell."""
    import copy

    from conftest import expected

    from nianbao.model import Cell
    from tools.score import expected_cells

    name = SEED_NAMES[0]
    report = _read_and_parse(f"{name}.txt", (SEEDS / f"{name}.txt").read_bytes())
    _every_cell_as_expected(report, name)
    cells = list(expected_cells(expected(name)))
    assert len(cells) == 25 * 7 + 15 + 10
    for table, row, column, _ in cells:
        broken = copy.deepcopy(report)
        value = broken.value(table, row, column)
        broken.table(table)[(row, column)] = Cell.printed((value or 0) + 1)
        with pytest.raises(AssertionError):
            _every_cell_as_expected(broken, name)


def test_the_property_catches_an_invented_number():
    from nianbao.model import Cell

    text = SEED_TEXTS[0]
    report = _read_and_parse("a.txt", text.encode("utf-8"))
    _published_numbers_are_in_the_source(report, text)
    report.requests[("granted", "total")] = Cell.printed(987654321)
    with pytest.raises(AssertionError):
        _published_numbers_are_in_the_source(report, text)


# --- hostile content, inherited by every format ------------------------------------------------------------


@st.composite
def mutated_crawler_text(draw):
    """A seed as a crawler saves its web page (cells glued), with random edits."""
    import json

    from conftest import EXPECTED
    from formatkit import report_crawler_text

    path = draw(st.sampled_from(sorted(EXPECTED.glob("*.json"))))
    text = report_crawler_text(json.loads(path.read_text(encoding="utf-8")), draw(st.booleans()))
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "delete", "digits"]))
        if edit == "insert":
            text = text[:at] + draw(st.text(alphabet=ALPHABET, max_size=12)) + text[at:]
        elif edit == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 12)) :]
        else:
            text = text[:at] + str(draw(st.integers(0, 10**9))) + text[at:]
    return text


@pytest.mark.slow
@PROPERTIES
@given(mutated_crawler_text())
def test_mutated_crawler_text_never_raises_and_invents_no_number(text):
    report = _read_and_parse("page.txt", text.encode("utf-8"))
    if report is not None:
        _published_numbers_are_in_the_source(report, text)


YAML_PIECES = st.sampled_from(
    [
        "agency: ",
        "year: ",
        "id: ",
        "&a ",
        "*a",
        "[",
        "]",
        "{",
        "}",
        ", ",
        "\n",
        "'",
        '"',
        "!!python/object ",
        "2022",
        "某局",
        "- ",
    ]
)


@PROPERTIES
@given(st.lists(YAML_PIECES, max_size=60))
def test_any_front_matter_is_read_or_refused_quickly_and_never_raises(pieces):
    import time

    text = "---\n" + "".join(pieces) + "\n---\n" + SEED_TEXTS[2]
    started = time.perf_counter()
    report = _read_and_parse("fm.txt", text.encode("utf-8"))
    assert time.perf_counter() - started < 5
    assert report is not None  # front matter never costs the report


@PROPERTIES
@given(st.text(max_size=40))
def test_no_published_text_cell_can_start_a_formula(name):
    import csv
    import io

    from nianbao.model import FORMULA_START
    from nianbao.publish.package import to_csv

    row = {"report_id": "r-1", "agency": name or "x", "year": 2022, "template": "2021", "source": name or "x"}
    row |= {
        "level": "unknown",
        "kind": "other",
        "title": name,
        "region": name,
        "errors": 0,
        "warnings": 0,
        "infos": 0,
    }
    for cells in csv.reader(io.StringIO(to_csv("reports", [row]), newline="")):
        assert not any(cell.startswith(FORMULA_START) for cell in cells)


@PROPERTIES
@given(st.text(alphabet="&<>\"'ab年\n", max_size=40))
def test_xml_escape_is_the_standard_librarys(text):
    from xml.sax.saxutils import escape

    from nianbao.text import xml_escape

    assert xml_escape(text) == escape(text)
    assert xml_escape(text, quote=True) == escape(text, {'"': "&quot;"})


def test_a_build_starts_without_the_network_modules():
    # xml.sax.saxutils pulled in urllib.request, http, ssl and email: 30 ms of every start
    import subprocess
    import sys

    code = (
        "import sys, nianbao.site; print(sorted({'urllib.request', 'http.client', 'ssl'} & set(sys.modules)))"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "[]"
