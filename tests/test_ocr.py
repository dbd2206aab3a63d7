"""Scanned PDFs and tables published as pictures, read with OCR.

The seed reports printed to PDF are scanned here (rendered to page images,
turned a little, speckled, saved as an image-only PDF): read back, their
cells must come back exact, and any that do not must be null with a finding.
The corpus's real scans and picture page are scored the same way.  The
rest are examples of each rule on its own: how a cell's reading becomes a
number or a doubt, where a page's pictures may be taken from, what is kept.
"""

from __future__ import annotations

import io
import json
import os

import pytest
from conftest import EXPECTED, ROOT

from nianbao.cache import TextStore
from nianbao.check import check
from nianbao.parse import parse
from nianbao.read import ReadError, html, ocr, read_source, tokenize
from nianbao.read.files import read_beside
from nianbao.read.source import Pictures, Source
from nianbao.site import build
from tools.score import score

FORMATS = ROOT / "tests" / "data" / "formats"
SCANNED = ROOT.parent / "shared" / "corpus" / "scanned"
needs_corpus = pytest.mark.skipif(not SCANNED.is_dir(), reason="the corpus is not beside the project")


# --- scans made here -------------------------------------------------------------


def scan(pdf: bytes, dpi: int = 150, angle: float = 0.6, seed: int = 1) -> bytes:
    """What a scanner makes of a printed PDF: page images only, turned by
    ``angle`` degrees, with grain and specks, no text layer."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    rng = np.random.default_rng(seed)
    pages = []
    document = pdfium.PdfDocument(pdf)
    for page in document:
        gray = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        gray = gray.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
        pixels = np.asarray(gray, dtype=np.int16) + rng.normal(0, 12, (gray.height, gray.width)).astype(
            np.int16
        )
        specks = rng.random((gray.height, gray.width)) < 0.0004
        pixels[specks] = 40
        pages.append(Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)))
    document.close()
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return out.getvalue()


def table_picture(rows: list[list[str]], cell: tuple[int, int] = (150, 50)) -> bytes:
    """A ruled table of digits as a PNG, drawn the way a web page shows one."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = cell
    picture = Image.new("L", (width * len(rows[0]) + 21, height * len(rows) + 21), 255)
    draw = ImageDraw.Draw(picture)
    font = ImageFont.load_default(size=26)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            x, y = 10 + c * width, 10 + r * height
            draw.rectangle([x, y, x + width, y + height], outline=0, width=2)
            draw.text((x + 12, y + 10), text, fill=0, font=font)
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


@pytest.mark.slow
def test_seeds_printed_then_scanned_give_their_cells_or_say_why(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for i, path in enumerate(sorted(FORMATS.glob("*.pdf"))):
        (content / path.name).write_bytes(scan(path.read_bytes(), angle=(-0.7, 0.5, 0.9, -0.3, 0.2)[i]))
    summary = build(content, tmp_path / "out")
    assert summary.problems == []
    result = score(tmp_path / "out", EXPECTED)
    assert result.unflagged == 0, result.silent
    assert result.metadata == []
    assert result.exact >= 950, result.lines()  # of 1000 cells: the 95 %
    statuses = {
        row["status"] for row in _csv(tmp_path / "out" / "data" / "requests.csv") if row["value"] != ""
    }
    assert statuses <= {"recognised", "derived"}, "every number says it was read from a picture"
    page = next((tmp_path / "out" / "reports").glob("*/index.html")).read_text(encoding="utf-8")
    assert "数字由图片识别得到" in page


def _csv(path):
    import csv

    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_a_ruled_table_picture_is_read_cell_by_cell_lone_digits_included():
    rows = [["3001", "53", "0", "0", "61", "4", "3119"], ["34", "0", "0", "0", "0", "0", "34"]]
    lines = ocr.picture_lines(table_picture(rows))
    assert [line.split("\t") for line in lines] == rows


def test_a_table_picture_turned_a_little_is_levelled_first():
    import numpy as np
    from PIL import Image

    rows = [["12", "7", "0", "19"], ["5", "0", "1", "6"], ["105", "0", "0", "105"]]
    picture = Image.open(io.BytesIO(table_picture(rows))).convert("L")
    big = picture.resize((picture.width * 2, picture.height * 2), Image.BICUBIC)
    turned = big.rotate(1.2, resample=Image.BICUBIC, expand=True, fillcolor=255)
    lines = ocr.page_lines(np.asarray(turned))
    assert [line.split("\t") for line in lines] == rows


# --- one reading, one cell ---------------------------------------------------------


def test_a_cell_read_as_a_number_is_that_number():
    assert ocr.cell_text([("3,119", 0.98)]) == "3119"
    assert ocr.cell_text([("96171.6", 0.99)]) == "96171.6"


def test_look_alike_letters_in_a_number_cell_are_read_as_digits():
    assert ocr.cell_text([("1O5", 0.93)]) == "105"
    assert ocr.cell_text([("l2", 0.9)]) == "12"


def test_a_number_read_with_a_low_score_is_marked_unsure_not_guessed():
    assert ocr.cell_text([("7", 0.31)]) == "〔识别不确定：7〕"
    assert ocr.cell_text([("o", 0.4)]) == "〔识别不确定：o〕"


def test_a_label_keeps_its_words_and_template_words_misread_are_put_right():
    assert ocr.cell_text([("（三）不子公开", 0.9)]) == "（三）不予公开"
    assert ocr.cell_text([("1.本机关不掌握", 0.95), ("相关政府信息", 0.97)]) == "1.本机关不掌握相关政府信息"


def test_a_speck_read_as_a_dot_between_chinese_characters_is_dropped():
    text = "1.申请人无正当理由逾期不补.正、行政机关不再处理"
    assert ocr.cell_text([(text, 0.9)]) == "1.申请人无正当理由逾期不补正、行政机关不再处理"
    assert ocr.cell_text([("（一）予以公开", 0.9)]) == "（一）予以公开"  # a real 1. stays


def test_an_unsure_cell_keeps_its_place_in_the_row():
    tokens = tokenize("（一）予以公开\t5\t〔识别不确定：0〕\t0\t0\t0\t0\t5")
    assert [t.kind for t in tokens] == ["text", "number", "placeholder", *["number"] * 5]


# --- what the data says ------------------------------------------------------------


SEED = "000_3925396cff2e10ed"


def _seed_source(recognised: bool, change: tuple[str, str] | None = None) -> Source:
    """A seed report's text as the OCR reader would give it."""
    text = (ROOT / "content" / f"{SEED}.txt").read_text(encoding="utf-8")
    if change:
        text = text.replace(*change, 1)
    source = read_source(f"{SEED}.txt", text.encode("utf-8"))
    source.recognised = recognised
    return source


def test_every_number_of_a_report_read_from_pictures_is_marked_recognised():
    report = check(parse(_seed_source(True)))
    assert report.recognised
    statuses = {c.status for c in report.requests.values() if c.value is not None}
    assert statuses == {"recognised"}
    assert not any(c.status == "printed" for t in ("reviews", "proactive") for c in report.table(t).values())


def test_a_failing_sum_in_a_recognised_report_nulls_its_numbers_with_a_finding():
    exp = json.loads((EXPECTED / f"{SEED}.json").read_text(encoding="utf-8"))
    total = exp["table3"][0][6]
    text = (ROOT / "content" / f"{SEED}.txt").read_text(encoding="utf-8")
    assert str(total) in text
    misread = str(total + 1) if isinstance(total, int) else "1"
    source = _seed_source(True)
    lines = source.text.split("\n")
    row = next(i for i, line in enumerate(lines) if "本年新收" in line and str(total) in line)
    lines[row] = lines[row][::-1].replace(str(total)[::-1], misread[::-1], 1)[::-1]
    source.text = "\n".join(lines)
    report = check(parse(source))
    cell = report.requests[("new_received", "total")]
    assert (cell.value, cell.status, cell.raw) == (None, "unrecognised", misread)
    doubted = [f for f in report.findings if f.code == "ocr_doubted"]
    assert any(f.row == "new_received" and f.column == "total" for f in doubted)
    assert all(report.table(f.table)[(f.row, f.column)].value is None for f in doubted)
    # The same numbers printed in a text layer are the agency's own: kept, with the error.
    printed = _seed_source(False)
    printed.text = source.text
    kept = check(parse(printed))
    assert kept.requests[("new_received", "total")].value == int(misread)


def test_an_unsure_cell_is_null_with_what_was_seen_unless_the_sums_settle_it():
    source = _seed_source(True)
    lines = source.text.split("\n")
    row = next(i for i, line in enumerate(lines) if "本年新收" in line)
    cells = lines[row].split("\t") if "\t" in lines[row] else lines[row].split()
    numbers = [i for i, c in enumerate(cells) if c.isdigit()]
    cells[numbers[0]] = "〔识别不确定：8〕"
    lines[row] = "\t".join(cells)
    source.text = "\n".join(lines)
    report = check(parse(source))
    cell = report.requests[("new_received", "natural_person")]
    unsure = [f for f in report.findings if f.code == "ocr_unsure"]
    assert len(unsure) == 1 and "「8」" in unsure[0].message
    if cell.value is None:
        assert cell.status == "unrecognised" and unsure[0].severity == "warning"
    else:  # worked out by the row's total: derived, and the finding says so
        assert cell.status == "derived" and "推算为" in unsure[0].message


# --- where pictures come from ------------------------------------------------------


def test_a_page_takes_pictures_from_its_own_folder_only(tmp_path):
    page = tmp_path / "huaian.html"
    page.write_text("<img src='huaian_files/t.png'>", encoding="utf-8")
    (tmp_path / "huaian_files").mkdir()
    (tmp_path / "huaian_files" / "t.png").write_bytes(b"picture")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "t.png").write_bytes(b"not its own")
    (tmp_path / "huaian_files" / "up").symlink_to(tmp_path / "other")
    assert read_beside(page, "huaian_files/t.png", 1000) == b"picture"
    assert read_beside(page, "./huaian_files/%74.png", 1000) == b"picture"
    for src in (
        "http://example.gov.cn/t.png",
        "//example.gov.cn/t.png",
        "file:///etc/passwd",
        "data:image/png;base64,AAAA",
        "/etc/passwd",
        "huaian_files/../other/t.png",
        "other/t.png",  # beside the page but not its parts folder
        "huaian_files/up/t.png",  # through a link
        "huaian_files/missing.png",
    ):
        assert read_beside(page, src, 1000) is None, src


def test_a_page_saved_under_a_generic_name_owns_its_folder(tmp_path):
    (tmp_path / "page.html").write_text("<img src='t.png'>", encoding="utf-8")
    (tmp_path / "t.png").write_bytes(b"picture")
    assert read_beside(tmp_path / "page.html", "t.png", 1000) == b"picture"
    assert read_beside(tmp_path / "page.html", "../t.png", 1000) is None


def test_what_a_page_depends_on_is_each_picture_of_its_own_folders_once(tmp_path):
    from nianbao.read.folder import companions

    (tmp_path / "page_files").mkdir()
    (tmp_path / "page_files" / "t3.png").write_bytes(b"1")
    (tmp_path / "t2.jpg").write_bytes(b"2")
    (tmp_path / "notes.txt").write_text("not a picture", encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "linked").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "elsewhere" / "x.png").write_bytes(b"3")
    found = [p.relative_to(tmp_path).as_posix() for p in companions(tmp_path / "page.html")]
    assert found == ["page_files/t3.png", "t2.jpg", "elsewhere/x.png"]
    (tmp_path / "a.html").write_text("", encoding="utf-8")
    assert companions(tmp_path / "a.html") == []  # its own folder would be a_files/


def test_a_pages_pictures_are_the_same_found_from_the_surveys_listing(tmp_path, monkeypatch):
    from nianbao.read import folder

    (tmp_path / "page_files" / "img").mkdir(parents=True)
    (tmp_path / "page_files" / "img" / "1.png").write_bytes(b"1")
    (tmp_path / "page.html").write_text("", encoding="utf-8")
    (tmp_path / "sub" / "q.files").mkdir(parents=True)
    (tmp_path / "sub" / "q.files" / "2.jpg").write_bytes(b"2")
    (tmp_path / "sub" / "q.html").write_text("", encoding="utf-8")
    (tmp_path / "sub" / "r_files").symlink_to(tmp_path / "page_files")  # a link is no folder of parts
    (tmp_path / "sub" / "r.html").write_text("", encoding="utf-8")
    found = folder.survey(tmp_path)
    pages = [p for p in found.files if p.suffix == ".html"]
    expected = {p: folder.companions(p) for p in pages}
    assert [p.name for p in expected[tmp_path / "sub" / "q.html"]] == ["2.jpg"]
    assert expected[tmp_path / "sub" / "r.html"] == []
    looked_up = []
    monkeypatch.setattr(folder, "_is_folder", lambda path: looked_up.append(path))
    assert {p: folder.companions(p, found.folders[str(p.parent)]) for p in pages} == expected
    assert looked_up == []  # the listing answered, no lstat


def test_a_page_whose_tables_are_pictures_names_them_for_ocr():
    page = "<html><body><p>二、主动公开</p><img src='a_files/t2.png'><img src='a_files/t3.png'></body></html>"
    with pytest.raises(Pictures) as raised:
        html.to_text(page.encode())
    assert raised.value.sources == ["a_files/t2.png", "a_files/t3.png"]
    assert "表格是图片" in str(raised.value)


def test_pictures_that_are_not_there_leave_the_page_unreadable_with_the_reason(tmp_path):
    page = tmp_path / "a.html"
    page.write_text("<html><body><p>报告</p><img src='a_files/t3.png'></body></html>", encoding="utf-8")
    with pytest.raises(ReadError, match="表格是图片"):
        read_source("a.html", page.read_bytes(), origin=page)


def test_a_picture_too_large_to_be_a_table_is_not_decoded():
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    # 100,000 x 100,000 pixels declared, a few bytes on disk: a decompression bomb.
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )
    assert ocr.picture_lines(bomb) == []
    assert ocr.picture_lines(b"not a picture at all") == []


def test_a_scan_too_long_to_recognise_is_named_not_read():
    from PIL import Image

    from nianbao import config

    pages = [Image.new("L", (60, 80), 255) for _ in range(config.LIMITS.ocr_pages + 1)]
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=72, save_all=True, append_images=pages[1:])
    with pytest.raises(ReadError, match=f"超过图片识别（OCR）的上限{config.LIMITS.ocr_pages}页"):
        read_source("long-scan.pdf", out.getvalue())


# --- recognised once ---------------------------------------------------------------


REVIEW_HEADER = (
    "<table><tr><td colspan=5>行政复议</td><td colspan=10>行政诉讼</td></tr>"
    "<tr><td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>"
    "<td colspan=5>未经复议直接起诉</td><td colspan=5>复议后起诉</td></tr>"
    "<tr><td></td><td></td><td></td><td></td><td></td>"
    + "<td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>" * 2
    + "</tr></table>"
)


def _picture_page(folder, numbers: list[str]) -> None:
    """A page whose table 四 has its numbers in a picture under its header."""
    (folder / "t_files").mkdir(exist_ok=True)
    (folder / "t_files" / "t4.png").write_bytes(table_picture([numbers], (80, 50)))
    (folder / "t.html").write_text(
        "<html><head><title>某某区人民政府2024年政府信息公开工作年度报告</title></head><body>"
        f"<p>四、政府信息公开行政复议、行政诉讼情况</p>{REVIEW_HEADER}"
        "<img src='t_files/t4.png'><p>五、存在的主要问题及改进情况</p></body></html>",
        encoding="utf-8",
    )


def test_what_ocr_made_of_a_file_is_kept_and_a_changed_picture_is_read_again(tmp_path, monkeypatch):
    content, out = tmp_path / "content", tmp_path / "out"
    content.mkdir()
    first = ["72", "64", "178", "37", "351", "13", "4", "8", "1", "26", "12", "1", "1", "6", "20"]
    _picture_page(content, first)
    page = content / "t.html"
    cache = tmp_path / "cache"
    store = TextStore(cache / "ocr")  # as a build hands it in: .site.cache/ocr
    text = read_source("t.html", page.read_bytes(), origin=page, ocr_cache=store)
    assert isinstance(text.text, str) and text.recognised
    assert "\t".join(first) in text.text
    assert len(list((cache / "ocr").glob("*/*"))) == 1
    import nianbao.read.reader as reader

    real = reader.run_limited

    def text_only(convert, *args, **kwargs):
        assert convert is not html.recognise, "recognised again"
        return real(convert, *args, **kwargs)

    monkeypatch.setattr(reader, "run_limited", text_only)
    again = read_source("t.html", page.read_bytes(), origin=page, ocr_cache=store)
    assert again.text == text.text and again.recognised
    monkeypatch.undo()
    # In a build: a new picture under the same page is a new reading.
    build(content, out)
    first_text = (out / "data" / "reviews.csv").read_text(encoding="utf-8")
    _picture_page(content, [*first[:3], "38", "352", *first[5:]])
    os.utime(content / "t_files" / "t4.png", ns=(1, 1))  # the same size, an old time: still seen
    build(content, out)
    assert (out / "data" / "reviews.csv").read_text(encoding="utf-8") != first_text


# --- the corpus ----------------------------------------------------------------------


@pytest.mark.slow
@needs_corpus
@pytest.mark.parametrize("kind", [".pdf", "/"], ids=["scanned-pdf", "picture-tables"])
def test_corpus_scans_and_picture_tables_give_their_cells(tmp_path, kind):
    from tools.score_corpus import score_kind

    reports, result = score_kind(SCANNED.parent, "scanned", (kind,))
    cells = result.exact + result.flagged + result.unflagged
    assert reports >= 1 and cells >= 200 * reports
    assert result.unflagged == 0, result.silent
    assert result.metadata == []
    assert result.exact >= 0.95 * cells, result.lines()


def test_a_scan_is_found_to_have_no_text_layer_before_it_is_recognised():
    from nianbao.read import pdf
    from nianbao.read.source import Scanned

    made = scan((FORMATS / f"{SEED}.pdf").read_bytes(), dpi=60)
    with pytest.raises(Scanned) as raised:
        pdf.to_text(made)
    assert raised.value.pages >= 1 and "扫描件" in str(raised.value)
