"""PDF files with a text layer to report text.

The pages are read with PDFium (:mod:`.pdfpages`, about 10 ms a page) in the
shapes pdfplumber uses, and with pdfplumber itself (pdfminer, 150-200 ms a
page) when PDFium cannot describe a page alike or cannot open the file.

Each page's words are rebuilt into lines by their positions: a word joins
the line it overlaps most in height, so a row's numbers, vertically centred
in their cells, stay on the line of a label set higher or lower than them
(which grouping by the top edge alone splits apart).  Words on a line are
set apart by spaces in proportion to the gap between them, as
``pdftotext -layout`` does, so columns stay apart with or without ruling
lines and the parser's wrapped-label logic does the rest.  A PDF with no
text layer (a scan) is named as such.
"""

from __future__ import annotations

import bisect
import io
import itertools
import re

from . import pdfpages
from .grid import to_lines
from .limits import PASSWORD, check_pdf_pages, check_pdf_streams, encrypted_pdf
from .source import ReadError, Recognised, Scanned

# Below this many characters per page a PDF is a scan with a stray caption.
MIN_CHARS_PER_PAGE = 20
DAMAGED = "PDF 文件损坏或不完整，无法读取"


def to_text(data: bytes) -> str:
    check_pdf_streams(data)
    found = _pdfium_pages(data)
    if found is None:
        return _read_with_pdfplumber(data)
    if all(found):
        return _text(found)
    return _read_with_pdfplumber(data, found)


def _pdfium_pages(data: bytes) -> list | None:
    """The pages read with PDFium (:mod:`.pdfpages`), None for a page pdfplumber
    must read; None for all when PDFium cannot open the file (damaged,
    encrypted: pdfplumber says which)."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return None
    try:
        check_pdf_pages(len(document))
        return pdfpages.pages(document)
    finally:
        document.close()


def _text(pages: list) -> str:
    """The report text of a PDF's pages, or why it has none (a scan)."""
    check_pdf_pages(len(pages))
    chars = sum(len(p.chars) for p in pages)
    if pages and chars < MIN_CHARS_PER_PAGE * len(pages):
        images = sum(p.images if isinstance(p.images, int) else len(p.images) for p in pages)
        if not images:
            raise ReadError(f"PDF 没有文字层，也没有图片，共{len(pages)}页只有{chars}个字符：需要先 OCR")
        raise Scanned(
            f"PDF 是扫描件（页面是图片），共{len(pages)}页只有{chars}个字符：需要先 OCR", len(pages)
        )
    text = "\n".join("\n".join(page_text(p)) for p in pages)
    return "\n".join(line.rstrip() for line in text.split("\n"))


def _read_with_pdfplumber(data: bytes, read: list | None = None) -> str:
    """The text with pdfplumber, for every page or for those ``read`` (pages
    already read with PDFium) has as None."""
    import pdfplumber  # imported here so builds without such PDFs never load it
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if read is None:
                return _text(list(pdf.pages))
            return _text([page or pdf.pages[i] for i, page in enumerate(read)])
    except ReadError:
        raise
    except Exception as exc:  # pdfminer raises many private error types on damaged files
        if encrypted_pdf(data):
            raise ReadError(PASSWORD) from None
        if isinstance(exc, (ValueError, KeyError, TypeError, PDFSyntaxError)) or type(
            exc
        ).__module__.startswith(("pdfminer", "pdfplumber")):
            raise ReadError(DAMAGED) from None
        raise


def recognise(data: bytes) -> Recognised:
    """A scanned PDF's text, page by page with OCR (:mod:`.ocr`)."""
    import pypdfium2 as pdfium

    from . import ocr

    document = pdfium.PdfDocument(data)
    try:
        check_pdf_pages(len(document))
        lines: list[str] = []
        for number in range(len(document)):
            ocr.say_page(number + 1, len(document))
            page = document[number]
            image = page.render(scale=ocr.DPI / 72, grayscale=True).to_numpy()
            lines += ocr.page_lines(image)
            page.close()
        if not any(line.strip() for line in lines):
            raise ReadError(f"PDF 是扫描件（页面是图片），共{len(document)}页，图片识别（OCR）没有读出文字")
        return Recognised("\n".join(lines))
    finally:
        document.close()


# A word belongs to a line when at least this share of its height overlaps it.
MIN_OVERLAP = 0.5


def page_text(page) -> list[str]:
    """A page's lines: ruled tables cell by cell, everything else by position.

    Where a table has ruling lines, pdfplumber finds its cells, so a label
    wrapped over many lines inside a narrow cell stays one label instead of
    interleaving with the labels beside it.  A table without ruling lines is
    read from word positions like the prose around it.
    """
    # pdfplumber works a table's rows and box out each time they are asked for
    found = [(t, t.rows, t.bbox) for t in page.find_tables()]
    tables = [(table, rows, box) for table, rows, box in found if _is_grid(rows)]
    boxes = [box for _, _, box in tables]
    words = [w for w in page.extract_words() if not any(_inside(w, box) for box in boxes)]
    placed = [(top, [line]) for top, line in page_lines(words)]
    centred = _centred(page.chars) if tables else []
    placed += [(box[1], table_lines(table, centred, rows)) for table, rows, box in tables]
    return [line for _, lines in sorted(placed, key=lambda item: item[0]) for line in lines]


def _is_grid(rows: list) -> bool:
    """A real table, not a frame ruled round a page of prose (one column)."""
    return max((len(row.cells) for row in rows), default=0) > 1


def _inside(word: dict, box: tuple[float, float, float, float]) -> bool:
    x = (word["x0"] + word["x1"]) / 2
    y = (word["top"] + word["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def table_lines(table, centred: list[tuple], rows: list) -> list[str]:
    """A ruled table's rows (``table.rows``) as tab-separated lines; merged
    slots stay empty (``centred``: the page's characters, :func:`_centred`)."""
    grid = [[_cell_text(cell) for cell in row] for row in _extract(table, centred, rows)]
    return to_lines(grid)


def _centred(chars: list[dict]) -> list[tuple]:
    """A page's characters as (centre height, centre x, page order, character),
    sorted: once a page, whatever the number of its tables."""
    return sorted(((c["top"] + c["bottom"]) / 2, (c["x0"] + c["x1"]) / 2, i, c) for i, c in enumerate(chars))


def _extract(table, centred: list[tuple], rows: list) -> list[list[str | None]]:
    """pdfplumber's ``Table.extract()``, the same cells with the same text,
    without testing every character of the page against every row and cell:
    the characters are sorted by height once (``centred``) and each row
    takes its slice."""
    if isinstance(table.page, pdfpages.Page):
        extract_text = pdfpages.cell_text
    else:
        from pdfplumber.utils import extract_text

    heights = [item[0] for item in centred]
    grid: list[list[str | None]] = []
    for row in rows:
        left, top, right, bottom = row.bbox
        in_row = centred[bisect.bisect_left(heights, top) : bisect.bisect_left(heights, bottom)]
        # in page order, as pdfplumber gives them to extract_text
        in_row = sorted((item for item in in_row if left <= item[1] < right), key=lambda item: item[2])
        found = _chars_by_cell(row.cells, in_row)
        grid.append(
            [
                None if cell is None else extract_text(chars) if (chars := found[cell]) else ""
                for cell in row.cells
            ]
        )
    return grid


def _chars_by_cell(cells: list, in_row: list[tuple]) -> dict:
    """Each cell's characters (centre inside it), in page order.

    A row's cells do not overlap, so each character is looked up by its
    centre among the cells' left edges, not tested against every cell; a
    row whose cells overlap (never seen) is tested cell by cell.
    """
    boxes = sorted(cell for cell in cells if cell is not None)
    found: dict = {cell: [] for cell in boxes}
    if any(before[2] > after[0] for before, after in itertools.pairwise(boxes)):
        for cell in boxes:
            x0, y0, x1, y1 = cell
            found[cell] = [c for v, h, _, c in in_row if x0 <= h < x1 and y0 <= v < y1]
        return found
    lefts = [cell[0] for cell in boxes]
    for v, h, _, c in in_row:
        at = bisect.bisect_right(lefts, h) - 1
        if at >= 0:
            x0, y0, x1, y1 = boxes[at]
            if h < x1 and y0 <= v < y1:
                found[boxes[at]].append(c)
    return found


def _cell_text(text: str | None) -> str:
    """A cell's lines joined: Chinese wraps anywhere, so no space unless both sides are digits."""
    if not text:
        return ""
    parts = [p.strip() for p in text.split("\n") if p.strip()]
    out = parts[0] if parts else ""
    for part in parts[1:]:
        out += (" " if out[-1:].isdigit() and part[:1].isdigit() else "") + part
    return out


def page_lines(words: list[dict]) -> list[tuple[float, str]]:
    """pdfplumber words (text, x0, x1, top, bottom) to (top, line) pairs, top to bottom."""
    lines: list[tuple[float, float, list[dict]]] = []  # (top, bottom, words)
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        height = max(word["bottom"] - word["top"], 0.1)
        best, best_overlap = None, 0.0
        for i in range(max(0, len(lines) - 4), len(lines)):
            top, bottom, _ = lines[i]
            overlap = min(bottom, word["bottom"]) - max(top, word["top"])
            share = overlap / min(height, bottom - top or 0.1)
            if share >= MIN_OVERLAP and share > best_overlap:
                best, best_overlap = i, share
        if best is None:
            lines.append((word["top"], word["bottom"], [word]))
        else:
            lines[best][2].append(word)
    rows = _merge_wrapped_cells(
        [(top, bottom, sorted(ws, key=lambda w: w["x0"])) for top, bottom, ws in lines]
    )
    return [(top, _join(ws)) for top, _, ws in rows]


_NUMBER_WORD = re.compile(r"^[-+]?[\d,]+(?:\.\d+)?$")


def _merge_wrapped_cells(
    lines: list[tuple[float, float, list[dict]]],
) -> list[tuple[float, float, list[dict]]]:
    """Glue label text wrapped inside narrow cells back onto its table row.

    In a table without ruling lines, a label in a narrow column wraps over
    several lines ("1.属" / "于国" / "家秘" / "密"), interleaved with the
    wrapped label of the column beside it.  A line holding only short text
    left of a table row's first number, just below that row, continues the
    row's cells: each word joins the row's word in the same column.
    """
    out: list[tuple[float, float, list[dict]]] = []
    row: tuple[float, float, list[dict]] | None = None  # the table row being continued
    for top, bottom, words in lines:
        numbers = [w for w in words if _NUMBER_WORD.match(w["text"])]
        if len(numbers) >= 3:
            row = (top, bottom, [dict(w) for w in words])
            out.append(row)
            continue
        first_number = (
            min((w["x0"] for w in row[2] if _NUMBER_WORD.match(w["text"])), default=0) if row else 0
        )
        height = bottom - top
        if (
            row is not None
            and not numbers
            and top - row[1] < 1.5 * height
            and all(w["x1"] <= first_number for w in words)
        ):
            for word in words:
                _glue(row[2], word)
            row = (row[0], bottom, row[2])
            out[-1] = row
            continue
        row = None
        out.append((top, bottom, words))
    return out


def _glue(cells: list[dict], word: dict) -> None:
    """Append a wrapped piece to the word above it in the same column, or place it."""
    for cell in cells:
        if min(cell["x1"], word["x1"]) - max(cell["x0"], word["x0"]) > 0:
            cell["text"] += word["text"]
            cell["x1"] = max(cell["x1"], word["x1"])
            return
    cells.append(dict(word))
    cells.sort(key=lambda w: w["x0"])


def _join(words: list[dict]) -> str:
    """Words left to right, one space per character-width of gap (at least one)."""
    out = words[0]["text"]
    for before, word in itertools.pairwise(words):
        size = max(word["bottom"] - word["top"], 1.0)
        gap = word["x0"] - before["x1"]
        out += " " * max(1, round(gap / size)) + word["text"]
    return out
