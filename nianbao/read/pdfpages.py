"""PDF pages as pdfplumber sees them, made with PDFium (pypdfium2): 10 x faster.

pdfplumber parses every page with pdfminer, in pure Python: 150-200 ms a page
of a real report.  PDFium, in C, gives the same characters with their boxes
and the same ruling lines in about 10 ms; :class:`Page` carries them in
pdfplumber's own shapes (``chars``, ``edges``, ``bbox``), so pdfplumber's
table finder and word grouping, and everything the reader builds on them,
work unchanged.  A page PDFium cannot describe the same way (rotated, lines
inside form XObjects, text its text page leaves out) is None in what
:func:`pages` returns: the caller reads that page with pdfplumber.
"""

from __future__ import annotations

import ctypes
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, TypeVar

# PDF path segment types (fpdf_edit.h)
_LINETO, _MOVETO = 0, 2
# A line thinner than this (points) across its length is a rule, not a box.
_THIN = 1.0


@dataclass
class Page:
    """What pdfplumber's TableFinder and extract_words read from a page."""

    width: float
    height: float
    chars: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    images: int = 0

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (0, 0, self.width, self.height)

    def extract_words(self) -> list[dict[str, Any]]:
        return words(self.chars)

    def find_tables(self) -> list:
        """pdfplumber's ``TableFinder(page).tables``, with :func:`_cells` for its
        slowest step."""
        from pdfplumber import table

        finder = table.TableFinder.__new__(table.TableFinder)
        finder.page = self  # type: ignore[assignment]
        finder.settings = table.TableSettings.resolve(None)
        settings = finder.settings
        intersections = table.edges_to_intersections(
            finder.get_edges(), settings.intersection_x_tolerance, settings.intersection_y_tolerance
        )
        return [table.Table(self, group) for group in _tables(_cells(intersections))]  # type: ignore[arg-type]


def _cells(intersections: dict) -> list[tuple]:
    """pdfplumber's ``intersections_to_cells``: the same cells, found with each
    point's edges made into sets once and the points indexed by row and
    column, not every pair of points compared edge list by edge list."""
    from pdfplumber.utils import obj_to_bbox

    vertical = {p: {obj_to_bbox(e) for e in edges["v"]} for p, edges in intersections.items()}
    horizontal = {p: {obj_to_bbox(e) for e in edges["h"]} for p, edges in intersections.items()}

    def connects(p, q) -> bool:
        return bool(
            (p[0] == q[0] and not vertical[p].isdisjoint(vertical[q]))
            or (p[1] == q[1] and not horizontal[p].isdisjoint(horizontal[q]))
        )

    points = sorted(intersections)
    below_of: dict[float, list] = {}
    right_of: dict[float, list] = {}
    at: dict[tuple, tuple[int, int]] = {}  # each point's place in its column and its row
    for point in points:  # in sorted order, so each list is too
        column = below_of.setdefault(point[0], [])
        row = right_of.setdefault(point[1], [])
        at[point] = (len(column), len(row))
        column.append(point)
        row.append(point)
    cells = []
    for point in points[:-1]:
        in_column, in_row = at[point]
        below = below_of[point[0]][in_column + 1 :]
        right = right_of[point[1]][in_row + 1 :]
        cell = None
        for below_pt in below:
            if not connects(point, below_pt):
                continue
            for right_pt in right:
                if not connects(point, right_pt):
                    continue
                corner = (right_pt[0], below_pt[1])
                if corner in intersections and connects(corner, right_pt) and connects(corner, below_pt):
                    cell = (point[0], point[1], corner[0], corner[1])
                    break
            if cell:
                break
        if cell:
            cells.append(cell)
    return cells


def _tables(cells: list[tuple]) -> list[list[tuple]]:
    """pdfplumber's ``cells_to_tables``: cells that share a corner, directly or
    through others, make one table; tables top to bottom, then left to
    right, those of one cell left out.  Found in one pass over the corners
    (union-find), not by testing every remaining cell against the table
    grown so far until it stops growing.  A table's cells keep their order;
    pdfplumber's rows sort them anyway."""
    parent = list(range(len(cells)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple, int] = {}
    for i, (x0, top, x1, bottom) in enumerate(cells):
        for corner in ((x0, top), (x0, bottom), (x1, top), (x1, bottom)):
            j = owner.setdefault(corner, i)
            if j != i:
                parent[root(i)] = root(j)
    groups: dict[int, list[tuple]] = {}
    for i, cell in enumerate(cells):
        groups.setdefault(root(i), []).append(cell)
    tables = sorted(groups.values(), key=lambda t: min((c[1], c[0]) for c in t))
    return [t for t in tables if len(t) > 1]


def pages(document) -> list[Page | None]:
    """Every page of an open ``pypdfium2.PdfDocument``; None for a page that
    pdfplumber must read (see :func:`_page`)."""
    out: list[Page | None] = []
    for index in range(len(document)):
        page = document[index]
        try:
            out.append(None if page.get_rotation() % 360 else _page(page))
        finally:
            page.close()
    return out


def _page(page) -> Page | None:
    import pypdfium2.raw as raw  # type: ignore[import-untyped]

    left, bottom, right, top = page.get_bbox()
    if (left, bottom) != (0, 0):
        return None
    result = Page(right - left, top - bottom)
    texts = set()
    # The raw API, not page.get_objects(): a real page has thousands of path
    # objects and wrapping each in a Python object costs more than reading it.
    for index in range(raw.FPDFPage_CountObjects(page.raw)):
        obj = raw.FPDFPage_GetObject(page.raw, index)
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == raw.FPDF_PAGEOBJ_FORM:
            return None  # its lines would need the form's own matrix
        if kind == raw.FPDF_PAGEOBJ_IMAGE:
            result.images += 1
        elif kind == raw.FPDF_PAGEOBJ_PATH:
            result.edges += _edges(obj, result.height)
        elif kind == raw.FPDF_PAGEOBJ_TEXT:
            texts.add(_object_address(page.raw, index))
    text = page.get_textpage()
    try:
        owners = _owners(text)
        # PDFium's text page leaves out a text object it measures as empty
        # (seen with a label's last character wrapped alone onto its line in
        # a narrow ruled cell, "办理结" / "果"); pdfminer keeps it, and the
        # public API gives no way to read its characters: pdfplumber reads
        # such a page.
        if texts - set(owners):
            return None
        result.chars = _chars(text, owners, result.height)
    finally:
        text.close()
    return result


def _owners(text) -> list[int | None]:
    """The address of the text object each character of the text page comes
    from (None for most of the spaces and line ends PDFium adds)."""
    import pypdfium2.raw as raw  # type: ignore[import-untyped]

    of_char = _char_object_address
    return [of_char(text.raw, i) for i in range(raw.FPDFText_CountChars(text.raw))]


def _codes(text, count: int) -> list[int] | None:
    """Every character's code point, read in one call; None when the text is
    not one UTF-16 unit a character (a character outside the BMP makes it
    longer, one PDFium has no code for shorter): then each is asked for."""
    import pypdfium2.raw as raw  # type: ignore[import-untyped]

    buffer = ctypes.create_string_buffer(2 * (count + 1))
    written = raw.FPDFText_GetText(text.raw, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    units = buffer.raw[: 2 * max(written - 1, 0)].decode("utf-16-le", errors="surrogatepass")
    return [ord(unit) for unit in units] if len(units) == count else None


def _chars(text, owners: list[int | None], height: float) -> list[dict[str, Any]]:
    """The page's characters in pdfminer's boxes.

    A character's font size and matrix are its text object's (PDFium keeps
    them per object), so they are read once an object; the code points come
    in one call.  Each character still costs two calls: its object and its
    loose box.
    """
    import pypdfium2.raw as raw  # type: ignore[import-untyped]

    chars = []
    handle = text.raw
    left, bottom, right, top, origin_x, origin_y = (ctypes.c_double() for _ in range(6))
    box = raw.FS_RECTF()
    # Looked up once, not for every character.
    box_ref, loose_box, generated = ctypes.byref(box), raw.FPDFText_GetLooseCharBox, raw.FPDFText_IsGenerated
    matrix = raw.FS_MATRIX()
    codes = _codes(text, len(owners))
    sizes: dict[int | None, float] = {}

    def size_of(i: int) -> float:
        raw.FPDFText_GetMatrix(handle, i, matrix)
        return raw.FPDFText_GetFontSize(handle, i) * math.hypot(matrix.b, matrix.d)

    for i, owner in enumerate(owners):
        code = codes[i] if codes is not None else raw.FPDFText_GetUnicode(handle, i)
        if code in (0, 0xFFFE, 0xFFFF) or code in (10, 13):
            continue
        # PDFium adds only spaces and line ends of its own, so only a space
        # needs asking whether it is one.
        if code == 32 and generated(handle, i):
            continue
        if not owner:
            size = size_of(i)
        elif (size := sizes.get(owner, -1.0)) == -1.0:
            size = sizes[owner] = size_of(i)
        loose = loose_box(handle, i, box_ref)
        x0, x1, low, high = box.left, box.right, box.bottom, box.top
        if not loose or size <= 0 or high - low > 3 * size:
            # No usable loose box (some embedded fonts give one 20 times too
            # large): pdfminer's own box, from the origin, one font size square.
            raw.FPDFText_GetCharOrigin(handle, i, origin_x, origin_y)
            raw.FPDFText_GetCharBox(handle, i, left, right, bottom, top)
            wide = code >= 0x2E80
            box.left, box.bottom = origin_x.value, origin_y.value  # in the box: rounded to its floats
            box.right = origin_x.value + size if wide and size > 0 else right.value
            box.top = origin_y.value + size if size > 0 else top.value
            x0, x1, low, high = box.left, box.right, box.bottom, box.top
        # pdfminer's box, which pdfplumber's cells are cut by: from the font's
        # descent (PDFium's loose box bottom) up by the font size, not the ascent.
        y1 = height - low
        y0 = y1 - size if size > 0 else height - high
        chars.append(
            {
                "text": chr(code),
                "x0": x0,
                "x1": x1,
                "top": y0,
                "bottom": y1,
                "doctop": y0,
                "width": x1 - x0,
                "height": y1 - y0,
                "size": y1 - y0,
                "upright": True,
            }
        )
    return chars


def _as_address(function):
    """``function`` of pypdfium2.raw returning the object's address, an int,
    instead of a typed pointer: comparing thousands of objects by address is
    then a set of ints, not a ctypes cast each."""
    prototype = ctypes.CFUNCTYPE(ctypes.c_void_p, *function.argtypes)
    return prototype(ctypes.cast(function, ctypes.c_void_p).value)


@functools.cache
def _addressers():
    import pypdfium2.raw as raw  # type: ignore[import-untyped]

    return _as_address(raw.FPDFPage_GetObject), _as_address(raw.FPDFText_GetTextObject)


def _object_address(page, index: int) -> int:
    return _addressers()[0](page, index)


def _char_object_address(text, index: int) -> int:
    return _addressers()[1](text, index)


def _edges(obj, height: float) -> list[dict[str, Any]]:
    """A path's straight horizontal and vertical pieces as pdfplumber edges."""
    import pypdfium2.raw as raw  # type: ignore[import-untyped]

    matrix = raw.FS_MATRIX()
    raw.FPDFPageObj_GetMatrix(obj, matrix)
    a, b, c, d, e, f = matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f
    edges: list[dict[str, Any]] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    start: tuple[float, float] | None = None
    previous: tuple[float, float] | None = None
    for i in range(raw.FPDFPath_CountSegments(obj)):
        segment = raw.FPDFPath_GetPathSegment(obj, i)
        raw.FPDFPathSegment_GetPoint(segment, x, y)
        point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        kind = raw.FPDFPathSegment_GetType(segment)
        if kind == _MOVETO:
            start = previous = point
            continue
        if kind == _LINETO and previous is not None:
            edges += _edge(previous, point, height)
        previous = point
        if raw.FPDFPathSegment_GetClose(segment) and start is not None:
            edges += _edge(point, start, height)
            previous = start
    return edges


def _edge(p: tuple[float, float], q: tuple[float, float], height: float) -> list[dict[str, Any]]:
    x0, x1 = sorted((p[0], q[0]))
    y0, y1 = sorted((height - p[1], height - q[1]))
    if x1 - x0 < _THIN and y1 - y0 >= _THIN:
        orientation = "v"
    elif y1 - y0 < _THIN and x1 - x0 >= _THIN:
        orientation = "h"
    else:
        return []
    return [
        {
            "x0": x0,
            "x1": x1,
            "top": y0,
            "bottom": y1,
            "doctop": y0,
            "width": x1 - x0,
            "height": y1 - y0,
            "orientation": orientation,
            "object_type": "line",
        }
    ]


# --- words and cell text, as pdfplumber makes them -----------------------------------------
#
# pdfplumber's WordExtractor and extract_text with their default settings
# (x and y tolerance 3, blanks split words), for upright characters: the
# same words and the same text, a few times faster, since every character of
# a page goes through them.

TOLERANCE = 3
T = TypeVar("T")


def _clusters(objects: list[T], value: Callable[[T], float]) -> list[list[T]]:
    """pdfplumber's cluster_objects: values within the tolerance of the one
    before form a cluster; clusters in order of value, objects in given order."""
    values = sorted({value(o) for o in objects})
    if not values or values[-1] <= values[0] + TOLERANCE:
        return [objects] if objects else []  # one cluster: most cells hold one line
    index: dict[float, int] = {}
    cluster, last = -1, None
    for v in values:
        if last is None or v > last + TOLERANCE:
            cluster += 1
        index[v] = cluster
        last = v
    groups: dict[int, list[T]] = {}
    for o in objects:
        groups.setdefault(index[value(o)], []).append(o)
    return [groups[i] for i in sorted(groups)]


def _word_chars(chars: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The characters of each word, as pdfplumber's WordExtractor groups them:
    lines top to bottom, words left to right."""
    return [word for line in _clusters(chars, _top) for word in _line_words(line)]


def _line_words(line: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """One line's characters cut into words, left to right: at blanks, at a
    gap wider than the tolerance, at a step in height beyond it."""
    out: list[list[dict[str, Any]]] = []
    word: list[dict[str, Any]] = []
    for char in sorted(line, key=_left):
        if char["text"].isspace():
            if word:
                out.append(word)
            word = []
            continue
        if word:
            before = word[-1]
            if (
                char["x0"] < before["x0"]
                or char["x0"] > before["x1"] + TOLERANCE
                or abs(char["top"] - before["top"]) > TOLERANCE
            ):
                out.append(word)
                word = []
        word.append(char)
    if word:
        out.append(word)
    return out


def _left(char: dict[str, Any]) -> float:
    return char["x0"]


def _top(char: dict[str, Any]) -> float:
    return char["top"]


@functools.cache
def _ligatures() -> dict[int, str]:
    from pdfplumber.utils.text import LIGATURES

    return str.maketrans(LIGATURES)


def _word_text(word: list[dict[str, Any]]) -> str:
    return "".join([c["text"] for c in word]).translate(_ligatures())


def words(chars: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """pdfplumber's ``extract_words(chars)`` for upright characters."""
    out = []
    for word in _word_chars(chars):
        first = word[0]
        x0, x1, top, bottom, doctop = first["x0"], first["x1"], first["top"], first["bottom"], first["doctop"]
        for c in word[1:]:  # one pass, not five min()s and max()es: every character comes here
            x0, x1 = min(x0, c["x0"]), max(x1, c["x1"])
            top, bottom = min(top, c["top"]), max(bottom, c["bottom"])
            doctop = min(doctop, c["doctop"])
        out.append(
            {
                "text": _word_text(word),
                "x0": x0,
                "x1": x1,
                "top": top,
                "doctop": doctop,
                "bottom": bottom,
                "upright": True,
                "height": bottom - top,
                "width": x1 - x0,
                "direction": "ltr",
            }
        )
    return out


def cell_text(chars: list[dict[str, Any]]) -> str:
    """pdfplumber's ``extract_text(chars)`` for upright characters: the words
    clustered into lines by their tops, without making a whole word for each
    (a page's every cell comes here)."""
    tops = [c["top"] for c in chars]
    if tops and max(tops) <= min(tops) + TOLERANCE:
        # One line, as most cells are: one cluster of characters, one of words.
        return " ".join(_word_text(word) for word in _line_words(chars))
    placed = [(min(c["top"] for c in word), _word_text(word)) for word in _word_chars(chars)]
    return "\n".join(" ".join(text for _, text in line) for line in _clusters(placed, itemgetter(0)))
