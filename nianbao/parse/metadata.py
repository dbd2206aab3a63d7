"""Who published a report, for which year, under which title, where the
original is: front matter first, then a crawler header, then the report's
own title lines, then (with a warning) the file's name and dates."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from ..model import Report
from ..read import Source
from ..read.frontmatter import HEADER_DATE, HEADER_PUBLISHER, HEADER_TITLE, HEADER_URL
from ..text import normalise
from . import titles

_REGION_MARK = re.compile(r"[省市区县旗州盟镇乡]|街道|自治|国家|中华人民共和国")


_SHORT_NAMES = {"政府办": "人民政府办公室", "政府办公室": "人民政府办公室", "区政府": "人民政府"}


_NOT_REGION = set("我本全该各辖社城园地小片的在和与及对于了是为向从由到把被将其此各每省市区县")


def _region_from_body(text: str) -> str:
    """The county or city a report talks about most, e.g. '文峰区'."""
    counts: Counter[str] = Counter()
    for m in re.finditer(r"(?=([\u4e00-\u9fff]{2})(区|县|市|旗))", text):
        name = m.group(1)
        if not set(name) & _NOT_REGION:
            counts[name + m.group(2)] += 1
    return counts.most_common(1)[0][0] if counts else ""


def complete_agency(agency: str, body: str) -> str:
    """Give a short title name ('政府办', '信访局') the region the body names."""
    if not agency or _REGION_MARK.search(agency):
        return agency
    text = normalise(body)
    full = _SHORT_NAMES.get(agency, agency)
    found = Counter(
        m.group(0) for m in re.finditer(r"[\u4e00-\u9fff]{2,4}?(?:区|县|市|旗)" + re.escape(full), text)
    )
    if found:
        return found.most_common(1)[0][0]
    region = _region_from_body(text)
    return region + full if region else agency


def _year_from_body(text: str) -> int | None:
    years = Counter(int(y) for y in re.findall(r"(20\d{2})\s*年", normalise(text)))
    return years.most_common(1)[0][0] if years else None


# Front matter keys nianbao understands; others are kept out and warned about.
FRONT_MATTER_KEYS = {"agency", "year", "region", "title", "id", "source_file", "source_url", "published"}


YEARS = (2008, 2100)  # the regulations date from 2008; the schema's range


def _plausible_year(year: object) -> bool:
    return isinstance(year, int) and not isinstance(year, bool) and YEARS[0] <= year <= YEARS[1]


def _front_matter_warnings(report: Report, meta: dict[str, Any]) -> None:
    unknown = sorted(str(k) for k in meta if k not in FRONT_MATTER_KEYS)
    if unknown:
        report.add(
            "warning",
            "bad_front_matter",
            f"front matter 中有不认识的键：{'、'.join(unknown)}（可用的键：{'、'.join(sorted(FRONT_MATTER_KEYS))}）",
            table="report",
        )
    for key in ("agency", "region", "title", "id", "source_file", "source_url", "published"):
        if key in meta and meta[key] is not None and not isinstance(meta[key], str | int | date):
            report.add(
                "warning",
                "bad_front_matter",
                f"front matter 的 {key} 应是一段文字，却是{type(meta[key]).__name__}（{str(meta[key])[:40]}），已忽略",
                table="report",
            )


def _text(meta: dict[str, Any], key: str) -> str:
    """A one-line front matter value: line breaks and runs of white space as one space."""
    value = meta.get(key)
    return re.sub(r"\s+", " ", value).strip() if isinstance(value, str) else ""


def _first(header: dict[str, str], keys: Sequence[str]) -> str:
    return next((header[k] for k in keys if header.get(k)), "")


def _source_url(meta: dict[str, Any], header: dict[str, str]) -> str:
    """The original's address: only an http(s) URL, never another scheme."""
    for url in (_text(meta, "source_url"), _first(header, HEADER_URL)):
        url = url.strip()
        if re.fullmatch(r"https?://[^\s<>\"'`]+", url):
            return url
    return ""


def _published(meta: dict[str, Any], header: dict[str, str]) -> date | None:
    given = meta.get("published")
    if isinstance(given, date):
        return given
    return titles.parse_date(str(given)) if given else titles.parse_date(_first(header, HEADER_DATE))


def read_metadata(report: Report, source: Source) -> None:
    """Agency, year, region, title, original address and publication date.

    Front matter first; then a crawler header's 标题 (the page title names
    the report exactly); then the report's own title lines; then, with a
    warning, what is left: the publisher in the header, the file or folder
    name, the statistics period, the publication date.
    """
    meta, header = source.meta, source.header
    _front_matter_warnings(report, meta)
    report.source_url = _source_url(meta, header)
    report.published = _published(meta, header)
    header_title = _first(header, HEADER_TITLE)
    from_header = titles.split_title(titles.clean(header_title)) if header_title else None
    agency, year, printed_title = titles.find_title(source.lines)
    if from_header:
        agency, year = from_header[0] or agency, from_header[1]
        printed_title = titles.printed_title(header_title)
    _read_agency(report, meta, agency, header, source)
    _read_year(report, meta, year, source)
    if isinstance(meta.get("region"), str):
        report.region = _text(meta, "region")
    if _text(meta, "title"):
        report.title = _text(meta, "title")
    elif printed_title and report.agency and len(printed_title) <= 120:
        report.title = printed_title
    # The title names the agency in full even where the report's own title
    # says only "政府办": the page and the data must say who published it.
    if report.title and report.agency and not _names_agency(report.title, report.agency):
        report.title = ""
    if not report.title and report.agency and report.year:
        report.title = report.name


def _names_agency(title: str, agency: str) -> bool:
    return titles.clean(agency) in titles.clean(title)


def _read_agency(
    report: Report, meta: dict[str, Any], agency: str, header: dict[str, str], source: Source
) -> None:
    if _text(meta, "agency"):
        report.agency, report.metadata_origin["agency"] = _text(meta, "agency"), "front matter"
        return
    report.agency = complete_agency(agency, source.text)
    report.metadata_origin["agency"] = "text"
    if report.agency:
        return
    publisher = titles.clean(_first(header, HEADER_PUBLISHER))
    # The bare file name when nothing better is there: a name must be published.
    named = titles.name_from_path(source.path) or source.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    for name, origin, where in (
        (publisher, "header", "网页的发布机构"),
        (named, "file name", "文件名或文件夹名"),
    ):
        if name:
            report.agency = complete_agency(name, source.text)
            report.metadata_origin["agency"] = origin
            report.add(
                "warning",
                "agency_guessed",
                f"报告标题里没有找到机构名称，机构取自{where}「{report.agency}」：请核对，或在 front matter 写明 agency",
                table="report",
            )
            return


def _read_year(report: Report, meta: dict[str, Any], year: int | None, source: Source) -> None:
    given = meta.get("year")
    if _plausible_year(given):
        report.year, report.metadata_origin["year"] = given, "front matter"
        return
    if given is not None:
        report.add("warning", "bad_front_matter", f"front matter 的 year「{given}」不是年份，已从正文读取")
    if _plausible_year(year):
        report.year, report.metadata_origin["year"] = year, "text"
        return
    # No year in the title: the next-best evidence, each said in a warning.
    published = report.published
    for guess, origin, where in (
        (titles.year_of_statistics(source.text), "text", "正文的统计期限"),
        (titles.year_in_name(source.path), "file name", "文件名"),
        (
            published.year - 1 if published and published.month <= 6 else None,
            "published",
            "发布日期（上一年度）",
        ),
        (_year_from_body(source.text), "text", "正文中最常出现的年份"),
    ):
        if _plausible_year(guess):
            report.year, report.metadata_origin["year"] = guess, origin
            report.add(
                "warning",
                "year_guessed",
                f"报告标题里没有找到年度，年度取自{where}：{guess}年。请核对，或在 front matter 写明 year",
                table="report",
            )
            return
