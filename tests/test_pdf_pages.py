"""PDF pages read with PDFium give the very text pdfplumber gives, faster.

The reader takes characters and ruling lines from PDFium in pdfplumber's
shapes (nianbao/read/pdfpages.py) and reads with pdfplumber any page PDFium
cannot describe alike.  Whatever path a page takes, the text must be the same.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from nianbao.read import pdf, pdfpages
from tools import generate
from tools.generate import TEMPLATES, _document, _prose, proactive_rows, tables

PDFS = sorted((ROOT / "tests" / "data").rglob("*.pdf"))
CORPUS = ROOT.parent / "shared" / "corpus"


def _same_text(path: Path) -> None:
    data = path.read_bytes()
    try:
        expected = pdf._read_with_pdfplumber(data)
    except Exception as exc:  # a damaged or encrypted file: the same refusal either way
        with pytest.raises(type(exc)):
            pdf.to_text(data)
        return
    assert pdf.to_text(data) == expected, path.name


@pytest.mark.parametrize("path", PDFS, ids=[p.name for p in PDFS])
def test_every_pdf_of_the_tests_reads_as_pdfplumber_reads_it(path):
    _same_text(path)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the corpus is not beside the project")
@pytest.mark.slow
def test_the_official_pdfs_read_as_pdfplumber_reads_them():
    paths = sorted(CORPUS.glob("*.pdf"))
    assert paths
    for path in paths:
        _same_text(path)
        with pdfium.PdfDocument(path.read_bytes()) as document:
            assert all(pdfpages.pages(document)), path.name  # every page read with PDFium


def _generated_pdf(font: str) -> bytes:
    import random

    rng = random.Random(1)
    T = TEMPLATES["2021"]
    rows, reviews = tables(rng, None, T)
    proactive = proactive_rows(rng, [1, 9], T)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(generate, "pdf_font", lambda: font)
        return _document("pdf", "某局2023年", _prose("某局", 2023, 5), rows, reviews, proactive, T)


@pytest.mark.parametrize("font", ["STSong-Light", "WenQuanYi"])
def test_a_generated_pdf_reads_as_pdfplumber_reads_it_whatever_its_font(font):
    # STSong-Light is not embedded: whether PDFium can measure a label's last
    # character left alone on its line ("办理结" / "果") depends on the fonts
    # of the machine; where it cannot, its text page drops it and that page
    # goes to pdfplumber.  Either way the text is pdfplumber's.
    if font == "WenQuanYi" and not Path(generate.CJK_FONT).is_file():
        pytest.skip("fonts-wqy-microhei is not installed")
    data = _generated_pdf(font)
    text = pdf.to_text(data)
    assert text == pdf._read_with_pdfplumber(data)
    assert "三、本年度办理结果" in text and "5.属于三类内部事务信息" in text


def test_a_page_pdfium_cannot_describe_is_read_with_pdfplumber(monkeypatch):
    data = (ROOT / "tests" / "data" / "formats" / "000_3925396cff2e10ed.pdf").read_bytes()
    expected = pdf._read_with_pdfplumber(data)
    described = pdfpages._page
    asked = []

    def not_the_second(page):
        asked.append(page)
        return None if len(asked) == 2 else described(page)

    monkeypatch.setattr(pdfpages, "_page", not_the_second)
    with pdfium.PdfDocument(data) as document:
        read = pdfpages.pages(document)
    assert read[1] is None and all(p is not None for i, p in enumerate(read) if i != 1)
    asked.clear()
    assert pdf.to_text(data) == expected


# --- the helpers that stand in for pdfplumber's, against pdfplumber's own --------------------

# Characters on a coarse grid, so that lines, words and gaps collide often.
_char = st.builds(
    lambda text, x, width, top, size: {
        "text": text,
        "x0": float(x),
        "x1": float(x + width),
        "top": float(top),
        "bottom": float(top + size),
        "doctop": float(top),
        "width": float(width),
        "height": float(size),
        "size": float(size),
        "upright": True,
    },
    st.sampled_from([*"12 3,4ﬁ年报", "\u3000"]),
    st.integers(0, 60),
    st.integers(0, 6),
    st.integers(0, 14),
    st.integers(1, 12),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_char, max_size=25))
def test_words_and_cell_text_are_pdfplumbers(chars):
    from pdfplumber.utils import extract_text, extract_words

    assert pdfpages.words(chars) == extract_words(chars)
    assert pdfpages.cell_text(chars) == extract_text(chars)


_cell = st.builds(
    lambda x, y, w, h: (x, y, x + w, y + h),
    st.integers(0, 6),
    st.integers(0, 6),
    st.integers(1, 3),
    st.integers(1, 3),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_cell, max_size=30, unique=True))
def test_cells_group_into_the_tables_pdfplumber_finds(cells):
    from pdfplumber.table import cells_to_tables

    found = pdfpages._tables(cells)
    expected = cells_to_tables(cells)
    # the same tables in the same order; a table's cells in any order (its rows sort them)
    assert [sorted(t) for t in found] == [sorted(t) for t in expected]


def _by_testing_every_cell(cells, in_row):
    found = {}
    for cell in cells:
        if cell is not None:
            x0, y0, x1, y1 = cell
            found[cell] = [c for v, h, _, c in in_row if x0 <= h < x1 and y0 <= v < y1]
    return found


@pytest.mark.parametrize(
    "cells",
    [
        [(0, 0, 10, 5), None, (10, 0, 20, 8), (20, 0, 30, 5)],  # a merged slot, a taller cell
        [(0, 0, 12, 5), (10, 0, 20, 5)],  # overlapping cells: each is tested
    ],
)
def test_each_character_goes_to_the_cell_its_centre_is_in(cells):
    # (centre height, centre x, page order, character); on edges, outside, in the taller cell
    points = [
        (1, 0, 0, "a"),
        (1, 10, 1, "b"),
        (1, 11, 2, "c"),
        (7, 15, 3, "d"),
        (7, 5, 4, "e"),
        (1, 30, 5, "f"),
    ]
    assert pdf._chars_by_cell(cells, points) == _by_testing_every_cell(cells, points)


def test_characters_are_the_same_asked_one_by_one(monkeypatch):
    # The code points come in one call unless the text is not one UTF-16 unit
    # a character (a character outside the BMP, one with no code): then each
    # character is asked for its own.
    data = (ROOT / "tests" / "data" / "formats" / "000_3925396cff2e10ed.pdf").read_bytes()
    with pdfium.PdfDocument(data) as document:
        at_once = [p.chars for p in pdfpages.pages(document)]
    monkeypatch.setattr(pdfpages, "_codes", lambda text, count: None)
    with pdfium.PdfDocument(data) as document:
        one_by_one = [p.chars for p in pdfpages.pages(document)]
    assert at_once == one_by_one and sum(map(len, at_once)) > 500
