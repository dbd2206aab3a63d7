"""What the portal knows about each agency: its page, its region, its kind.

Reports name their agency in free text ("淮安市洪泽区人民政府", "文峰区信访局",
"城关镇人民政府"); the filters and agency pages need a region, a level of
government and a kind of body.  These are read from the name by the suffixes
of China's administrative divisions, which every official name follows.  A
name the rules cannot place gets "unknown", never a guess.

Agency pages are keyed by :func:`~nianbao.crosscheck.agency_keys`, so the
same body under a longer and a shorter name ("淮安市洪泽区人民政府",
"洪泽区人民政府") has one page, and their slugs depend on the name alone: a
permalink never changes when more reports arrive.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from .model import Report
from .urls import agency_page, agency_slug

# Levels of government, from the top; codes are the data's, labels the pages'.
LEVELS = {
    "central": ("中央", "Central"),
    "province": ("省级", "Provincial"),
    "city": ("市级", "Prefecture"),
    "county": ("县级", "County"),
    "township": ("乡镇级", "Township"),
    "unknown": ("未知", "Unknown"),
}
KINDS = {
    "government": ("人民政府", "Government"),
    "general_office": ("政府办公室", "General office"),
    "department": ("政府部门", "Department"),
    "township": ("乡镇街道", "Township or sub-district"),
    "other": ("其他", "Other"),
}

_CJK = "\u4e00-\u9fff"
# A place and its division: 江苏省, 淮安市, 洪泽区, 县, 旗, 自治州, 镇, 乡, 街道.
_PLACE = re.compile(
    rf"[{_CJK}]{{1,7}}?(?:自治区|自治州|自治县|特别行政区|省|市|州|盟|地区|区|县|旗|镇|乡|街道)"
)
_GOVERNMENT = re.compile(r"(?:人民政府|行政公署|办事处|管理委员会|管委会)$")
_OFFICE = re.compile(r"人民政府办公[室厅]$|政府办$")
_TOWNSHIP = re.compile(rf"[{_CJK}](?:镇|乡)(?:人民政府)?$|街道(?:办事处)?$")
_CENTRAL = re.compile(r"^(?:国务院|国家|中国|中华人民共和国|中央)")
# Divisions that end a place, by level.
_LEVEL_OF = (  # longer suffixes first: 自治区 is a province, not a 区
    ("province", ("自治区", "特别行政区", "省")),
    ("city", ("自治州",)),
    ("county", ("自治县",)),
    ("township", ("镇", "乡", "街道")),
    ("city", ("市", "州", "盟", "地区")),
    ("county", ("区", "县", "旗")),
)
_NOT_PLACES = {"城市", "社区", "园区", "景区", "地区"}  # words in department names
_ENDS = set("省市州盟区县旗镇乡")  # one-character divisions
_MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")


def places(agency: str) -> list[str]:
    """The chain of places an agency name starts with: 淮安市洪泽区信访局 -> [淮安市, 洪泽区]."""
    found, rest = [], agency
    while m := _PLACE.match(rest):
        place = m.group(0)
        # A one-character name before a division (沛县) is rare; a two-character
        # match followed by a division is a name holding a division word (红旗区).
        if len(place) == 2 and rest[2:3] in _ENDS:
            place = rest[:3]
        # "人民政府" and department names are not places; a place is 2+ characters.
        if len(place) < 2 or place.startswith(("人民", "政府")) or place in _NOT_PLACES:
            break
        found.append(place)
        rest = rest[len(place) :]
    return found


def _division(place: str) -> str:
    for level, suffixes in _LEVEL_OF:
        if place.endswith(suffixes):
            if level == "city" and place in _MUNICIPALITIES:
                return "province"
            return level
    return "unknown"


def level_of(agency: str) -> str:
    """The level of government of the body: its lowest place's division."""
    if _CENTRAL.match(agency):
        return "central"
    chain = places(agency)
    if not chain:
        return "unknown"
    return _division(chain[-1])


def kind_of(agency: str) -> str:
    if not agency:
        return "other"
    if _TOWNSHIP.search(agency):
        return "township"
    if _OFFICE.search(agency):
        return "general_office"
    chain = places(agency)
    rest = agency[len("".join(chain)) :]
    if chain and (not rest or _GOVERNMENT.fullmatch(rest)):
        return "government"
    if rest.endswith(("局", "委员会", "委", "厅", "办", "办公室", "中心", "署", "院", "部", "所", "队")):
        return "department"
    return "other"


def region_of(report: Report) -> str:
    """The region a report is filed under: the front matter's, else the name's places."""
    return report.region or "".join(places(report.agency))


def facets(report: Report) -> dict[str, str]:
    """The fields a report is filtered and grouped by: ``region``, ``level`` and ``kind``."""
    return {"region": region_of(report), "level": level_of(report.agency), "kind": kind_of(report.agency)}


@dataclass
class Agency:
    """One body and every report it published, oldest first."""

    name: str  # the name its page goes by (the shortest name it used)
    slug: str
    level: str
    kind: str
    region: str
    reports: list[Report] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return sorted({r.agency for r in self.reports})

    @property
    def page(self) -> str:
        return agency_page(self.slug)


def agencies(reports: list[Report]) -> list[Agency]:
    """Reports grouped by agency (the names of one body joined), sorted by name.

    Reports with no agency name have no agency page."""
    keys = agency_keys([r.agency for r in reports if r.agency])
    groups: dict[str, list[Report]] = defaultdict(list)
    for report in reports:
        if report.agency:
            groups[keys[report.agency]].append(report)
    out = []
    for name, group in groups.items():
        group.sort(key=lambda r: (r.year or 0, r.report_id))
        longest = max(group, key=lambda r: len(r.agency)).agency  # carries the most places
        region = next((r.region for r in reversed(group) if r.region), "") or "".join(places(longest))
        out.append(Agency(name, agency_slug(name), level_of(longest), kind_of(name), region, group))
    return sorted(out, key=lambda a: a.name)


# A name that starts with a smaller region ("洪泽区…" under 淮安市): not counted
# as the region's own department, because whether a region-wide count covers
# the governments below it varies from report to report.
SUB_REGION = re.compile(r"^[\u4e00-\u9fff]{1,5}?[市区县旗州盟]")


def agency_keys(agencies: list[str]) -> dict[str, str]:
    """Names of one agency across years: "淮安市洪泽区人民政府" one year and
    "洪泽区人民政府" the next are one body, keyed by the shorter name, which
    must itself start with a region ("洪泽区…"), so "信访局" alone never
    joins every 信访局."""
    names = set(agencies)
    keys: dict[str, str] = {}
    for name in names:
        # The shortest ending of the name that is itself a name of a region's
        # body: looked up ending by ending (a name is short), not name by name.
        keys[name] = next(
            (
                name[i:]
                for i in range(len(name) - 1, 0, -1)
                if name[i:] in names and SUB_REGION.match(name[i:])
            ),
            name,
        )
    return {name: keys[key] for name, key in keys.items()}
