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

from nianbao.read import pdf, pdfpages
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
def test_the_official_pdfs_read_as_pdfplumber_reads_them():
    paths = sorted(CORPUS.glob("*.pdf"))
    assert paths
    for path in paths:
        _same_text(path)
        with pdfium.PdfDocument(path.read_bytes()) as document:
            assert all(pdfpages.pages(document)), path.name  # every page read with PDFium


def test_a_page_whose_text_pdfium_leaves_out_is_read_with_pdfplumber():
    # A non-embedded CID font (as tools/generate.py writes) where a wrapped
    # label leaves one character alone on its line ("办理结" / "果"): PDFium
    # measures that text object as empty and its text page drops it.
    import random

    rng = random.Random(1)
    T = TEMPLATES["2021"]
    rows, reviews = tables(rng, None, T)
    data = _document(
        "pdf", "某局2023年", _prose("某局", 2023, 5), rows, reviews, proactive_rows(rng, [1, 9], T), T
    )
    with pdfium.PdfDocument(data) as document:
        read = pdfpages.pages(document)
    assert None in read  # that page goes to pdfplumber
    text = pdf.to_text(data)
    assert text == pdf._read_with_pdfplumber(data)
    assert "三、本年度办理结果" in text
