"""Who published a report, for which year: read from its title as reports
really write it.

Titles come as "平潭综合实验区财政金融局2024年度政府信息公开工作年度报告",
as "2024 年上海市科委政府信息公开工作年度报告" (year first), over two lines
("2025 年上海市人民政府办公厅政府信息公开" / "工作年度报告"), with spaces
inside, Chinese numerals (二〇二三年), 《》 quotes and suffixes such as
（图片版）（超链版）.  This module only looks at text; which text to believe
(front matter, a crawler header, the report's own title, the file name) is
decided by the parser.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from ..text import normalise
from ..urls import naming_part

_CHINESE_DIGITS = {"〇": "0", "零": "0", "○": "0", "Ｏ": "0", "O": "0"} | {
    d: str(i) for i, d in enumerate("〇一二三四五六七八九") if i
}
# 二〇二三年 / 二零二三年度: a year written in Chinese numerals, digit by digit.
_CHINESE_YEAR = re.compile(r"([二一][〇零○Ｏ一二三四五六七八九]{3})(?=\s*年)")
# The words every title ends with, however they are cut and re-punctuated.
_REPORT_WORDS = r"政府信息公开(?:工作)?(?:年度)?(?:工作)?(?:报告|年报)"
_TITLE = re.compile(r"((?:19|20)\d{2})年(?:度)?(?:的)?")
_ENDS_TITLE = re.compile(_REPORT_WORDS)
# Text around a title that is not the agency's name.
_EDITION = re.compile(
    r"[(（【\[](?:图片版|超链版|文字版|图解版|全文|正式版|简版|修订版|更新版|pdf版|PDF版|附件)[)）】\]]"
)
_NOISE = re.compile(r"[\s#*《》〈〉\"“”'‘’:：,，。、·•|｜_]")
_LEADING = re.compile(r"^(?:关于|附件\d*|标题)+")
_SECTION_LINE = re.compile(r"^[一二三四五六七八九十]+[、.]")


def chinese_year_to_digits(text: str) -> str:
    """二〇二三年 -> 2023年; other text is left as it is."""
    return _CHINESE_YEAR.sub(lambda m: "".join(_CHINESE_DIGITS.get(c, c) for c in m.group(1)), text)


def clean(text: str) -> str:
    """A title line without spaces, quotes, edition marks and leading 关于."""
    text = chinese_year_to_digits(normalise(text))
    text = _EDITION.sub("", _NOISE.sub("", text))
    return _LEADING.sub("", text)


def split_title(line: str) -> tuple[str, int | None] | None:
    """(agency, year) from one cleaned title, or None if it is not a title.

    "AGENCY YEAR年度政府信息公开工作年度报告" and "YEAR年AGENCY政府信息公开
    工作年度报告" both give the agency; a title with no name in it (the name
    on the line above) gives "".
    """
    end = _ENDS_TITLE.search(line)
    if not end:
        return None
    head = line[: end.start()]
    year = _TITLE.search(head)
    if year is None:
        return None
    before, after = head[: year.start()], head[year.end() :]
    agency = re.sub(r"(?:关于|的)+$", "", before) or after
    # "…局2024年度…" leaves nothing after the year; "2024年…局" nothing before.
    return agency.strip("的"), int(year.group(1))


def find_title(lines: Sequence[str]) -> tuple[str, int | None, str]:
    """Agency, year and the title as printed, from the title line(s) near the top.

    A title on one line is looked for first; only then one broken over two
    lines.  A title with no name in it takes the line above (reports that
    print the agency on a line of its own).
    """
    heads = [(re.sub(r"^\s*#+\s*", "", ln).strip(), clean(ln)) for ln in lines[:80] if ln.strip()][:30]
    for joined in (False, True):
        for i, (raw, line) in enumerate(heads):
            if joined:
                if i + 1 >= len(heads) or len(line) >= 60 or _SECTION_LINE.match(line):
                    continue
                raw, line = raw + heads[i + 1][0], line + heads[i + 1][1]
            found = split_title(line)
            if found is None:
                continue
            agency, year = found
            above = heads[i - 1][1] if i > 0 else ""
            if not agency and above and not _SECTION_LINE.match(above) and len(above) < 40:
                agency, raw = above, heads[i - 1][0] + raw
            if len(agency) > 40:  # a sentence that mentions the report, not a title
                continue
            return agency, year, printed_title(raw)
    return "", None, ""


def printed_title(raw: str) -> str:
    """A title as the page shows it: one line, without 《》 and edition marks."""
    text = _EDITION.sub("", re.sub(r"[《》〈〉]", "", normalise(raw)))
    # "2025 年上海市…": the spaces a PDF puts between digits and characters go.
    text = re.sub(r"(?<=[\d\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])\s+(?=\d)", "", text)
    return re.sub(r"\s+", " ", text).strip()


_DATE = re.compile(r"((?:19|20)\d{2})\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})")


def parse_date(text: str) -> date | None:
    """'2025-01-23 16:43', '2025年1月23日', '2025/1/23' -> a date; else None."""
    m = _DATE.search(normalise(text))
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


_FILE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def year_in_name(name: str) -> int | None:
    """A year in a file or folder name ('hongze-2024.pdf', '2023年报'), if exactly one."""
    years = {int(y) for y in _FILE_YEAR.findall(chinese_year_to_digits(normalise(name)))}
    years = {y for y in years if 2008 <= y <= 2100}
    return years.pop() if len(years) == 1 else None


_STATISTICS_PERIOD = re.compile(r"统计期限[^。]{0,12}?((?:19|20)\d{2})年\s*1\s*月\s*1\s*日")


def year_of_statistics(text: str) -> int | None:
    """The year the report's own statistics period names ('统计期限自2024年1月1日起…')."""
    m = _STATISTICS_PERIOD.search(re.sub(r"\s+", "", normalise(text)))
    return int(m.group(1)) if m else None


def name_from_path(path: str) -> str:
    """A readable name from a file's path, for a report whose text names no agency:
    the naming part (:func:`naming_part`) without its year, numbering and edition marks."""
    name = clean(naming_part(path))
    name = _ENDS_TITLE.sub("", _FILE_YEAR.sub("", name))
    name = re.sub(r"(?:年度?)?(?:工作)?(?:年度)?(?:年报|报告)?$", "", name)
    name = re.sub(r"^[\d_\-.]+|[\d_\-.]+$", "", name)
    if re.search(r"[\u4e00-\u9fff]{2}", name):
        return name
    if re.fullmatch(r"[A-Za-z][A-Za-z_\-.]{2,}", name):  # a word, not a hash such as 07ea97a0e0
        return name
    return ""
