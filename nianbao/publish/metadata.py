"""Catalogue metadata that harvesters and search engines read.

- schema.org ``Dataset`` JSON-LD in every dataset page (report, agency, portal);
- a DCAT catalogue (``catalog.jsonld``) naming every dataset and its files;
- ``sitemap.xml``, ``robots.txt`` and an Atom feed (``feed.xml``) of added
  and changed reports;
- a suggested citation for each dataset.

Absolute URLs need the address the site is published at (``--base-url``);
the GitHub Pages workflow passes it, a local build defaults to
``http://localhost:8000/`` (``python -m http.server`` in the output folder).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from ..config import DEFAULT_BASE_URL
from ..text import xml_escape as escape
from .history import Change

PORTAL_NAME = "政府信息公开工作年度报告数据（nianbao）"
PORTAL_NAME_EN = "Government Information Disclosure Annual Reports data (nianbao)"
MEDIA_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "zip": "application/zip",
    "datapackage": "application/json",
}
FORMAT_NAMES = {"csv": "CSV", "xlsx": "XLSX", "json": "JSON", "zip": "ZIP", "datapackage": "Data Package"}


def format_name(kind: str) -> str:
    """A file's format by its kind in :attr:`Dataset.files`: "xlsx", or "xlsx 2023" for one year's."""
    name, _, year = kind.partition(" ")
    return f"{FORMAT_NAMES[name]} {year}".strip()


def media_type(kind: str) -> str:
    """The media type of a kind of :attr:`Dataset.files` ("xlsx 2023" is an xlsx)."""
    return MEDIA_TYPES[kind.partition(" ")[0]]


def base_url(url: str | None) -> str:
    url = (url or DEFAULT_BASE_URL).strip()
    return url if url.endswith("/") else url + "/"


@dataclass(frozen=True)
class Dataset:
    """What every catalogue entry says about one dataset (report, agency or portal)."""

    path: str  # its page, from the site root
    identifier: str
    title: str
    description: str
    files: dict[str, str]  # format ("xlsx", or "xlsx 2023" for one year's) -> path from the site root
    creator: str = ""  # the agency that published the report(s)
    temporal: str = ""  # "2023" or "2021/2024"
    spatial: str = ""
    modified: str = ""  # ISO date time
    keywords: tuple[str, ...] = ("政府信息公开", "年度报告", "依申请公开", "行政复议", "行政诉讼")


def schema_org(dataset: Dataset, base: str) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": base + dataset.path,
        "name": dataset.title,
        "description": dataset.description,
        "url": base + dataset.path,
        "identifier": dataset.identifier,
        "inLanguage": "zh-CN",
        "isAccessibleForFree": True,
        "keywords": list(dataset.keywords),
        "includedInDataCatalog": {"@type": "DataCatalog", "name": PORTAL_NAME, "url": base},
        "publisher": {"@type": "Organization", "name": "nianbao"},
        "distribution": [
            {
                "@type": "DataDownload",
                "name": format_name(kind),
                "encodingFormat": media_type(kind),
                "contentUrl": base + path,
            }
            for kind, path in dataset.files.items()
        ],
    }
    if dataset.creator:
        doc["creator"] = {"@type": "GovernmentOrganization", "name": dataset.creator}
    if dataset.temporal:
        doc["temporalCoverage"] = dataset.temporal
    if dataset.spatial:
        doc["spatialCoverage"] = {"@type": "Place", "name": dataset.spatial}
    if dataset.modified:
        doc["dateModified"] = dataset.modified
    return doc


def json_ld(dataset: Dataset, base: str) -> Markup:
    """The ``<script type="application/ld+json">`` body; '<' escaped so text cannot close the tag."""
    text = json.dumps(schema_org(dataset, base), ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def dcat_dataset(d: Dataset, base: str) -> dict[str, Any]:
    """One dataset of the DCAT catalogue."""
    return {
        "@id": base + d.path,
        "@type": "dcat:Dataset",
        "dct:identifier": d.identifier,
        "dct:title": d.title,
        "dct:description": d.description,
        "dcat:landingPage": base + d.path,
        "dcat:keyword": list(d.keywords),
        **({"dct:creator": {"@type": "foaf:Agent", "foaf:name": d.creator}} if d.creator else {}),
        **({"dct:temporal": d.temporal} if d.temporal else {}),
        **({"dct:spatial": d.spatial} if d.spatial else {}),
        **({"dct:modified": d.modified} if d.modified else {}),
        "dcat:distribution": [
            {
                "@type": "dcat:Distribution",
                "dct:format": format_name(kind),
                "dcat:mediaType": media_type(kind),
                "dcat:downloadURL": base + path,
            }
            for kind, path in d.files.items()
        ],
    }


def dcat_entry(d: Dataset, base: str) -> str:
    """A dataset of the catalogue as the compact JSON :func:`dcat_catalog` joins
    (a report's is made where the report is written, and kept)."""
    return json.dumps(dcat_dataset(d, base), ensure_ascii=False, separators=(",", ":"))


def dcat_catalog(entries: Iterable[str], base: str) -> str:
    """The DCAT catalogue (compact JSON-LD: a machine's file) of its datasets'
    entries (:func:`dcat_entry`), joined without being made again."""
    head = {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
            "dct:modified": {"@type": "xsd:dateTime"},
            "dcat:downloadURL": {"@type": "@id"},
            "dcat:landingPage": {"@type": "@id"},
            "foaf:homepage": {"@type": "@id"},
        },
        "@id": base + "catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": [
            {"@value": PORTAL_NAME, "@language": "zh"},
            {"@value": PORTAL_NAME_EN, "@language": "en"},
        ],
        "dct:description": "各级行政机关政府信息公开工作年度报告的表二、表三、表四数据，按模板勾稽关系核对。",
        "dct:language": "zh",
        "foaf:homepage": base,
    }
    opened = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
    return opened + ',"dcat:dataset":[' + ",".join(entries) + "]}\n"


def citation(dataset: Dataset, base: str, checksum: str = "") -> str:
    """A suggested citation, in the style of GB/T 7714 for electronic data."""
    who = dataset.creator or "nianbao"
    version = f"，版本 {dataset.modified[:10]}" if dataset.modified else ""
    digest = f"，SHA-256 {checksum[:16]}…" if checksum else ""
    return f"{who}. {dataset.title}[DS/OL]. nianbao 整理{version}{digest}. {base}{dataset.path}"


def citation_en(dataset: Dataset, base: str, checksum: str = "") -> str:
    """The same citation for readers in English (the title stays as published)."""
    who = dataset.creator or "nianbao"
    version = f", version {dataset.modified[:10]}" if dataset.modified else ""
    digest = f", SHA-256 {checksum[:16]}…" if checksum else ""
    return f"{who}. {dataset.title} [dataset]. Compiled by nianbao{version}{digest}. {base}{dataset.path}"


def sitemap(paths: list[tuple[str, str]], base: str) -> str:
    """``paths``: (page from the site root, last modified or "")."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for path, modified in paths:
        url = base + ("" if path == "index.html" else path)
        last = f"<lastmod>{modified}</lastmod>" if modified else ""
        lines.append(f"<url><loc>{escape(url)}</loc>{last}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots(base: str) -> str:
    return f"User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n"


@dataclass(frozen=True)
class FeedEntry:
    change: Change
    name: str  # what changed: "淮安市人民政府2024年报告", or the file of a removed report
    page: str  # from the site root; "" for a removed report

    @property
    def title(self) -> str:
        return f"{ACTIONS[self.change.action][0]}：{self.name}"


def atom(entries: list[FeedEntry], base: str, limit: int = 200) -> str:
    """An Atom feed of the latest changes to the data."""
    updated = entries[0].change.date if entries else "1970-01-01T00:00:00Z"
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
        f"<title>{escape(PORTAL_NAME)}：数据更新</title>",
        f'<link rel="self" href="{escape(base)}feed.xml"/>',
        f'<link rel="alternate" href="{escape(base)}changelog.html"/>',
        f"<id>{escape(base)}feed.xml</id>",
        f"<updated>{updated}</updated>",
        "<author><name>nianbao</name></author>",
    ]
    for entry in entries[:limit]:
        c = entry.change
        link = base + (entry.page or "changelog.html")
        out += [
            "<entry>",
            f"<title>{escape(entry.title)}</title>",
            f'<link href="{escape(link)}"/>',
            f"<id>{escape(base)}changelog.html#{escape(c.date)}-{escape(c.action)}-{escape(c.source)}</id>",
            f"<updated>{c.date}</updated>",
            f"<summary>{escape(_summary(c))}</summary>",
            "</entry>",
        ]
    out.append("</feed>")
    return "\n".join(out) + "\n"


ACTIONS = {"added": ("新增", "Added"), "changed": ("更新", "Changed"), "removed": ("删除", "Removed")}


def _summary(change: Change) -> str:
    what = f"{ACTIONS[change.action][0]}源文件 {change.source}"
    if change.commit:
        what += f"（提交 {change.commit}：{change.subject}）"
    return what
