"""Word ``.docx`` files to report text, with python-docx.

Paragraphs and tables are read in document order.  python-docx returns a
merged cell once for every grid slot it covers; continuation slots are left
empty here so each value is read once.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree  # type: ignore[import-untyped]

from .grid import clean, to_lines
from .limits import check_docx
from .source import ReadError


def _table_lines(table) -> list[str]:
    grid: list[list[str]] = []
    above: list = []
    for row in table.rows:
        line: list[str] = []
        seen: list = []
        for c, cell in enumerate(row.cells):
            merged_left = bool(seen) and cell._tc is seen[-1]
            merged_up = c < len(above) and cell._tc is above[c]
            line.append("" if merged_left or merged_up else cell.text)
            seen.append(cell._tc)
        above = seen
        grid.append(line)
    return to_lines(grid)


def to_text(data: bytes) -> str:
    import docx  # python-docx; imported here so text-only builds never load it
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    check_docx(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, etree.LxmlError) as exc:
        why = str(exc).split("\n")[0][:120]
        raise ReadError(f"不是有效的 Word（.docx）文件：{why}") from None
    lines: list[str] = []
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            lines.append(clean(Paragraph(element, document).text))
        elif element.tag == qn("w:tbl"):
            lines.extend(["", *_table_lines(Table(element, document)), ""])
    text = "\n".join(lines).strip()
    if not text:
        raise ReadError("Word 文件里没有文字（表格可能是图片）：需要 OCR 或找到文字版")
    return text
