"""One URL scheme: where everything of the portal is published, and the ids
and slugs those addresses are made of.

Every path here is relative to the site's root and uses "/"; pages link to
each other relatively, so the site works from any sub-path and from file://.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import PurePosixPath

from .model import Report

# Ids and slugs get a short hash of what they stand for where a readable
# form alone could collide: the same text always gives the same hash.
_CJK = "\u4e00-\u9fff"


def short_hash(text: str, length: int = 8) -> str:
    """A short, stable hexadecimal digest of ``text``."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]


# Stems a saved page or a crawler gives the report itself ("page.html"): its folder names it.
GENERIC_STEMS = frozenset(
    {"page", "index", "default", "main", "content", "text", "article", "detail", "report"}
)


def naming_part(path: str) -> str:
    """The part of a path that names the report: the file's stem, or its
    folder's name when the stem is generic ("huaian-2024-tables/page.html")."""
    parts = [p for p in path.split("/") if p]
    stem = parts[-1].rsplit(".", 1)[0] if parts else ""
    if stem.lower() in GENERIC_STEMS and len(parts) > 1:
        return parts[-2]
    return stem


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


def explicit_id(wanted: str) -> str:
    """The id a front matter ``id`` asks for, when it makes a usable one ("" when not)."""
    slug = _slug(wanted)
    return slug if len(slug) >= 3 else ""


def report_id(source: str) -> str:
    """A report's id: ``[a-z0-9-]``, stable, from its own path alone
    (an id asked for in front matter is :func:`explicit_id`).

    The file's naming part: as it is when it is plain ASCII
    ("hongze-2024"), else its ASCII letters and digits plus a hash of the
    whole name ("淮安市2023年报" -> "2023-" + hash), so that two names never
    share an id by losing their Chinese, and no id changes when other files
    arrive.
    """
    name = naming_part(source)
    slug = _slug(name)
    if name.isascii() and len(slug) >= 3:
        return slug
    digest = short_hash(name or source, 8)
    return f"{slug[:60]}-{digest}" if slug else f"r-{digest}"


def agency_slug(name: str) -> str:
    """A readable, stable URL segment for an agency: its own name when it is
    plain letters, digits and Chinese; otherwise (or when empty) those
    characters plus a hash of the full name, so no two names share a slug and
    nothing in a name can reach a path."""
    text = unicodedata.normalize("NFKC", name)
    kept = re.sub(rf"[^{_CJK}A-Za-z0-9]+", "-", text).strip("-")[:40].lower()
    if kept and kept == text.lower() and not kept.isdigit():
        return kept
    digest = short_hash(name, 8)
    return f"{kept}-{digest}" if kept else f"agency-{digest}"


def suffixed(report_id: str, source: str) -> str:
    """A second report's id when another file already has ``report_id``."""
    return f"{report_id}-{short_hash(source, 6)}"


def unique_ids(reports: list[Report]) -> None:
    """Two files may yield one id (same name in two folders): keep both.

    An id given in front matter always keeps its URL; among reports whose
    ids came from their file names, the first by path keeps it.  The others
    get a suffix from their own path, so it does not change when files come
    and go.
    """
    groups: dict[str, list[Report]] = {}
    for report in reports:
        groups.setdefault(report.report_id, []).append(report)
    for old, group in groups.items():
        if len(group) < 2:
            continue
        keeper = min(group, key=lambda r: (r.metadata_origin.get("id") != "front matter", r.source))
        for report in group:
            if report is keeper:
                continue
            report.report_id = suffixed(old, report.source)
            report.add(
                "warning",
                "duplicate_id",
                f"编号「{old}」已由 {keeper.source} 使用，本报告改用「{report.report_id}」",
                table="report",
            )


# --- where things are published ----------------------------------------------

PORTAL_FILES = {
    "datapackage": "data/datapackage.json",
    "json": "api/index.json",
}
AGENCY_INDEX = "api/agencies.json"  # every agency's names, for search (small: no figures)


def rankings_file(year: int) -> str:
    """A year's indicators of every report, for the rankings page (one file a year)."""
    return f"api/rankings/{year}.json"


def year_files(year: int) -> dict[str, str]:
    """A year's reports as one workbook and one zip: an edit rebuilds its year's only."""
    return {
        "xlsx": f"{year_folder(year)}/nianbao-{year}.xlsx",
        "zip": f"{year_folder(year)}/nianbao-{year}.zip",
    }


def year_list_page(year: int) -> str:
    """The page that lists a year's reports (``0``: the reports whose year is
    unknown).  It sits beside the home page, so a report's line of the list
    (rendered once, see :data:`nianbao.cache`) links from either."""
    return f"reports-{year}.html" if year else "reports-undated.html"


def search_shard(report_id: str) -> str:
    """Which of the 16 search indexes a report's page is in ("0" to "f"): an
    edit re-indexes its shard only, and the browser merges them (Pagefind's
    ``mergeIndex``).  The same report is always in the same shard."""
    return short_hash(report_id, 1)


# Folders of the site made as one piece (a report's, an agency's, a year's
# bundle, a search shard, the static assets): a rebuild puts each changed one
# in place whole, in this order, and leaves the others as they are.
UNIT_FOLDERS = ("reports", "agencies", "data", "pagefind", "static")


def unit_of(relative: str) -> str:
    """The piece of the site a published path belongs to: its folder among
    :data:`UNIT_FOLDERS` (``reports/<id>``, ``data/2023``, ``static``), else the file itself."""
    parts = relative.split("/")
    if parts[0] == "static":
        return "static"
    if len(parts) > 2 and parts[0] in UNIT_FOLDERS and (parts[0] != "data" or parts[1].isdigit()):
        return f"{parts[0]}/{parts[1]}"
    return relative


SEARCH_FOLDER = "pagefind"  # every shard's index is a folder of this one


def search_folder(shard: str) -> str:
    return f"{SEARCH_FOLDER}/{shard}"


def year_folder(year: int) -> str:
    return f"data/{year}"


def report_folder(report_id: str) -> str:
    return f"reports/{report_id}"


def report_page(report_id: str) -> str:
    return f"{report_folder(report_id)}/index.html"


def report_files(report_id: str) -> dict[str, str]:
    """What is published for a report, by format, as paths from the site root
    (beside its page and its original): one package with its data inline."""
    return {"datapackage": f"{report_folder(report_id)}/datapackage.json"}


def agency_folder(slug: str) -> str:
    return f"agencies/{slug}"


def agency_page(slug: str) -> str:
    return f"{agency_folder(slug)}/index.html"


def agency_files(slug: str) -> dict[str, str]:
    """An agency's downloads: a workbook, and its package (CSV files) zipped."""
    folder = agency_folder(slug)
    return {"xlsx": f"{folder}/{slug}.xlsx", "zip": f"{folder}/{slug}.zip"}


def agency_package_name(slug: str) -> str:
    """A Frictionless package name ([-a-z0-9._/]) for an agency whose slug may be Chinese."""
    return f"nianbao-agency-{short_hash(slug, 12)}"


# Originals that a browser would run on the portal's own origin: published
# with ".txt" added, so they are shown as text or downloaded, never run.
ACTIVE_SUFFIXES = {".html", ".htm", ".xhtml", ".xht", ".svg", ".xml", ".shtml", ".mht", ".mhtml"}


def source_name(source: str) -> str:
    """The name a report's original is published under in its folder."""
    suffix = PurePosixPath(source).suffix.lower()
    return "source" + suffix + (".txt" if suffix in ACTIVE_SUFFIXES or not suffix else "")
