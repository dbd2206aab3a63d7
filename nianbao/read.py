"""Step 1: read a content file into text, front matter and a stream of cells.

The three seed layouts reduce to one shape here: a list of tokens, each a
piece of label text, a number, a placeholder or (in tab-separated text) a
blank cell, with the line it came from.  The parser never needs to know
whether a report was PDF text with wrapped lines, tab-separated cells or
Markdown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import yaml

TokenKind = Literal["text", "number", "placeholder", "blank"]

# A cell that says "nothing here" without being a number.
PLACEHOLDERS = {"/", "\\", "-", "--", "—", "——", "–", "―", "─", "无", "空", "／"}

_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
# Page numbers that PDF-to-text leaves in the middle of tables: "-3-", "— 3 —", "第3页".
_PAGE_MARK = re.compile(r"^\s*(?:[-—–－]\s*\d{1,3}\s*[-—–－]|第\s*\d{1,3}\s*页(?:\s*共\s*\d+\s*页)?)\s*$")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
# Text copied from a web page can lose the space between a label and its numbers.
_LABEL_THEN_DIGITS = re.compile(r"^(.*[\u4e00-\u9fff)\]\"”’])(\d+)$")


# Control characters other than tab and newline: never meaningful in a report,
# and not allowed in the pages or CSV that are published.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]")


def plain(text: str) -> str:
    """Text without control characters."""
    return _CONTROL.sub("", text)


def _unix_text(text: str) -> str:
    """CRLF and CR line ends as LF, control characters dropped."""
    return plain(text.replace("\r\n", "\n").replace("\r", "\n"))


class ReadError(Exception):
    """The file cannot be read as a report; the message says why, in Chinese."""


@dataclass
class Token:
    kind: TokenKind
    text: str  # NFKC-normalised
    line: int  # 0-based line number in the body


@dataclass
class Source:
    """A content file, decoded, with its front matter split off."""

    path: str
    text: str  # the body, without front matter
    meta: dict[str, Any] = field(default_factory=dict)
    layout: str = "text"
    encoding: str = "utf-8"
    warnings: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def decode(data: bytes) -> tuple[str, str]:
    """Bytes to text, trying the encodings Chinese government files come in."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace"), "utf-8 (damaged)"


def split_front_matter(text: str) -> tuple[dict[str, Any], str, list[str]]:
    """``---`` YAML ``---`` at the top of the file, if any.

    Returns (metadata, body, warnings).  Broken front matter is a warning, not
    a failure: the report is still read from its own text.
    """
    if not text.startswith("---"):
        return {}, text, []
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return {}, text, []
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return {}, text, ["front matter 没有结束的 '---'，已按正文读取"]
    body = "\n".join(lines[end + 1 :])
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"（第{mark.line + 2}行）" if mark else ""
        return {}, body, [f"front matter 不是有效的 YAML{where}，已忽略"]
    if not isinstance(meta, dict):
        return {}, body, ["front matter 不是“键: 值”形式，已忽略"]
    return meta, body, []


def detect_layout(path: str, body: str) -> str:
    lines = [ln for ln in body.split("\n") if ln.strip()]
    if path.lower().endswith((".md", ".markdown")) or any(_MD_HEADING.match(ln) for ln in lines):
        layout = "markdown"
    else:
        layout = "text"
    if sum(1 for ln in lines if "\t" in ln) >= 10:
        layout = "tsv" if layout == "text" else "markdown+tsv"
    return layout


def read_source(path: str, data: bytes) -> Source:
    """Decode a content file and split its front matter off.

    PDF, HTML and Word files are first turned into text by
    :mod:`nianbao.formats`; they carry no front matter of their own.
    """
    if not data.strip():
        raise ReadError("文件是空的")
    from .formats import CONVERTERS  # the converters import this module

    suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if suffix in CONVERTERS:
        layout, convert = CONVERTERS[suffix]
        text = _unix_text(convert(data))
        return Source(path, text, {}, layout, suffix.lstrip("."))
    if _looks_binary(data):
        raise ReadError(_binary_message(data))
    text, encoding = decode(data)
    text = _unix_text(text)
    meta, body, warnings = split_front_matter(text)
    meta = {k: plain(v) if isinstance(v, str) else v for k, v in meta.items()}
    return Source(path, body, meta, detect_layout(path, body), encoding, warnings)


# File signatures of what is most often saved as .txt by mistake.
SIGNATURES = {
    b"%PDF": "PDF",
    b"\x89PNG": "PNG 图片",
    b"\xff\xd8\xff": "JPEG 图片",
    b"GIF8": "GIF 图片",
    b"PK\x03\x04": "Word（.docx）或压缩文件",
    b"\xd0\xcf\x11\xe0": "旧版 Word（.doc）或 WPS 文件",
}


def _looks_binary(data: bytes) -> bool:
    """A known binary signature, or NUL bytes in more than 1% of the head (and more than 8).

    A stray NUL in a text file (an editor's slip) is dropped, not fatal;
    UTF-16 text is full of NULs and has its own byte-order mark.
    """
    if data.startswith(tuple(SIGNATURES)):
        return True
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    head = data[:4096]
    return head.count(b"\x00") > max(8, len(head) // 100)


def _binary_message(data: bytes) -> str:
    kind = next((name for sig, name in SIGNATURES.items() if data.startswith(sig)), "")
    what = f"{kind}文件" if kind else "二进制数据（可能是 PDF、图片或 Word 文件）"
    return f"文件是{what}，却存成了文本扩展名，无法按文本读取：请改用正确的扩展名"


def normalise(text: str) -> str:
    """NFKC: full-width digits, brackets and spaces become their ASCII forms."""
    return unicodedata.normalize("NFKC", text)


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
    if cell in PLACEHOLDERS:
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
            glued = _LABEL_THEN_DIGITS.match(cell) if kind == "text" else None
            if glued:  # "予以公开801000081": a label with its row's digits run on
                tokens.append(Token("text", glued.group(1), number))
                tokens.append(Token("number", glued.group(2), number))
                continue
            tokens.append(Token(kind, cell, number))
    return tokens
