"""Pictures of report pages to report text, with OCR (rapidocr, ONNX models, CPU).

A scanned PDF page or a table published as a picture becomes the same
lines the text readers give: prose as lines, and each ruled table as one
tab-separated line per row (:func:`.grid.to_lines`), so the parser maps
rows by their labels exactly as it does for a PDF with a text layer.

Whole-page text detection drops cells that hold a lone digit (seen on a
150-dpi scan: "3001 53 0 0 61 3119" for "3001 53 0 0 61 4 3119"), so tables
are read cell by cell: the page is turned level by its ruling lines, the
lines are found, each cell is cut out, split into its lines of text by
where the ink is, and each line is recognised on its own (the recogniser
runs without the detector).  Only the prose around the tables goes
through the detector.

A number the recogniser is not sure of is not guessed: its cell is written
as ``〔识别不确定：…〕`` (what was read), which the parser takes as text, so
the cell is published as null with a finding, and the template's arithmetic
may still work it out (then it is marked as derived).
"""

from __future__ import annotations

import functools
import hashlib
import re
import sys
from dataclasses import dataclass
from typing import Any

from .grid import to_lines
from .source import UNSURE

# Pages are rendered at this resolution: table digits are ~25 px high.
DPI = 200
# Below this mean character score a number is not believed.
MIN_NUMBER_SCORE = 0.5
# The longer side of a page picture when its prose is read.
PROSE_SIDE = 800
# Fewer pixels than this is a speck, not a mark (a decimal point has ~20).
MIN_MARK = 8

# Characters the recogniser confuses with digits, in cells that hold a number.
_LOOK_ALIKES = {
    "o": "0",
    "O": "0",
    "〇": "0",
    "D": "0",
    "l": "1",
    "I": "1",
    "|": "1",
    "丨": "1",
    "，": ",",
    "。": ".",
}
_LOOK_ALIKE = str.maketrans(_LOOK_ALIKES)
# A cell that reads as a number: digits, separators, spaces and their look-alikes.
_NUMBERISH = re.compile("^[\\d,.\\s" + re.escape("".join(_LOOK_ALIKES)) + "]+$")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


def available() -> bool:
    """Whether the OCR engine is installed (it is with ``pip install .``)."""
    import importlib.util

    return importlib.util.find_spec("rapidocr_onnxruntime") is not None


def say_page(number: int, pages: int) -> None:
    """A progress line on a terminal while pages are recognised (a few seconds each)."""
    if sys.stderr.isatty():
        end = "\n" if number == pages else ""
        print(f"\r图片识别 OCR：第 {number}/{pages} 页", end=end, file=sys.stderr, flush=True)


@functools.cache
def version() -> str:
    """What OCR text depends on: the engine's release and this reading's code
    (the key under which what OCR made of a file is kept)."""
    from importlib.metadata import version as release
    from pathlib import Path

    here = Path(__file__).parent
    code = b"".join((here / name).read_bytes() for name in ("ocr.py", "pdf.py", "html.py", "grid.py"))
    return f"rapidocr-onnxruntime {release('rapidocr-onnxruntime')} {hashlib.sha256(code).hexdigest()}"


@functools.cache
def engine() -> Any:
    """The OCR engine, made once per process (loading its models takes ~0.5 s)."""
    from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-untyped]
    from rapidocr_onnxruntime.utils import infer_engine  # type: ignore[import-untyped]

    # rapidocr turns ONNX Runtime's memory arena off, so every run maps and
    # zeroes fresh memory (a page of prose: 7.1 s, 8 s of it in the kernel);
    # with the arena it takes 2.8 s.  And threads that spin while they wait
    # for work cost more than they save on two cores.
    options = infer_engine.OrtInferSession._init_sess_opts

    def quiet(config: dict) -> Any:
        made = options(config)
        made.enable_cpu_mem_arena = True
        made.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return made

    infer_engine.OrtInferSession._init_sess_opts = staticmethod(quiet)
    try:
        made = RapidOCR()
    finally:
        infer_engine.OrtInferSession._init_sess_opts = staticmethod(options)
    # The recogniser pads every picture to at least 320 x 48 (a line of
    # text); a cell's lone digit is nearer 48 x 48, and is padded to that.
    made.text_rec.rec_image_shape = [3, 48, 48]
    made.text_rec.rec_batch_num = 16
    # Prose is detected and read on the page at ~1/3 size (its characters
    # ~15 px high): the recogniser's cost is in the prose lines, and a page
    # of prose takes 2.7 s so against 4.9 s at 1200 px.
    made.max_side_len = PROSE_SIDE
    return made


@dataclass
class Box:
    x0: int
    y0: int
    x1: int
    y1: int


# A picture larger than this (in pixels) is refused before it is decoded
# (a page at 200 dpi is 4 million; a decompression bomb is billions).
MAX_PIXELS = 40_000_000


def picture_lines(data: bytes) -> list[str]:
    """A picture file's (PNG, JPEG, GIF …) text lines; none for a file that is
    not a picture or is too large to be one of a report's tables."""
    import io

    import numpy as np
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as picture:
            if picture.width * picture.height > MAX_PIXELS:
                return []
            gray = np.asarray(picture.convert("L"))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return []
    # A table picture from a web page is drawn at screen size (~96 dpi):
    # enlarged to about the size of a page rendered for OCR.
    if gray.shape[1] < 1200:
        import cv2

        scale = 1600 / gray.shape[1]
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    return page_lines(gray)


def page_lines(image: Any) -> list[str]:
    """A page picture (a grey or colour numpy array) to its text lines, top to bottom."""
    import cv2  # type: ignore[import-untyped]

    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    gray = level(gray)
    ink = _ink(gray)
    rules = ruling_lines(ink)
    placed: list[tuple[int, list[str]]] = []
    prose = gray.copy()
    for table, cells in tables(rules):
        placed.append((table.y0, table_lines(gray, ink, rules, cells)))
        prose[table.y0 : table.y1 + 1, table.x0 : table.x1 + 1] = 255
    placed += [(top, [line]) for top, line in prose_lines(prose)]
    return [line for _, lines in sorted(placed, key=lambda item: item[0]) for line in lines]


def level(gray: Any) -> Any:
    """The page turned so its long ruling lines are level (a scan is often a
    degree or two off, which breaks a table's rows apart)."""
    import cv2
    import numpy as np

    ink = _ink(gray)
    h, w = ink.shape
    across = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (w // 25, 1)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(across, connectivity=8)
    slopes = []
    for i in range(1, count):
        x, y, bw, bh, _ = stats[i]
        if bw < w // 3:
            continue
        ys, xs = np.nonzero(labels[y : y + bh, x : x + bw] == i)
        slopes.append(np.polyfit(xs, ys, 1)[0])
    if not slopes:
        return gray
    angle = float(np.degrees(np.arctan(np.median(slopes))))
    if abs(angle) < 0.05 or abs(angle) > 5:
        return gray
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, turn, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def _ink(gray: Any) -> Any:
    """Where the page is darker than its surroundings (white on black), so
    uneven scan lighting does not hide a faint rule or stroke."""
    import cv2

    return cv2.adaptiveThreshold(255 - gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 15, -10)


def ruling_lines(ink: Any) -> Any:
    """The table rules alone: runs of ink much longer than any character."""
    import cv2

    h, w = ink.shape
    # Longer than any character at this resolution (~33 px for 12 pt), shorter than a cell.
    across = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(w // 25, 60), 1))
    )
    down = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(h // 60, 45)))
    )
    rules = cv2.bitwise_or(across, down)
    # Close the small gaps a scan leaves in a rule, so every cell is closed.
    return cv2.dilate(rules, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))


def tables(rules: Any) -> list[tuple[Box, list[Box]]]:
    """Each ruled table's box and its cells (merged cells are one box)."""
    import cv2

    out = []
    count, _, stats, _ = cv2.connectedComponentsWithStats(rules, connectivity=8)
    h, w = rules.shape
    for i in range(1, count):
        x, y, bw, bh, _ = stats[i]
        if bw < w // 4 or bh < h // 40:
            continue
        table = Box(int(x), int(y), int(x + bw - 1), int(y + bh - 1))
        cells = _cells(rules, table)
        if len(cells) >= 2:
            out.append((table, cells))
    return out


def _cells(rules: Any, table: Box) -> list[Box]:
    import cv2

    region = 255 - rules[table.y0 : table.y1 + 1, table.x0 : table.x1 + 1]
    count, _, stats, _ = cv2.connectedComponentsWithStats(region, connectivity=4)
    cells = []
    for i in range(1, count):
        x, y, bw, bh, _ = stats[i]
        if bw < 12 or bh < 12:
            continue
        if x == 0 or y == 0 or x + bw >= region.shape[1] or y + bh >= region.shape[0]:
            continue  # outside the table's frame
        cells.append(
            Box(int(table.x0 + x), int(table.y0 + y), int(table.x0 + x + bw), int(table.y0 + y + bh))
        )
    return cells


def _edges(values: list[int], tolerance: int) -> list[int]:
    """Positions that are the same rule, merged (a scan's rules are not straight to the pixel)."""
    out: list[int] = []
    for value in sorted(values):
        if not out or value - out[-1] > tolerance:
            out.append(value)
    return out


def table_lines(gray: Any, ink: Any, rules: Any, cells: list[Box]) -> list[str]:
    """A table's cells recognised and laid out as tab-separated rows; a merged
    cell's text stands in its top-left slot, the slots it covers are empty."""
    tolerance = 8
    tops = _edges([c.y0 for c in cells], tolerance)
    lefts = _edges([c.x0 for c in cells], tolerance)
    grid: list[list[str | None]] = [[None] * len(lefts) for _ in tops]
    for cell, text in zip(cells, read_cells(gray, ink, rules, cells), strict=True):
        rows = [r for r, top in enumerate(tops) if cell.y0 - tolerance <= top < cell.y1 - tolerance]
        columns = [c for c, left in enumerate(lefts) if cell.x0 - tolerance <= left < cell.x1 - tolerance]
        for r in rows:
            for c in columns:
                grid[r][c] = text if (r, c) == (rows[0], columns[0]) else ""
    return to_lines([[cell or "" for cell in row] for row in grid])


def read_cells(gray: Any, ink: Any, rules: Any, cells: list[Box]) -> list[str]:
    """Each cell's text: its lines found by where the ink is, each recognised alone."""
    import cv2

    crops: list[Any] = []
    owner: list[int] = []
    for i, cell in enumerate(cells):
        for line in text_lines(ink, rules, cell):
            pad = 6
            crop = gray[max(line.y0 - pad, 0) : line.y1 + pad, max(line.x0 - pad, 0) : line.x1 + pad]
            crops.append(cv2.cvtColor(crop, cv2.COLOR_GRAY2BGR))
            owner.append(i)
    results = recognise(crops)
    _read_lone_glyphs_again(crops, results)
    pieces: list[list[tuple[str, float]]] = [[] for _ in cells]
    for i, result in zip(owner, results, strict=True):
        pieces[i].append(result)
    return [cell_text(parts) for parts in pieces]


def _read_lone_glyphs_again(crops: list[Any], results: list[tuple[str, float]]) -> None:
    """A lone character read with a low score is read again three times over.

    The recogniser is trained on lines of text and is unsure of a character
    on its own (a lone 0 comes back as "o" at 0.4); the same picture repeated
    ("0 0 0") is read with the confidence of a line.  Only three identical
    readings replace the first one."""
    import numpy as np

    again = [
        i for i, (text, score) in enumerate(results) if len(text.strip()) == 1 and score < MIN_NUMBER_SCORE
    ]
    if not again:
        return
    tripled = []
    for i in again:
        crop = crops[i]
        gap = np.full((crop.shape[0], max(crop.shape[1] // 2, 4), 3), 255, dtype=crop.dtype)
        tripled.append(np.hstack([crop, gap, crop, gap, crop]))
    for i, (text, score) in zip(again, recognise(tripled), strict=True):
        glyphs = text.replace(" ", "")
        if len(glyphs) == 3 and len(set(glyphs)) == 1 and score >= MIN_NUMBER_SCORE:
            results[i] = (glyphs[0], score)


def text_lines(ink: Any, rules: Any, cell: Box) -> list[Box]:
    """The lines of text in a cell: bands of rows with ink, rules left out."""
    inset = 3
    x0, y0, x1, y1 = cell.x0 + inset, cell.y0 + inset, cell.x1 - inset, cell.y1 - inset
    if x1 <= x0 or y1 <= y0:
        return []
    marks = _without_specks((ink[y0:y1, x0:x1] > 0) & (rules[y0:y1, x0:x1] == 0))
    rows = marks.sum(axis=1)
    lines: list[Box] = []
    start = None
    for y, count in enumerate([*rows.tolist(), 0]):
        if count >= 2 and start is None:
            start = y
        elif count < 2 and start is not None:
            if y - start >= 6:  # taller than a speck of noise
                band = marks[start:y]
                columns = band.sum(axis=0).nonzero()[0]
                if len(columns):
                    lines.append(Box(x0 + int(columns[0]), y0 + start, x0 + int(columns[-1]) + 1, y0 + y))
            start = None
    return lines


def _without_specks(marks: Any) -> Any:
    """Ink with the scanner's specks taken out: a speck far right of a number
    widens its picture, and the recogniser then drops the digits after a point."""
    import cv2

    _, labels, stats, _ = cv2.connectedComponentsWithStats(marks.astype("uint8"), connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] >= MIN_MARK
    keep[0] = False
    return keep[labels]


def recognise(crops: list[Any]) -> list[tuple[str, float]]:
    """Text and mean character score of each line picture."""
    if not crops:
        return []
    result, _ = engine().text_rec(crops)
    return [(str(text), float(score)) for text, score in result]


def cell_text(parts: list[tuple[str, float]]) -> str:
    """A cell's lines joined.  A cell that reads as a number is normalised
    (o -> 0, l -> 1 …); one read with a low score is marked as unsure."""
    texts = [text.strip() for text, _ in parts if text.strip()]
    if not texts:
        return ""
    joined = "".join(texts)
    number = joined.translate(_LOOK_ALIKE).replace(",", "").replace(" ", "")
    if _NUMBERISH.match(joined) and any(ch.isdigit() for ch in number):
        score = min(score for text, score in parts if text.strip())
        if _NUMBER.match(number) and score >= MIN_NUMBER_SCORE:
            return number
        return UNSURE.format(joined)
    return _fix_words(joined)


# Words of the template that the recogniser reads with a look-alike character (予 as 子).
_WORDS = {"不子公开": "不予公开", "子以公开": "予以公开", "不子处理": "不予处理", "国家私密": "国家秘密"}


# A dot between two Chinese characters is a speck read as a full stop
# (Chinese text stops with 。 and lists with 、).
_STRAY_DOT = re.compile(r"(?<=[\u4e00-\u9fff])[.·'`,]+(?=[\u4e00-\u9fff])")


def _fix_words(text: str) -> str:
    text = _STRAY_DOT.sub("", text)
    for wrong, right in _WORDS.items():
        text = text.replace(wrong, right)
    return text


def prose_lines(gray: Any) -> list[tuple[int, str]]:
    """The text outside tables, through the detector: (top, line) pairs."""
    import cv2

    result, _ = engine()(cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR), use_cls=False)
    words = []
    for box, text, _ in result or []:
        xs = [p[0] for p in box]
        ys = [p[1] for p in box]
        words.append({"text": text, "x0": min(xs), "x1": max(xs), "top": min(ys), "bottom": max(ys)})
    from .pdf import page_lines as arrange

    return [(int(top), line) for top, line in arrange(words)]
