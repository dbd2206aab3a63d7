"""The built site in a real browser: Debian's chromium driven by Playwright.

What a newcomer does on the portal, done for real against the site served
over HTTP: filter and sort the list, search, open a report, download its CSV
and workbook and read them back, compare reports, switch to English; no page
logs an error, and axe-core finds no serious accessibility violation.

Needs /usr/bin/chromium (Debian's package) and axe-core in
tests/browser/node_modules (``npm ci --prefix tests/browser``); both are
installed by ``.ci/run``, where their absence fails the run instead of
skipping it.  Screenshots go to $NIANBAO_SCREENSHOTS when it is set (the
small ones in docs/screenshots/ were made that way).
"""

from __future__ import annotations

import functools
import io
import json
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import openpyxl
import pytest
from conftest import HERE, SEEDS, expected, matches

from nianbao.config import Config
from nianbao.site import build
from nianbao.template import TEMPLATE_2021 as T

CHROMIUM = Path("/usr/bin/chromium")
AXE = HERE / "browser" / "node_modules" / "axe-core" / "axe.min.js"
CORPUS = HERE.parent.parent / "shared" / "corpus"
# The flags a root process in this closed network needs (see the env notes).
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SEED = "002_86e56b1db52c9874"  # 伊美区人民政府 2021
SEED_ID = SEED.replace("_", "-")


def _missing() -> str:
    if not CHROMIUM.exists():
        return "Debian's chromium is not installed (/usr/bin/chromium)"
    if not AXE.exists():
        return "axe-core is not installed (npm ci --prefix tests/browser)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return ""


_why = _missing()
if not _why:
    from playwright.sync_api import expect
if _why and os.environ.get("NIANBAO_BROWSER_REQUIRED"):
    raise RuntimeError(f"browser tests required but cannot run: {_why}")
pytestmark = [pytest.mark.browser, pytest.mark.skipif(bool(_why), reason=_why or "ok")]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The seeds (and the corpus PDFs, when beside the project), built and served."""
    content = tmp_path_factory.mktemp("browser-content")
    for path in SEEDS.glob("*.txt"):
        shutil.copyfile(path, content / path.name)
    for path in sorted(CORPUS.glob("*.pdf")) if CORPUS.is_dir() else []:
        shutil.copyfile(path, content / path.name)
    out = tmp_path_factory.mktemp("browser-site") / "site"
    summary = build(content, out, Config(search=True))
    assert summary.package_errors == [] and summary.search == ""
    return out


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output readable
        pass


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright  # imported here: the module may be skipped

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Page:
    """A browser tab that records console errors and failed requests."""

    def __init__(self, browser, server: str, viewport=DESKTOP, bypass_csp=False):
        # bypass_csp only to inject axe-core; every other test runs under the pages' own CSP.
        self.context = browser.new_context(viewport=viewport, accept_downloads=True, bypass_csp=bypass_csp)
        self.page = self.context.new_page()
        self.server = server
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.errors.append(f"failed: {r.url}"))
        self.page.on(
            "request",
            lambda r: (
                r.url.startswith(server)
                or r.url.startswith("data:")
                or self.errors.append(f"external: {r.url}")
            ),
        )

    def open(self, path: str):
        response = self.page.goto(self.server + path)
        assert response is not None and response.ok, path
        self.page.wait_for_load_state("networkidle")
        return self.page

    def close(self):
        assert self.errors == [], self.errors
        self.context.close()


@pytest.fixture
def tab(browser, server):
    tab = Page(browser, server)
    yield tab
    tab.close()


def visible_rows(page) -> int:
    return page.locator("#report-list tbody tr:visible").count()


def test_filter_and_sort_the_list_of_reports(tab, site):
    page = tab.open("index.html")
    total = page.locator("#report-list tbody tr").count()
    assert total == len(list((site / "reports").iterdir()))
    assert visible_rows(page) == total
    page.select_option("#f-year", "2021")
    assert visible_rows(page) == 5  # the five seeds are 2021 reports
    assert "5 / " in page.locator("#list-count").inner_text()
    assert "year=2021" in page.url  # a filtered list can be shared
    page.select_option("#f-findings", "none")
    for row in page.locator("#report-list tbody tr:visible").all():
        assert row.locator(".badge.ok").count() == 1
    page.click("#f-reset")
    assert visible_rows(page) == total
    page.fill("#f-text", "伊美")
    assert visible_rows(page) == 1
    page.click("#f-reset")
    # Sort by new requests, largest first (a second click reverses).
    header = page.locator("#report-list thead th").nth(4)
    header.locator("button").click()
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    values = [
        v
        for v in page.locator("#report-list tbody tr td:nth-child(5)").evaluate_all(
            "cells => cells.map(c => c.dataset.v)"
        )
        if v != ""
    ]
    numbers = [int(v) for v in values]
    assert numbers == sorted(numbers, reverse=True) and len(numbers) >= 5


def test_a_years_page_lists_and_filters_its_reports(tab):
    page = tab.open("index.html")
    page.click('a[href="reports-2021.html"]')
    assert page.locator("h1").inner_text().startswith("2021")
    assert visible_rows(page) == 5
    assert page.locator("#f-year").count() == 0  # the page is the year
    page.fill("#f-text", "伊美")
    assert visible_rows(page) == 1
    assert "text=" in page.url


def test_search_finds_a_report_in_chinese_and_links_to_its_section(tab):
    page = tab.open("index.html")
    page.fill("#home-q", "伊美区")
    page.click("form.search button")
    page.locator("#search-results a.result").first.wait_for(timeout=15000)
    assert "伊美区" in page.locator("#search-results").inner_text()
    assert page.locator("#search-results mark").count() > 0
    hrefs = page.locator("#search-results a").evaluate_all("links => links.map(a => a.href)")
    assert any(f"reports/{SEED_ID}/" in h for h in hrefs), hrefs
    # Results point into the report's sections, and they open.
    sections = [h for h in hrefs if f"reports/{SEED_ID}/" in h and "#s-" in h]
    assert sections, hrefs
    # That report's own link: with the index in shards, reports that tie on
    # the words can come in either order.
    page.click(f'#search-results a[href*="{SEED_ID}/#{sections[0].split("#")[1]}"] >> nth=0')
    page.wait_for_load_state("networkidle")
    assert page.url == sections[0] and page.locator("h1").inner_text().startswith("伊美区")
    # Typing in the search page's own field works too, and says when nothing matches.
    page = tab.open("search.html")
    page.fill("#q", "zzqxjvw")
    page.press("#q", "Enter")
    expect(page.locator("#search-status")).to_contain_text("没有找到", timeout=15000)


def test_search_finds_agencies_by_any_part_of_their_name(tab):
    """信访局 is inside 文峰区信访局: a substring, not a word, so the names are searched apart."""
    page = tab.open("search.html?q=信访局")
    hits = page.locator("#agency-results a")
    expect(hits.first).to_be_visible(timeout=15000)
    assert hits.all_inner_texts() == ["文峰区信访局"]
    expect(page.locator("#search-status")).to_contain_text("1 个机构", timeout=15000)
    hits.first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "文峰区信访局"
    page = tab.open("search.html?q=人民政府 伊美")  # every word must be in the name or region
    expect(page.locator("#agency-results a").first).to_be_visible(timeout=15000)
    assert page.locator("#agency-results a").all_inner_texts() == ["伊美区人民政府"]


def test_open_a_report_and_download_its_package_and_workbook(tab):
    page = tab.open("index.html")
    page.click(f'#report-list a[href="reports/{SEED_ID}/index.html"]')
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith("伊美区人民政府")
    want = expected(SEED)["table3"]

    with page.expect_download() as info:
        page.click('a[href="datapackage.json"]')
    package = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    (wide,) = [r["data"] for r in package["resources"] if r["name"] == "requests_wide"]
    rows = [dict(zip(wide[0], values, strict=True)) for values in wide[1:]]
    assert [r["row"] for r in rows] == T.row_codes
    for i, row in enumerate(rows):
        for j, col in enumerate(T.applicant_codes):
            assert matches(row[col], want[i][j]), (row["row"], col)

    agency = "伊美区人民政府"
    with page.expect_download() as info:
        page.click(f'a[href="../../agencies/{agency}/{agency}.xlsx"]')
    assert info.value.suggested_filename == f"{agency}.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    sheet = book["表三 2021"]
    assert sheet["D1"].value == "自然人" and sheet["E1"].value == "法人或其他组织"
    assert "A1:C2" in {str(r) for r in sheet.merged_cells.ranges}
    for i in range(len(T.rows)):
        values = [sheet.cell(row=3 + i, column=4 + j).value for j in range(7)]
        assert all(matches(v, w) for v, w in zip(values, want[i], strict=True)), i


def test_compare_two_reports_side_by_side(tab):
    page = tab.open("index.html")
    page.check(f'input[value="{SEED_ID}"]')
    page.check('input[value="004-5c62533f5d23ed68"]')
    page.click("#compare-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "compare.html?id=" in page.url
    page.locator("table.compare").first.wait_for()
    heads = page.locator("table.compare").nth(1).locator("thead th").all_inner_texts()
    assert heads[1].startswith("伊美区人民政府") and heads[2].startswith("文峰区信访局")
    # 新收 5 against 0: highlighted, with the difference.
    first = page.locator("table.compare").nth(1).locator("tbody tr").first
    assert "diff" in first.locator("td").nth(1).get_attribute("class")
    assert "−5" in first.locator("td").nth(1).inner_text()
    # Rows named once by numbering and label together (issue 16, item 9).
    rows = page.locator("table.compare").nth(1).locator("tbody th").all_inner_texts()
    assert "三（三）1.属于国家秘密" in rows and "三（一）予以公开" in rows, rows
    assert not any(" 1." in r or "1 1" in r for r in rows), rows


def test_enter_in_the_compare_box_adds_a_report(tab):
    page = tab.open(f"compare.html?id={SEED_ID}")
    page.fill("#pick", "文峰区信访局")
    page.press("#pick", "Enter")
    page.wait_for_url("**/compare.html?id=*&id=*")
    assert "id=004-5c62533f5d23ed68" in page.url and f"id={SEED_ID}" in page.url


def test_compare_keeps_the_derived_mark_and_reads_on_a_phone(browser, server):
    tab = Page(browser, server, PHONE)
    page = tab.open(f"compare.html?id=001-07ea97a0e0dbb2b9&id={SEED_ID}")
    page.locator("table.compare").first.wait_for()
    page.select_option("#pick-column", "commercial")
    requests = page.locator("table.compare").nth(1)
    granted = requests.locator("tbody tr", has=page.get_by_role("rowheader", name="三（一）予以公开"))
    cell = granted.locator("td").first  # 新华区: its 予以公开 row was short, 商业企业 derived
    assert cell.locator(".mark").inner_text() == "*" and "derived" in cell.get_attribute("class")
    # Row names keep a readable width: no one-character lines on a 390 px screen.
    widths = requests.locator("tbody th").evaluate_all(
        "cells => cells.map(c => c.getBoundingClientRect().width)"
    )
    assert min(widths) >= 100, widths
    tab.close()


def test_rank_agencies_by_an_indicator_and_follow_a_number_to_its_report(tab):
    page = tab.open("rankings.html?indicator=granted_or_partial_share&year=2021&min=0")
    rows = page.locator("#rank-table tbody tr")
    expect(rows.first).to_be_visible(timeout=15000)
    # 文峰区信访局 processed no request: its share has no base, so it is not ranked.
    names = page.locator("#rank-table tbody th").all_inner_texts()
    assert names[0] == "二七区人民政府" and "文峰区信访局" not in names and len(names) == 4
    values = [
        float(t.rstrip("%")) for t in page.locator("#rank-table tbody td:nth-child(4)").all_inner_texts()
    ]
    assert values == sorted(values, reverse=True) and values[0] == 84.1  # 90 of 107
    national = page.locator("#rank-dist tbody tr").nth(1).locator("td").all_inner_texts()
    assert national[0] == "4" and national[-1] == "81.0%"  # (90+2+2+4) / (107+5+3+6), not a mean of shares
    page.click("#rank-order")
    assert page.locator("#rank-table tbody th").first.inner_text() == "伊美区人民政府"
    page.fill("#r-region", "新华")
    expect(rows).to_have_count(1)
    assert "region=%E6%96%B0%E5%8D%8E" in page.url  # the choice is in the address
    page.fill("#r-region", "")
    page.fill("#r-min", "10")  # reports with fewer than 10 processed are left out by default
    expect(rows).to_have_count(1)
    page.locator("#rank-table tbody td a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("#ind-granted_or_partial_share")
    assert page.locator("#ind-granted_or_partial_share td").inner_text() == "84.1%"


def test_compare_shows_amounts_as_printed(tab):
    page = tab.open(f"compare.html?id=000-3925396cff2e10ed&id={SEED_ID}")
    page.locator("table.compare").first.wait_for()
    tables = " ".join(page.locator("table.compare").all_inner_texts())
    assert "2242.9233" in tables  # the fee as the report printed it, not 2242.9


def test_the_interface_switches_to_english_and_remembers_it(tab):
    page = tab.open("index.html")
    assert page.locator("h1").inner_text().startswith("政府信息公开")
    page.click("#lang-switch")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().startswith("Government information disclosure")
    # Options and placeholders switch too, without the other language beside them.
    assert page.locator("#f-year option").first.inner_text() == "All"
    assert page.locator("#f-findings option[value=error]").inner_text() == "with errors"
    assert not any("全部" in t for t in page.locator("select option").all_inner_texts())
    assert page.locator("#home-q").get_attribute("placeholder").startswith("e.g.")
    page = tab.open(f"reports/{SEED_ID}/index.html")
    assert page.locator("#s-requests").inner_text().startswith("3. Requests")
    assert page.locator("#t3-caption").inner_text().startswith("Table 3")
    assert page.get_by_role("columnheader", name="Applicants").count() == 1  # group headers too
    assert page.locator("#outcomes tspan").first.text_content() == "Granted"  # chart labels too
    assert "Suggested citation" in page.locator("p.citation").inner_text()
    assert "nianbao 整理" not in page.locator("p.citation").inner_text()
    assert page.get_by_role("rowheader", name="(1) Granted in full").count() == 1
    page.click("#lang-switch")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("#s-requests").inner_text().startswith("三、")
    assert page.get_by_role("rowheader", name="（一）予以公开").count() == 1


def _audit(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


PAGES = [
    "index.html",
    f"reports/{SEED_ID}/index.html",
    "agencies/index.html",
    "agencies/伊美区人民政府/index.html",
    "compare.html?id=002-86e56b1db52c9874&id=004-5c62533f5d23ed68",
    "quality.html",
    "data.html",
    "changelog.html",
    "about.html",
    "rankings.html?indicator=denied_share&year=2021",
    "search.html?q=行政复议",
    "404.html",
]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_serious_accessibility_violations(browser, server, path, viewport, lang):
    tab = Page(browser, server, viewport, bypass_csp=True)
    page = tab.open(path + ("&" if "?" in path else "?") + f"lang={lang}")
    assert page.locator("html").get_attribute("lang") == ("en" if lang == "en" else "zh-CN")
    assert _audit(page) == []
    tab.close()


def test_phone_and_desktop_screenshots(browser, server, tmp_path):
    folder = Path(os.environ.get("NIANBAO_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        tab = Page(browser, server, viewport)
        for page_name, path in (
            ("home", "index.html"),
            ("report", f"reports/{SEED_ID}/index.html"),
            ("agency", "agencies/伊美区人民政府/index.html"),
            ("rankings", "rankings.html?indicator=granted_or_partial_share&year=2021&min=0"),
            ("compare", f"compare.html?id={SEED_ID}&id=001-07ea97a0e0dbb2b9"),
        ):
            page = tab.open(path)
            page.wait_for_timeout(300)  # the rankings and the comparison fill in after loading
            # Nothing wider than the screen but the scrollable table regions.
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, (name, page_name, overflow)
            if page_name == "home":  # agency names read across, not one character a line
                widths = page.locator("#report-list tbody th").evaluate_all(
                    "cells => cells.map(c => c.getBoundingClientRect().width)"
                )
                assert min(widths) >= 100, (name, widths)
            # Chart text no smaller than about 11 px on screen, on a phone too.
            sizes = page.locator("svg.chart text").evaluate_all(
                "nodes => nodes.map(n => n.getBoundingClientRect().height)"
            )
            assert not sizes or min(sizes) >= 11, (name, page_name, min(sizes))
            target = folder / f"{page_name}-{name}.png"
            page.screenshot(path=str(target))
            assert target.stat().st_size > 10_000
        tab.close()


def test_keyboard_users_can_skip_to_the_content_and_sort(tab):
    page = tab.open("index.html")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert skip.evaluate("a => a === document.activeElement")
    assert skip.bounding_box()["x"] >= 0  # visible once focused
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    button = page.locator("#report-list thead th button.sort").first
    button.focus()
    page.keyboard.press("Enter")
    assert page.locator("#report-list thead th").nth(1).get_attribute("aria-sort") == "descending"


def test_report_pages_print_without_the_navigation(tab):
    page = tab.open(f"reports/{SEED_ID}/index.html")
    page.emulate_media(media="print")
    assert not page.locator("header.site nav").is_visible()
    assert page.locator("#s-requests").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
