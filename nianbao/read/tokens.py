"""Text to a stream of cells.

The seed layouts reduce to one shape here: a list of tokens, each a piece of
label text, a number, a placeholder or (in tab-separated text) a blank cell,
with the line it came from.  The parser never needs to know whether a report
was PDF text with wrapped lines, tab-separated cells, Markdown or a web
page's text with its cells run together.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation

from ..template import SECTION_NUMERALS, SECTION_PATTERNS
from ..text import normalise
from .source import UNSURE_PATTERN, Token, TokenKind

# A cell that says "nothing here" without being a number.
PLACEHOLDERS = {"/", "\\", "-", "--", "—", "——", "–", "―", "─", "无", "空", "／"}


_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


# Page numbers that PDF-to-text leaves in the middle of tables: "-3-", "— 3 —", "第3页".
_PAGE_MARK = re.compile(r"^\s*(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d{1,3}\s*页(?:\s*共\s*\d+\s*页)?)\s*$")


_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")


# A line this long is a whole web page's text on one line (a crawler's innerText).
LONG_LINE = 600


@functools.cache
def _heading_pattern() -> re.Pattern[str]:

    parts = [
        SECTION_NUMERALS[code]
        + r"\s*[、.．]\s*(?:[^。；;，,\d]{0,12}?)"
        + pattern
        + r"(?:及改进情况|和改进情况|情况)?"
        for code, pattern in SECTION_PATTERNS.items()
    ]
    return re.compile("|".join(f"(?:{p})" for p in parts))


def break_at_headings(text: str) -> str:
    """Put the six section headings on lines of their own in text that a web
    page gave as one long line, so the prose sections and tables can be told apart."""
    if all(len(line) < LONG_LINE for line in text.split("\n")):
        return text
    lines = []
    for line in text.split("\n"):
        if len(line) >= LONG_LINE:
            line = _heading_pattern().sub(lambda m: "\n" + m.group(0) + "\n", line)
        lines.append(line)
    return "\n".join(lines)


def detect_layout(path: str, body: str) -> str:
    lines = [ln for ln in body.split("\n") if ln.strip()]
    if path.lower().endswith((".md", ".markdown")) or any(_MD_HEADING.match(ln) for ln in lines):
        layout = "markdown"
    else:
        layout = "text"
    if sum(1 for ln in lines if "\t" in ln) >= 10:
        layout = "tsv" if layout == "text" else "markdown+tsv"
    return layout


def parse_number(text: str) -> int | Decimal | None:
    """``"1,234"`` -> 1234, ``"2242.9233"`` -> Decimal; anything else -> None."""
    text = normalise(text).strip()
    if not _NUMBER.fullmatch(text):
        return None
    text = text.replace(",", "")
    try:
        return int(text) if "." not in text else Decimal(text)
    except (ValueError, InvalidOperation):
        return None


def _classify(cell: str) -> TokenKind:
    if not cell:
        return "blank"
    if _NUMBER.fullmatch(cell):
        return "number"
    if cell in PLACEHOLDERS or UNSURE_PATTERN.fullmatch(cell):
        return "placeholder"
    return "text"


def _cells(line: str) -> list[str]:
    """One line to its cells: tab-separated, pipe-separated, or space-separated."""
    if "\t" in line:
        return [c.strip() for c in line.split("\t")]
    stripped = line.strip()
    if stripped.startswith("|") and stripped.endswith("|"):
        if set(stripped) <= set("|-: "):
            return []  # a Markdown table's separator row
        return [c.strip() for c in stripped.strip("|").split("|")]
    return stripped.split()


def tokenize(text: str) -> list[Token]:
    """Every line of the body as tokens, page marks dropped.

    Inside a tab- or pipe-separated cell, a run of space-separated numbers
    ("0 0") is several values; otherwise a cell with letters is label text.
    Empty cells become ``blank`` tokens only where the line is tab-separated,
    because only there does an empty cell mean anything.
    """
    tokens: list[Token] = []
    for number, raw in enumerate(text.split("\n")):
        line = normalise(_MD_HEADING.sub("", raw))
        if _PAGE_MARK.match(line):
            continue
        for cell in _cells(line):
            parts = cell.split()
            if len(parts) > 1 and all(_classify(p) in ("number", "placeholder") for p in parts):
                tokens.extend(Token(_classify(p), p, number) for p in parts)
                continue
            kind = _classify(cell)
            if kind == "blank" and "\t" not in raw:
                continue
            if kind == "text":  # "予以公开801000081二、上年结转…": labels and digits run together
                tokens.extend(Token(k, piece, number) for k, piece in unglue(cell))
                continue
            tokens.append(Token(kind, cell, number))
    return tokens


# A run of digits inside text, a decimal part included.
_DIGIT_RUN = re.compile(r"\d+(?:\.\d+)?")


# After a number in prose: a unit, so the number is the prose's own ("2024年", "61条", "15.4%").
_UNITS = set("年月日时分秒件条个项次人家期场号%‰万亿元份页层楼届批类篇部位名户岁天周倍平米")


# Before a number that belongs to its words: 第3, 附件1, 〔2023〕, 国办发…号.
_BOUND_BEFORE = set("第〔[【(（-—~～/:：#№")


_CJK = re.compile(r"[\u4e00-\u9fff）)」”’\]】]")


# What may follow a number run onto the next label: a character or an opening bracket ("01(二)部分公开").
_LABEL_START = re.compile(r"[\u4e00-\u9fff(（“\"「【\[]")


# Numbering of a row inside a label: "2.其他法律…", "3、其他".
_NUMBERING = re.compile(r"[.、]\s*[\u4e00-\u9fff]")


def unglue(cell: str) -> list[tuple[TokenKind, str]]:
    """A text cell cut into label text and the numbers run onto it.

    Text copied from a web page loses the spaces between cells, so a whole
    table row reads "二、上年结转政府信息公开申请数量00000003.危及…": the
    label, the row's digits (cut into cells later, by the arithmetic) and the
    next row's numbering "3." (which stays with its label).  A number that is
    the prose's own (followed by a unit such as 年, 件, %, or after 第) stays
    in the text.
    """
    out: list[tuple[TokenKind, str]] = []
    pos = 0
    for m in _DIGIT_RUN.finditer(cell):
        start, end = m.span()
        digits = m.group()
        before, after = cell[start - 1 : start], cell[end : end + 1]
        if before in "-+" and before and cell[start - 2 : start - 1].isdigit() and pos == start - 1:
            # "125-21856": a signed number run onto the one before it (本年增/减 of 2019 table 二)
            out.append(("number", before + digits))
            pos = end
            continue
        numbered = "." not in digits and bool(_NUMBERING.match(cell, end))
        if not (_CJK.match(before) or _LABEL_START.match(after) or numbered):
            continue
        if before in _BOUND_BEFORE or after in _UNITS or cell[max(0, start - 2) : start] == "附件":
            continue
        if before and not _CJK.match(before) and not before.isspace():
            continue  # "A1", "0591-23163551": part of a word or a number with punctuation
        if numbered:
            digits = digits[:-1]  # the last digit numbers the next label
            end -= 1
        if not digits:
            continue
        if cell[pos:start].strip():
            out.append(("text", cell[pos:start]))
        out.append(("number", digits))
        pos = end
    if cell[pos:].strip():
        out.append(("text", cell[pos:]))
    return out or [("text", cell)]
