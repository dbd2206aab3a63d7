"""Web pages, Word files and PDFs read like the text they contain.

The seed reports are made into HTML and DOCX here (``formatkit``) and were
printed to PDF with LibreOffice (``tests/data/make_formats.py``); every cell
must come back exact.  The corpus's real PDFs are read the same way.
"""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import EXPECTED, ROOT, SEED_NAMES
from formatkit import docx_from_body, report_docx, report_html

from nianbao.read import ReadError, docx, html, pdf, read_source
from nianbao.read.grid import expand, to_lines
from nianbao.site import build
from tools.score import score

FORMATS = ROOT / "tests" / "data" / "formats"
CORPUS = ROOT.parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="the corpus is not beside the project")


def _expected(folder, name):
    return json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))


def _build_and_score(tmp_path, files: dict[str, bytes], expected):
    content = tmp_path / "content"
    content.mkdir()
    for name, data in files.items():
        (content / name).write_bytes(data)
    summary = build(content, tmp_path / "out")
    assert summary.problems == []
    return score(tmp_path / "out", expected)


# --- the seeds in every format -------------------------------------------------


def test_seeds_as_web_pages_give_every_cell(tmp_path):
    files = {f"{n}.html": report_html(_expected(EXPECTED, n)).encode() for n in SEED_NAMES}
    result = _build_and_score(tmp_path, files, EXPECTED)
    assert (result.exact, result.flagged, result.unflagged, result.metadata) == (1000, 0, 0, [])


@pytest.mark.slow
def test_seeds_as_word_files_give_every_cell(tmp_path):
    files = {f"{n}.docx": report_docx(_expected(EXPECTED, n)) for n in SEED_NAMES}
    result = _build_and_score(tmp_path, files, EXPECTED)
    assert (result.exact, result.flagged, result.unflagged, result.metadata) == (1000, 0, 0, [])


@pytest.mark.slow
def test_seeds_printed_to_pdf_give_every_cell(tmp_path):
    files = {p.name: p.read_bytes() for p in FORMATS.glob("*.pdf")}
    assert len(files) == 5
    result = _build_and_score(tmp_path, files, EXPECTED)
    assert (result.exact, result.flagged, result.unflagged, result.metadata) == (1000, 0, 0, [])


@pytest.mark.slow
def test_seeds_printed_with_borderless_tables_give_every_cell(tmp_path):
    # Narrow label columns wrap every two characters, beside each other:
    # "（三" / "）不" / "予公" / "开" next to "1.属" / "于国" / "家秘" / "密".
    files = {p.name: p.read_bytes() for p in (FORMATS / "borderless").glob("*.pdf")}
    assert len(files) == 2
    result = _build_and_score(tmp_path, files, EXPECTED)
    assert (result.exact, result.unflagged, result.metadata) == (400, 0, [])


# --- the corpus --------------------------------------------------------------


@pytest.mark.slow
@needs_corpus
@pytest.mark.parametrize("suffix", [".pdf", ".txt"])
def test_corpus_originals_give_every_cell(tmp_path, suffix):
    files = {p.name: p.read_bytes() for p in CORPUS.glob(f"*{suffix}")}
    result = _build_and_score(tmp_path, files, CORPUS / "expected")
    assert (result.exact, result.flagged, result.unflagged, result.metadata) == (600, 0, 0, [])


@pytest.mark.slow
@needs_corpus
def test_corpus_as_web_pages_and_word_files_give_every_cell(tmp_path):
    names = [p.stem for p in (CORPUS / "expected").glob("*.json")]
    files = {f"{n}.html": report_html(_expected(CORPUS / "expected", n)).encode() for n in names[:2]}
    files |= {f"{n}.docx": report_docx(_expected(CORPUS / "expected", n)) for n in names[2:]}
    result = _build_and_score(tmp_path, files, CORPUS / "expected")
    assert (result.exact, result.unflagged, result.metadata) == (600, 0, [])


# --- merged cells ----------------------------------------------------------------


def test_merged_cells_are_expanded_with_their_text_once():
    rows = [
        [("三、办理结果", 2, 1), ("（一）予以公开", 1, 2), ("5", 1, 1)],
        [("1.属于国家秘密", 1, 1), ("", 1, 1), ("0", 1, 1)],
    ]
    assert expand(rows) == [["三、办理结果", "（一）予以公开", "", "5"], ["", "1.属于国家秘密", "", "0"]]


def test_grid_lines_are_tab_separated_and_empty_rows_dropped():
    assert to_lines([["a\u00a0 b", "1"], ["", " "]]) == ["a b\t1"]


# --- HTML ------------------------------------------------------------------------


def test_html_blocks_become_lines_and_tables_become_tab_separated_rows():
    page = b"""<html><head><title>T</title><style>p{}</style></head><body>
    <p>\xe4\xb8\x80\xe3\x80\x81<span>overview</span></p><div>line&nbsp;two</div>
    <table><tr><td rowspan="2">label</td><td><p>1</p></td></tr><tr><td>&nbsp;</td></tr></table>
    <script>document.write("<table><tr><td>9</td></tr></table>")</script></body></html>"""
    assert html.to_text(page).split("\n") == ["T", "", "一、overview", "", "line two", "", "label\t1"]


def test_a_table_laying_out_the_page_is_read_as_blocks_around_the_real_table():
    page = "<table><tr><td>标题<table><tr><td>内</td><td>7</td></tr></table></td><td>8</td></tr></table>"
    assert html.to_text(page.encode()).split("\n") == ["标题", "内\t7", "", "8"]


def test_html_declared_gb2312_is_decoded():
    page = '<html><head><meta charset="gb2312"></head><body><p>收到申请5件</p></body></html>'.encode(
        "gb18030"
    )
    assert "收到申请5件" in html.to_text(page)


def test_a_page_whose_report_is_an_attachment_is_named_as_such():
    page = "<html><body><h1>2023年年报</h1><a href='/u/nb2023.pdf'>下载</a></body></html>"
    with pytest.raises(ReadError, match=r"附件.*nb2023\.pdf"):
        html.to_text(page.encode())


def test_a_page_whose_tables_are_pictures_is_named_as_such():
    page = "<html><body><p>2023年年报</p><img src='t3.png'><img src='t4.png'></body></html>"
    with pytest.raises(ReadError, match="表格是图片"):
        html.to_text(page.encode())


def test_html_files_are_read_through_read_source():
    source = read_source(
        "a/b.htm", "<p>一、总体情况</p><table><tr><td>x</td><td>1</td></tr></table>".encode()
    )
    assert (source.layout, source.meta) == ("html", {})
    assert "x\t1" in source.text


# --- Word --------------------------------------------------------------------------


def test_word_merged_cells_are_read_once():
    import io

    import docx as python_docx

    document = python_docx.Document()
    document.add_paragraph("标题")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "（三）不予公开"
    table.cell(0, 1).text, table.cell(0, 2).text = "1.属于国家秘密", "4"
    table.cell(1, 1).merge(table.cell(1, 2)).text = "合并"
    buffer = io.BytesIO()
    document.save(buffer)
    assert docx.to_text(buffer.getvalue()).split("\n") == [
        "标题",
        "",
        "（三）不予公开\t1.属于国家秘密\t4",
        "\t合并",
    ]


def _p(*runs: str) -> str:
    return "<w:p>" + "".join(f'<w:r><w:t xml:space="preserve">{r}</w:t></w:r>' for r in runs) + "</w:p>"


def _tc(text: str, properties: str = "") -> str:
    return f"<w:tc><w:tcPr>{properties}</w:tcPr>{_p(text)}</w:tc>"


def _span(columns) -> str:
    return f'<w:gridSpan w:val="{columns}"/>'


def test_word_runs_tabs_and_breaks_read_as_word_shows_them():
    body = (
        "<w:p><w:r><w:t>一、总体</w:t><w:tab/><w:t>情况</w:t><w:br/><w:t>续</w:t></w:r>"
        '<w:r><w:br w:type="page"/><w:noBreakHyphen/><w:t>完</w:t></w:r></w:p>'
    )
    assert (
        docx.to_text(docx_from_body(body)) == "一、总体 情况 续-完"
    )  # clean() makes one line of a paragraph


def test_word_text_in_links_insertions_and_content_controls_is_read_and_deletions_are_not():
    body = (
        "<w:p><w:hyperlink><w:r><w:t>链接</w:t></w:r></w:hyperlink>"
        "<w:ins><w:r><w:t>插入</w:t></w:r></w:ins>"
        "<w:del><w:r><w:delText>删除</w:delText></w:r></w:del>"
        "<w:sdt><w:sdtContent><w:r><w:t>控件</w:t></w:r></w:sdtContent></w:sdt></w:p>"
        f"<w:sdt><w:sdtContent>{_p('块里的段落')}</w:sdtContent></w:sdt>"
    )
    assert docx.to_text(docx_from_body(body)).split("\n") == ["链接插入控件", "块里的段落"]


def test_word_vertical_and_horizontal_merges_are_read_once():
    restart, more = '<w:vMerge w:val="restart"/>', "<w:vMerge/>"
    body = (
        "<w:tbl>"
        f"<w:tr>{_tc('（三）不予公开', restart)}{_tc('1.属于国家秘密')}{_tc('4')}</w:tr>"
        f"<w:tr>{_tc('', more)}{_tc('合并', _span(2))}</w:tr>"
        f"<w:tr>{_tc('', more)}{_tc('2.其他')}{_tc('5')}</w:tr>"
        "</w:tbl>"
    )
    assert docx.to_text(docx_from_body(body)).split("\n") == [
        "（三）不予公开\t1.属于国家秘密\t4",
        "\t合并\t",
        "\t2.其他\t5",
    ]


def test_a_word_row_that_starts_later_keeps_its_cells_in_their_columns():
    body = (
        "<w:tbl>"
        f"<w:tr>{_tc('项目')}{_tc('自然人')}{_tc('总计')}</w:tr>"
        f'<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>{_tc("3")}{_tc("3")}</w:tr>'
        "</w:tbl>"
    )
    assert docx.to_text(docx_from_body(body)).split("\n") == ["项目\t自然人\t总计", "\t3\t3"]


def test_word_spans_past_any_real_grid_are_cut_to_it():
    body = f"<w:tbl><w:tr>{_tc('x', _span(100_000_000))}{_tc('y', _span('x'))}</w:tr></w:tbl>"
    assert docx.to_text(docx_from_body(body)) == "x" + "\t" * 63 + "y"


def test_a_damaged_word_file_is_a_read_error():
    with pytest.raises(ReadError, match="不是有效的 Word"):
        docx.to_text(b"PK\x03\x04 not really a zip")


# --- PDF -------------------------------------------------------------------------


def _word(text, x0, top, height=10.0, width=None):
    return {"text": text, "x0": x0, "x1": x0 + (width or 10 * len(text)), "top": top, "bottom": top + height}


def test_pdf_numbers_centred_beside_a_label_set_higher_stay_on_its_line():
    # The label's top is 2.5 points below the numbers' top: grouping by the
    # top edge alone would put them on separate lines.
    words = [_word("1.属于国家秘密", 100, 402.5, 9), _word("1", 320, 400, 14), _word("1", 500, 400, 14)]
    assert [line.split() for _, line in pdf.page_lines(words)] == [["1.属于国家秘密", "1", "1"]]


def test_pdf_lines_keep_reading_order_and_columns_apart():
    words = [_word("b", 10, 30), _word("a", 10, 10), _word("0", 30, 30), _word("0", 41, 30)]
    assert [line for _, line in pdf.page_lines(words)] == ["a", "b 0 0"]


def test_pdf_labels_wrapped_in_narrow_columns_are_glued_back_to_their_row():
    words = [
        _word("（三", 10, 100), _word("1.属", 40, 100), *[_word("0", 100 + 20 * i, 100) for i in range(7)],
        _word("）不", 10, 112), _word("于国", 40, 112),
        _word("予公", 10, 124), _word("家秘", 40, 124),
        _word("开", 10, 136), _word("密", 40, 136),
        _word("五、存在的主要问题及改进情况", 10, 160),
    ]  # fmt: skip
    lines = [line.split() for _, line in pdf.page_lines(words)]
    assert lines == [["（三）不予公开", "1.属于国家秘密", *["0"] * 7], ["五、存在的主要问题及改进情况"]]


def _blank_pdf() -> bytes:
    """A valid one-page PDF with no text at all, as a scanner without OCR makes."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def test_a_pdf_without_text_needs_ocr():
    with pytest.raises(ReadError, match=r"没有文字层.*OCR"):
        pdf.to_text(_blank_pdf())


def test_a_truncated_pdf_is_a_read_error():
    data = (FORMATS / f"{SEED_NAMES[0]}.pdf").read_bytes()
    with pytest.raises(ReadError, match="损坏"):
        pdf.to_text(data[: len(data) // 3])


def test_pdf_fixtures_are_committed_not_built(tmp_path):
    # The PDFs are made with LibreOffice by hand; CI reads them as they are.
    assert shutil.which("python")  # the check below needs no office suite
    assert all((FORMATS / f"{n}.pdf").stat().st_size < 200_000 for n in SEED_NAMES)
