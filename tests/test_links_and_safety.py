"""Every link in the built site resolves; nothing in a report can inject into a page."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from conftest import SEEDS
from sitekit import _parse, broken_links

from nianbao.site import build

FORMATS = Path(__file__).parent / "data" / "formats"
# index, data, quality, compare, search, changelog, 404, agencies/index
PORTAL_PAGES = 10


def test_every_internal_link_asset_and_download_resolves(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copyfile(path, content / path.name)
    shutil.copyfile(FORMATS / "002_86e56b1db52c9874.pdf", content / "pdf-copy.pdf")
    (content / "empty.txt").write_bytes(b"")
    summary = build(content, tmp_path / "site")
    agencies = {r.agency for r in summary.reports}
    years = {r.year for r in summary.reports}
    assert len(list((tmp_path / "site").rglob("*.html"))) == PORTAL_PAGES + len(years) + len(agencies) + len(
        summary.reports
    )
    assert broken_links(tmp_path / "site") == []


def test_the_link_checker_finds_a_broken_link(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        '<a href="gone.html">x</a><a href="#nowhere">y</a><img src="../outside.png">'
        '<script src="https://cdn.example/x.js"></script><a href="https://example.org/">ok</a>',
        encoding="utf-8",
    )
    (tmp_path / "outside.png").write_bytes(b"")
    assert broken_links(site) == [
        "index.html: gone.html",
        "index.html: #nowhere (no such anchor)",
        "index.html: ../outside.png",
        "index.html: external script https://cdn.example/x.js",
    ]


HOSTILE = """---
agency: "<script>alert('agency')</script>局"
year: 2022
id: "../../etc/passwd"
title: "<img src=x onerror=alert(1)>报告\\u0007"
---
<script>alert('body')</script>某县人民政府2022年政府信息公开工作年度报告

一、总体情况

点击[这里](javascript:alert(1))查看，<iframe src="http://evil.example"></iframe>共收到申请10件。

"""


def test_hostile_names_titles_and_prose_are_escaped_and_stay_inside_the_site(tmp_path):
    good = (SEEDS / "002_86e56b1db52c9874.txt").read_text(encoding="utf-8")
    content = tmp_path / "content"
    content.mkdir()
    (content / "hostile.txt").write_text(HOSTILE + good, encoding="utf-8")
    (content / "x..%2f..%2fname with spaces & <tags>.txt").write_text(good, encoding="utf-8")
    site = tmp_path / "site"
    summary = build(content, site)
    assert len(summary.reports) == 2
    for report in summary.reports:
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", report.report_id), report.report_id
    cache = (tmp_path / ".site.cache").resolve()  # the incremental build's cache, beside the site
    lock = (tmp_path / ".site.lock").resolve()  # and the lock that keeps two builds apart
    everything = [
        p.resolve()
        for p in tmp_path.rglob("*")
        if cache not in (p.resolve(), *p.resolve().parents) and p.resolve() != lock
    ]
    assert all(
        site.resolve() in p.parents or p == site.resolve() or content.resolve() in (p, *p.parents)
        for p in everything
    )
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<iframe" not in html and "<img src=x" not in html
        assert 'href="javascript:' not in html.lower()
        assert "\u0007" not in html
        parsed = _parse(page)
        # Scripts come from files; the only inline ones are JSON-LD data, which must parse.
        code = [a for a in parsed.scripts if "src" not in a and a.get("type") != "application/ld+json"]
        assert code == [], "inline script in " + page.name
        for body in parsed.json_ld:
            assert json.loads(body)["@type"] == "Dataset"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#39;agency&#39;)&lt;/script&gt;局" in home
    assert broken_links(site) == []
