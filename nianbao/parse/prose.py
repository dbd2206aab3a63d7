"""The prose sections (一 总体情况, 五 问题及改进, 六 其他事项) as Markdown."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..model import Report
from ..read import Source
from ..template import SECTION_NUMERALS, SECTION_PATTERNS, SECTIONS
from ..text import normalise
from . import titles

_PARAGRAPH_END = re.compile(r"[。！？；：:;!?]\s*$")


_SUBHEADING = re.compile(
    r"^\s*(?:[(（][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+[、.．]|\d+[、．.](?!\d))"
)


def _heading_lines(lines: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, raw in enumerate(lines):
        line = "".join(normalise(raw).lstrip("# ").split())
        for code, pattern in SECTION_PATTERNS.items():
            if code in found:
                continue
            if re.match(SECTION_NUMERALS[code] + r"[、.]?" + pattern, line):
                found[code] = i
    return found


def _as_markdown(lines: list[str], layout: str) -> str:
    if "markdown" in layout:
        return "\n".join(line.replace("\t", " ") for line in lines).strip()
    paragraphs: list[str] = []
    current = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if current and (_PARAGRAPH_END.search(current) or _SUBHEADING.match(line)):
            paragraphs.append(current)
            current = ""
        current += line
    if current:
        paragraphs.append(current)
    return "\n\n".join(re.sub(r"^([#>*+\-]|\d+\.)", r"\\\1", p) for p in paragraphs)


def parse_prose(report: Report, source: Source, table_lines: list[int]) -> None:
    lines = source.lines
    headings = _heading_lines(lines)
    bounds = sorted(set(headings.values()) | set(table_lines) | {len(lines)})
    for code in ("overview", "problems", "other"):
        if code not in headings:
            report.add(
                "info", "section_missing", f"没有找到「{SECTIONS[code]}」这一节", table="report", row=code
            )
            continue
        start = headings[code]
        end = next(b for b in bounds if b > start)
        body = [ln for ln in lines[start + 1 : end] if not _is_title(ln)]
        report.prose[code] = _as_markdown(body, source.layout)


def _is_title(line: str) -> bool:
    """The report's title line, which some reports put under 一、总体情况."""
    return len(line.strip()) < 60 and titles.split_title(titles.clean(line)) is not None
