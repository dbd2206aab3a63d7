"""The portal around the reports: indicators, agencies, downloads, catalogue files."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from conftest import SEEDS, expected, matches

from nianbao import indicators as ind
from nianbao.catalog import agencies, kind_of, level_of, places
from nianbao.check import CHECK_NAMES
from nianbao.config import Config
from nianbao.i18n import CHECKS_EN, EN
from nianbao.model import Cell, Report
from nianbao.publish import phrases
from nianbao.publish.package import LICENCE
from nianbao.publish.validate import validate_package
from nianbao.site import build
from nianbao.summary import size_line
from nianbao.template import TEMPLATE_2021 as T
from nianbao.template import TEMPLATES
from nianbao.urls import agency_slug as slug

SEED = "002_86e56b1db52c9874"  # 伊美区人民政府 2021
SEED_ID = SEED.replace("_", "-")
ATOM = "{http://www.w3.org/2005/Atom}"


def read_csv(path):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


# --- indicators ------------------------------------------------------------------


def report_with(requests=None, reviews=None) -> Report:
    report = Report("r", "r.txt", agency="某区人民政府", year=2022)
    for (row, col), value in (requests or {}).items():
        report.requests[(row, col)] = Cell.printed(value)
    for (row, col), value in (reviews or {}).items():
        report.reviews[(row, col)] = Cell.printed(value)
    return report


def test_an_indicator_is_its_formula_over_the_reports_cells():
    report = report_with(
        {("granted", "total"): 3, ("partially_granted", "total"): 1, ("total_processed", "total"): 8}
    )
    assert ind.BY_CODE["granted_share"].value(report) == 0.375
    assert ind.BY_CODE["granted_or_partial_share"].value(report) == 0.5
    assert ind.show("granted_or_partial_share", 0.5) == "50.0%"


def test_an_indicator_over_an_unknown_or_empty_base_is_none_not_zero():
    assert ind.BY_CODE["granted_share"].value(report_with({("granted", "total"): 0})) is None  # no total
    zero = report_with({("granted", "total"): 0, ("total_processed", "total"): 0})
    assert ind.BY_CODE["granted_share"].value(zero) is None
    assert ind.show("granted_share", None) == "—"


def test_reviews_per_100_requests_and_the_correction_rate():
    reviews = {
        ("reconsideration", o): v
        for o, v in zip(("upheld", "corrected", "other", "pending", "total"), (2, 1, 0, 1, 4), strict=True)
    }
    reviews |= {
        (p, o): 0
        for p in ("litigation_direct", "litigation_after_reconsideration")
        for o in ("upheld", "corrected", "other", "pending", "total")
    }
    reviews[("litigation_direct", "upheld")] = reviews[("litigation_direct", "total")] = 1
    report = report_with({("new_received", "total"): 50}, reviews)
    assert ind.BY_CODE["reconsideration_per_100"].value(report) == 8.0
    assert ind.BY_CODE["litigation_per_100"].value(report) == 2.0
    assert ind.BY_CODE["correction_rate"].value(report) == 0.25  # 1 corrected of 4 decided
    assert ind.show("reconsideration_per_100", 8.0) == "8.0"


def test_every_indicator_is_published_documented_and_labelled(seed_site):
    out = seed_site.output
    rows = read_csv(out / "data" / "indicators.csv")
    assert len(rows) == len(ind.INDICATORS) * len(seed_site.reports)
    mine = {r["indicator"]: r["value"] for r in rows if r["report_id"] == SEED_ID}
    # Expected values worked out here from the hand-transcribed cells, not by the code under test.
    exp = expected(SEED)
    t3 = dict(zip(T.row_codes, exp["table3"], strict=True))
    total = t3["total_processed"][6]
    new = t3["new_received"][6]
    share = lambda *rows: sum(t3[r][6] for r in rows) / total  # noqa: E731
    rows_of = lambda prefix: [r for r in T.row_codes if r.startswith(prefix)]  # noqa: E731
    # Table 四: reconsideration, direct, after reconsideration x upheld, corrected, other, pending, total.
    # This seed left 行政复议 blank: every indicator that needs it is empty, not 0.
    t4 = exp["table4"]
    assert t4[:5] == [None] * 5 and None not in t4[5:]
    want = {
        "granted_share": share("granted"),
        "granted_or_partial_share": share("granted", "partially_granted"),
        "denied_share": share(*rows_of("denied_")),
        "unavailable_share": share(*rows_of("unavailable_")),
        "not_processed_share": share(*rows_of("not_processed_")),
        **{
            f"applicant_share_{c}": t3["new_received"][j] / new
            for j, c in enumerate(T.applicant_codes)
            if c != "total"
        },
        "reconsideration_per_100": None,
        "litigation_per_100": (t4[9] + t4[14]) / new * 100,
        "correction_rate": None,
    }
    assert set(mine) == set(want)
    for code, value in want.items():
        if value is None:
            assert mine[code] == "", code
        else:
            assert float(mine[code]) == pytest.approx(value, rel=1e-9), code
    schema = json.loads((out / "data" / "datapackage.json").read_text(encoding="utf-8"))
    fields = next(r for r in schema["resources"] if r["name"] == "indicators")["schema"]["fields"]
    assert fields[1]["constraints"]["enum"] == [i.code for i in ind.INDICATORS]
    about = (out / "about.html").read_text(encoding="utf-8")  # the one place indicators are explained
    for i in ind.INDICATORS:
        assert f'id="i-{i.code}"' in about and i.formula in about


# --- agencies ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "level", "kind"),
    [
        ("淮安市人民政府", "city", "government"),
        ("淮安市洪泽区人民政府", "county", "government"),
        ("新华区人民政府办公室", "county", "general_office"),
        ("文峰区信访局", "county", "department"),
        ("高良涧街道办事处", "township", "township"),
        ("江苏省人民政府", "province", "government"),
        ("内蒙古自治区发展和改革委员会", "province", "department"),
        ("上海市人民政府", "province", "government"),
        ("国家税务总局", "central", "department"),
        ("某某单位", "unknown", "other"),
        ("红旗区人民政府", "county", "government"),  # 旗 inside a name is not a banner
        ("正蓝旗人民政府", "county", "government"),
        ("沛县人民政府", "county", "government"),
        ("淮安市市场监督管理局", "city", "department"),
    ],
)
def test_level_and_kind_are_read_from_the_name(name, level, kind):
    assert (level_of(name), kind_of(name)) == (level, kind)


def test_places_stop_at_words_that_only_look_like_places():
    assert places("淮安市城市管理局") == ["淮安市"]
    assert places("淮安市洪泽区高良涧街道办事处") == ["淮安市", "洪泽区", "高良涧街道"]


def test_slugs_are_readable_stable_and_safe():
    assert slug("淮安市人民政府") == "淮安市人民政府"
    hostile = slug("../../etc/passwd<script>")
    assert "/" not in hostile and "." not in hostile and "<" not in hostile
    assert hostile == slug("../../etc/passwd<script>")  # the same name, the same permalink
    assert slug("a/b") != slug("a-b")  # names that differ never share a page


def test_one_body_under_two_names_has_one_agency_page():
    older = Report("a", "a.txt", agency="洪泽区人民政府", year=2023)
    newer = Report("b", "b.txt", agency="淮安市洪泽区人民政府", year=2024)
    other = Report("c", "c.txt", agency="淮安市人民政府", year=2024)
    groups = agencies([newer, other, older])
    assert [(a.name, [r.year for r in a.reports]) for a in groups] == [
        ("洪泽区人民政府", [2023, 2024]),
        ("淮安市人民政府", [2024]),
    ]
    assert groups[0].region == "淮安市洪泽区" and groups[0].level == "county"


def test_every_template_code_has_an_english_label():
    for template in TEMPLATES.values():
        codes = [r.code for r in (*template.rows, *template.variants)]
        codes += [c.code for c in (*template.applicants, *template.proceedings, *template.outcomes)]
        codes += [i.code for i in template.proactive] + list(template.measures)
        assert [c for c in codes if c not in EN] == []
    assert set(CHECKS_EN) == set(CHECK_NAMES)


# --- downloads ------------------------------------------------------------------------


def inline_tables(path) -> dict[str, list[dict]]:
    """A report's own package (data inline) as rows by resource."""
    package = json.loads(path.read_text(encoding="utf-8"))
    return {
        r["name"]: [dict(zip(r["data"][0], values, strict=True)) for values in r["data"][1:]]
        for r in package["resources"]
    }


AGENCY = "伊美区人民政府"  # the agency of SEED


def test_a_report_folder_is_its_page_its_package_and_its_original(seed_site):
    for folder in seed_site.output.glob("reports/*"):
        names = sorted(p.name for p in folder.iterdir())
        assert names[:2] == ["datapackage.json", "index.html"] and len(names) == 3, names
        assert names[2].startswith("source.")
        assert validate_package(folder / "datapackage.json") == [], folder


def test_a_report_package_holds_table_3_as_printed_in_the_template_layout(seed_site):
    tables = inline_tables(seed_site.output / "reports" / SEED_ID / "datapackage.json")
    want = expected(SEED)["table3"]
    assert [line["row"] for line in tables["requests_wide"]] == T.row_codes
    for line, values in zip(tables["requests_wide"], want, strict=True):
        got = [line[c] for c in T.applicant_codes]
        assert all(matches(v, w) for v, w in zip(got, values, strict=True)), line["row"]
    # Cells not printed as numbers are listed with what they are; printed ones are not.
    status = {(c["row"], c["applicant"]): c["status"] for c in tables["requests_status"]}
    assert status[("other_fee_unpaid", "total")] == "derived"
    assert "printed" not in status.values()
    assert tables["reports"][0]["report_id"] == SEED_ID


def test_the_agency_workbook_has_each_years_table_3_in_the_official_layout(seed_site):
    book = openpyxl.load_workbook(seed_site.output / "agencies" / AGENCY / f"{AGENCY}.xlsx")
    sheet = book["表三 2021"]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A1:C2", "E1:I1", "D1:D2", "J1:J2"} <= merged  # 申请人情况, 法人或其他组织, 自然人, 总计
    assert [sheet.cell(2, c).value for c in range(5, 10)] == [
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
    ]
    want = expected(SEED)["table3"]
    for i, row in enumerate(T.rows):
        assert row.label in [sheet.cell(3 + i, c).value for c in (1, 2, 3)]
        values = [sheet.cell(3 + i, 4 + j).value for j in range(7)]
        assert all(matches(v, w) for v, w in zip(values, want[i], strict=True)), row.code
    reviews = book["表四 复议诉讼"]
    assert (
        reviews["D2"].value == "行政复议" and reviews["I2"].value is None
    )  # blank in the source: empty, not 0


def test_workbooks_keep_the_mark_of_derived_values(seed_site):
    """新华区's 予以公开 row printed six numbers for seven cells; the derived ones stay marked."""
    report = next(r for r in seed_site.reports if r.report_id == "001-07ea97a0e0dbb2b9")
    derived = {col for (row, col), c in report.requests.items() if row == "granted" and c.status == "derived"}
    assert derived
    name = report.agency
    book = openpyxl.load_workbook(seed_site.output / "agencies" / name / f"{name}.xlsx")
    official = book["表三 2021"]
    line = next(r for r in range(1, 40) if "（一）予以公开" in [official.cell(r, c).value for c in (1, 2, 3)])
    for j, column in enumerate(T.applicant_codes):
        cell = official.cell(line, 4 + j)
        assert bool(cell.font.i) == (column in derived), column
        assert cell.value is not None
    long = book["表三 申请处理"]
    head = [c.value for c in long[1]]
    for row in long.iter_rows(min_row=2):
        if row[head.index("项目")].value == "（一）予以公开":
            marked = {T.applicant_codes[j] for j, c in enumerate(row[head.index("自然人") :]) if c.font.i}
            assert marked == derived
    about = dict(r[:2] for r in book["说明"].iter_rows(values_only=True))
    assert "斜体紫色的数字是推算值" in about["怎样读"]


def test_pages_explain_their_terms_on_the_about_page(seed_site):
    out = seed_site.output
    home = (out / "index.html").read_text(encoding="utf-8")
    for anchor in ("table2", "table3", "table4", "checks"):
        assert f'href="about.html#{anchor}"' in home, anchor
    about = (out / "about.html").read_text(encoding="utf-8")
    for anchor in ("templates", "table2", "table3", "table4", "indicators", "checks", "terms", "licence"):
        assert f'id="{anchor}"' in about, anchor
    agency = (out / "agencies" / AGENCY / "index.html").read_text(encoding="utf-8")
    assert 'href="../../about.html#i-granted_share"' in agency
    assert "错误 / 警告" in agency and "问题</span></th>" not in agency  # the column says what it counts


def test_trends_are_lines_with_the_template_change_marked():
    from nianbao.publish.charts import line_chart

    svg = line_chart("t", "各年度", [(2019, 4.0, "4"), (2020, None, "—"), (2021, 6.0, "6"), (2022, 8.0, "8")])
    assert svg.count("<polyline") == 1  # 2020 unknown: the line breaks there, 2019 stands alone
    assert svg.count('<circle class="point"') == 3 and 'class="change"' in svg
    assert "2020年：—" in svg  # the description states every year, the missing one too
    alone = line_chart("t", "各年度", [(2022, 1.0, "1"), (2023, 2.0, "2")])
    assert 'class="change"' not in alone  # nothing to mark after 2021


def test_every_download_and_page_carries_the_licence(seed_site):
    out = seed_site.output
    for path in [out / "agencies" / AGENCY / f"{AGENCY}.xlsx", *out.glob("data/*/nianbao-*.xlsx")]:
        book = openpyxl.load_workbook(path, read_only=True)
        assert book.sheetnames[0] == "说明", path
        about = dict(row[:2] for row in book["说明"].iter_rows(values_only=True))
        assert about["许可"] == LICENCE[0], path
    packages = [out / "data" / "datapackage.json", *out.glob("reports/*/datapackage.json")]
    for path in packages:
        assert json.loads(path.read_text(encoding="utf-8"))["licenses"][0]["name"] == "other-pd", path
    for page in [out / "index.html", out / "about.html", *out.glob("reports/*/index.html")]:
        html = page.read_text(encoding="utf-8")
        assert 'href="' in html and "about.html#licence" in html and LICENCE[0] in html, page


def test_each_years_workbook_holds_every_report_of_the_year(seed_site):
    out = seed_site.output
    years = sorted({r.year for r in seed_site.reports})
    for year in years:
        reports = [r for r in seed_site.reports if r.year == year]
        book = openpyxl.load_workbook(out / "data" / str(year) / f"nianbao-{year}.xlsx", read_only=True)
        rows = list(book["表三 申请处理"].iter_rows(values_only=True))
        assert len(rows) == 1 + sum(
            len(TEMPLATES[r.template].rows_for({c for c, _ in r.requests})) for r in reports
        )
    year = next(r.year for r in seed_site.reports if r.report_id == SEED_ID)
    rows = list(
        openpyxl.load_workbook(out / "data" / str(year) / f"nianbao-{year}.xlsx", read_only=True)[
            "表三 申请处理"
        ].iter_rows(values_only=True)
    )
    long = read_csv(out / "data" / "requests.csv")
    cell = next(
        r
        for r in long
        if r["report_id"] == SEED_ID and r["row"] == "new_received" and r["applicant"] == "total"
    )
    line = next(r for r in rows if r[0] == SEED_ID and r[4] == T.rows[0].label)
    assert line[-1] == int(cell["value"]) == 5


def test_every_zipped_package_validates(seed_site, tmp_path):
    zips = [*seed_site.output.glob("agencies/*/*.zip"), *seed_site.output.glob("data/*/nianbao-*.zip")]
    assert len(zips) == 5 + len({r.year for r in seed_site.reports})
    for i, path in enumerate(zips):
        with zipfile.ZipFile(path) as archive:
            archive.extractall(tmp_path / str(i))
        (package,) = (tmp_path / str(i)).glob("*/datapackage.json")
        assert validate_package(package) == [], path


def test_zipped_csv_opens_in_excel_and_codes_have_chinese_labels(seed_site):
    """Excel on Chinese Windows needs the byte-order mark; programs reading the
    contract's data/*.csv get plain UTF-8; every code has its label in labels.csv."""
    with zipfile.ZipFile(seed_site.output / "agencies" / AGENCY / f"{AGENCY}.zip") as archive:
        names = archive.namelist()
        csvs = [n for n in names if n.endswith(".csv")]
        assert csvs and all(archive.read(n).startswith(b"\xef\xbb\xbf") for n in csvs)
        descriptor = json.loads(archive.read(next(n for n in names if n.endswith("datapackage.json"))))
        assert {r["encoding"] for r in descriptor["resources"]} == {"utf-8-sig"}
    for path in (seed_site.output / "data").glob("*.csv"):
        assert not path.read_bytes().startswith(b"\xef\xbb\xbf"), path
    labels = {(r["kind"], r["code"]): r["label"] for r in read_csv(seed_site.output / "data" / "labels.csv")}
    assert labels[("row", "denied_state_secret")] == "三（三）1.属于国家秘密"
    assert labels[("applicant", "natural_person")] == "自然人"
    assert labels[("outcome", "corrected")] == "结果纠正"
    for row in read_csv(seed_site.output / "data" / "requests.csv"):
        assert ("row", row["row"]) in labels and ("applicant", row["applicant"]) in labels
    for row in read_csv(seed_site.output / "data" / "quality.csv"):
        assert ("code", row["code"]) in labels, row["code"]


def test_zips_carry_checksums_of_what_they_hold(seed_site):
    for path in [
        *seed_site.output.glob("data/*/nianbao-*.zip"),
        seed_site.output / "agencies" / AGENCY / f"{AGENCY}.zip",
    ]:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            sums = archive.read(next(n for n in names if n.endswith("SHA256SUMS"))).decode()
            listed = dict(reversed(line.split("  ", 1)) for line in sums.splitlines())
            folder = names[0].split("/")[0]
            members = [n for n in names if not n.endswith("SHA256SUMS")]
            assert sorted(f"{folder}/{n}" for n in listed) == sorted(members)
            for name, digest in listed.items():
                assert hashlib.sha256(archive.read(f"{folder}/{name}")).hexdigest() == digest
            assert any(n.endswith("datapackage.json") for n in members)
            assert any(n.endswith("requests.csv") for n in members)


def test_the_json_api_indexes_every_report_and_its_packages_match_the_csv(seed_site):
    out = seed_site.output
    index = json.loads((out / "api" / "index.json").read_text(encoding="utf-8"))
    assert index["count"] == len(seed_site.reports) == len(index["reports"])
    for entry in index["reports"]:
        for path in (entry["page"], entry["agency_page"], *entry["files"].values()):
            assert (out / path).is_file(), path
    tables = inline_tables(out / "reports" / SEED_ID / "datapackage.json")
    wide = {line["row"]: line for line in tables["requests_wide"]}
    status = {(c["row"], c["applicant"]): c["status"] for c in tables["requests_status"]}
    for row in read_csv(out / "data" / "requests.csv"):
        if row["report_id"] == SEED_ID:
            assert wide[row["row"]][row["applicant"]] == (int(row["value"]) if row["value"] else None)
            assert status.get((row["row"], row["applicant"]), "printed") == row["status"]
    template = json.loads((out / "api" / "template.json").read_text(encoding="utf-8"))
    assert [r["code"] for r in template["templates"]["2021"]["rows"]][:25] == T.row_codes


def test_two_builds_write_the_same_workbooks_and_zips(tmp_path, raw_seed_folder):
    one = build(raw_seed_folder, tmp_path / "one", incremental=False).output
    two = build(raw_seed_folder, tmp_path / "two", incremental=False).output
    names = [p.relative_to(one).as_posix() for p in one.rglob("*") if p.suffix in (".xlsx", ".zip")]
    names.append(f"reports/{SEED_ID}/datapackage.json")
    assert len(names) > 10
    for name in names:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


# --- catalogue -----------------------------------------------------------------------


def test_every_dataset_page_carries_schema_org_json_ld(seed_site):
    out = seed_site.output
    pages = [out / "index.html", *out.glob("reports/*/index.html"), *out.glob("agencies/*/index.html")]
    assert len(pages) == 1 + 5 + 5
    for page in pages:
        html = page.read_text(encoding="utf-8")
        body = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
        data = json.loads(body)
        assert data["@type"] == "Dataset" and data["name"] and data["distribution"]
        assert data["url"].startswith("http://localhost:8000/")
        for download in data["distribution"]:
            assert (out / download["contentUrl"].removeprefix("http://localhost:8000/")).is_file()


def test_the_dcat_catalogue_names_every_dataset(seed_site):
    out = seed_site.output
    catalog = json.loads((out / "catalog.jsonld").read_text(encoding="utf-8"))
    assert catalog["@type"] == "dcat:Catalog"
    ids = {d["dct:identifier"] for d in catalog["dcat:dataset"]}
    assert {r.report_id for r in seed_site.reports} <= ids
    assert "nianbao" in ids and len([i for i in ids if i.startswith("agency-")]) == 5
    for dataset in catalog["dcat:dataset"]:
        assert dataset["dct:title"]
        for dist in dataset["dcat:distribution"]:
            assert (out / dist["dcat:downloadURL"].removeprefix("http://localhost:8000/")).is_file()


def test_sitemap_robots_and_feed_are_well_formed(seed_site):
    out = seed_site.output
    urls = [
        e.text
        for e in ET.parse(out / "sitemap.xml")
        .getroot()
        .iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    ]
    assert "http://localhost:8000/" in urls
    assert f"http://localhost:8000/reports/{SEED_ID}/index.html" in urls
    assert "Sitemap: http://localhost:8000/sitemap.xml" in (out / "robots.txt").read_text()
    feed = ET.parse(out / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 5  # the seeds were each added once
    assert all(e.find(f"{ATOM}updated").text.endswith("Z") for e in entries)


def test_the_base_url_reaches_every_absolute_address(tmp_path, raw_seed_folder):
    out = build(raw_seed_folder, tmp_path / "site", base_url="https://example.org/nianbao").output
    assert "<loc>https://example.org/nianbao/</loc>" in (out / "sitemap.xml").read_text()
    assert 'href="/nianbao/index.html"' in (out / "404.html").read_text(encoding="utf-8")
    assert '"@id":"https://example.org/nianbao/catalog.jsonld"' in (out / "catalog.jsonld").read_text(
        encoding="utf-8"
    )


def git(folder, *args, date="") -> str:
    env = {**os.environ, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_DATE": date} if date else None
    done = subprocess.run(
        ["git", "-C", str(folder), *args], check=True, capture_output=True, env=env, text=True
    )
    return done.stdout


def test_the_changelog_follows_the_content_repositorys_history(tmp_path):
    repo = tmp_path / "repo"
    content = repo / "content"
    content.mkdir(parents=True)
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "t@example.org")
    git(repo, "config", "user.name", "t")
    for name in ("002_86e56b1db52c9874.txt", "004_5c62533f5d23ed68.txt"):
        shutil.copyfile(SEEDS / name, content / name)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "Add two reports", date="2024-03-01T10:00:00Z")
    edited = (content / SEED.join(("", ".txt"))).read_text(encoding="utf-8") + "\n补充说明。\n"
    (content / f"{SEED}.txt").write_text(edited, encoding="utf-8")
    (content / "004_5c62533f5d23ed68.txt").unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Fix 伊美区, drop 文峰区")
    repository = "https://github.com/example/content"
    out = build(content, tmp_path / "site", Config(repository=repository)).output
    page = (out / "changelog.html").read_text(encoding="utf-8")
    # Readers see what changed and when, not the commit messages (issue 16, item 9);
    # the commit itself is one link away on the repository.
    assert "Fix 伊美区, drop 文峰区" not in page and "Add two reports" not in page
    head = git(repo, "rev-parse", "--short", "HEAD").strip()
    assert f'href="{repository}/commit/{head}"' in page
    entries = ET.parse(out / "feed.xml").getroot().findall(f"{ATOM}entry")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles[:2] == ["删除：004_5c62533f5d23ed68.txt", "更新：伊美区人民政府2021年报告"]
    assert titles[2:] == [
        "新增：伊美区人民政府2021年报告"
    ]  # the removed report's addition is not a current report
    report_page = (out / "reports" / SEED_ID / "index.html").read_text(encoding="utf-8")
    assert "首次收录" in report_page


# --- pages and summary ------------------------------------------------------------------


def test_the_quality_page_groups_findings_by_kind_and_by_report(seed_site):
    html = (seed_site.output / "quality.html").read_text(encoding="utf-8")
    codes = {f.code for r in seed_site.reports for f in r.findings}
    for code in codes:
        assert f'id="code-{code}"' in html
    # Each kind of finding is named in plain words, not by its code alone (issue 16, item 9).
    assert '<span lang="zh">整行未填</span>' in html or "row_blank" not in codes
    english = phrases.dictionary()
    for code in codes:
        heading = html.split(f'<h3 id="code-{code}">', 1)[1].split("</h3>", 1)[0]
        named = re.search(r'<span lang="zh">([^<]+)</span>', heading)
        inline = '<span class="zh">' in heading and '<span class="en" lang="en">' in heading
        assert inline or (named and named.group(1) in english), code
    passing = sum(1 for r in seed_site.reports if not any(f.code in CHECK_NAMES for f in r.findings))
    assert f"（{passing} / 5）" in html


def test_the_home_page_offers_filters_for_every_facet(seed_site):
    html = (seed_site.output / "index.html").read_text(encoding="utf-8")
    for facet in ("year", "region", "level", "kind", "findings"):
        assert f'id="f-{facet}"' in html
    assert html.count('data-level="county"') == 5
    assert 'name="id" value="002-86e56b1db52c9874"' in html  # tick to compare


def test_the_summary_reports_the_published_size_against_the_budget(seed_site):
    line = next(x for x in seed_site.lines() if x.startswith("大小 size"))
    assert "GitHub Pages budget" in line and seed_site.size > 0
    assert "OVER BUDGET" in size_line(2 * 1024**3, 10)
    assert "close to the budget" in size_line(int(0.9 * 1024**3), 10)


def test_amounts_stay_decimal_in_the_workbook(seed_site):
    agency = next(r.agency for r in seed_site.reports if r.report_id == "000-3925396cff2e10ed")
    book = openpyxl.load_workbook(seed_site.output / "agencies" / slug(agency) / f"{slug(agency)}.xlsx")
    values = [
        row[5]
        for row in book["表二 主动公开"].iter_rows(min_row=2, values_only=True)
        if row[4] == "本年收费金额（万元）"
    ]
    report = next(r for r in seed_site.reports if r.report_id == "000-3925396cff2e10ed")
    cell = report.proactive[("administrative_fees", "amount_10k_yuan")]
    want = (
        None if cell.value is None else float(cell.value) if isinstance(cell.value, Decimal) else cell.value
    )
    assert values == [want]


def test_every_finding_code_the_code_can_emit_has_a_name():
    import re

    from nianbao.check import CHECK_NAMES
    from nianbao.config import PROJECT_DIR
    from nianbao.i18n import FINDINGS

    source = "\n".join(p.read_text(encoding="utf-8") for p in (PROJECT_DIR / "nianbao").rglob("*.py"))
    emitted = set(re.findall(r'\.add\(\s*"(?:error|warning|info)",\s*"([a-z_]+)"', source))
    emitted |= set(re.findall(r'Problem\([^()]*"([a-z_]+)"\)', source))
    assert emitted, "the pattern finds the codes"
    assert emitted - set(FINDINGS) - set(CHECK_NAMES) == set()


def test_the_pass_share_says_what_was_not_checked_and_what_the_figures_count(
    seed_site, tmp_path, raw_seed_folder
):
    # Issue 16, item 8: "全部成立" while a check could not be made, and a share
    # over more reports than the national figures count.
    html = (seed_site.output / "index.html").read_text(encoding="utf-8")
    unassessed = sum(
        1
        for r in seed_site.reports
        if not any(f.code in CHECK_NAMES for f in r.findings)
        and any(f.code == "check_not_assessable" for f in r.findings)
    )
    assert unassessed >= 1 and "勾稽关系全部成立" not in html
    assert f"其中 {unassessed} 份有因缺格而无法核对的关系" in html
    assert "只计一份" not in html  # no agency-year twice among the seeds
    content = tmp_path / "content"
    shutil.copytree(raw_seed_folder, content)
    shutil.copyfile(content / f"{SEED}.txt", content / "again.txt")  # the same agency and year twice
    summary = build(content, tmp_path / "out", incremental=False)
    assert len(summary.reports) == 6
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "下面的全国数字按 5 份计：同一机构同一年度有多份报告时只计一份。" in html


def test_a_reports_facts_kept_as_json_give_back_its_list_line_and_its_ranking_parts(seed_site):
    from nianbao.publish.views import facts, list_row

    for report in seed_site.reports:
        kept = json.loads(json.dumps(facts(report), ensure_ascii=False))
        parts = kept.pop("parts")
        assert {"report": report, **kept} == list_row(report)
        for indicator, pair in zip(ind.INDICATORS, parts, strict=True):
            exact = indicator.parts(report)
            assert (pair is None) == (exact is None)
            if exact is not None:
                assert [Decimal(str(v)) for v in pair] == [Decimal(exact[0]), Decimal(exact[1])]


def test_a_workbook_joined_from_each_reports_kept_lines_is_the_one_written_whole(seed_site):
    from nianbao.publish import downloads, xlsx

    reports = seed_site.reports
    kept = {r.report_id: downloads.report_lines(r) for r in reports}
    assert downloads.collection_workbook(reports, "全部", kept=kept) == downloads.collection_workbook(
        reports, "全部"
    )
    # Braces in a cell's text, a marked cell and an empty one survive being kept as a line.
    whole = xlsx.Sheet("s", rows=[["编号", "说明", "数"], ["a", "{0} 与 {x}", 3], ["b", None, 4]])
    whole.marks[1] = {2: xlsx.DERIVED}
    joined = xlsx.Sheet("s", rows=[whole.rows[0], *xlsx.row_formats(whole, skip=1)])
    assert xlsx.workbook([joined]) == xlsx.workbook([whole])


def test_the_api_index_gives_each_reports_summary_fields(seed_site):
    from nianbao.publish.downloads import summary_fields

    index = json.loads((seed_site.output / "api" / "index.json").read_text(encoding="utf-8"))
    by_id = {r.report_id: r for r in seed_site.reports}
    for entry in index["reports"]:
        fields = summary_fields(by_id[entry["report_id"]])
        assert {k: entry[k] for k in fields} == fields and list(entry)[1 : len(fields) + 1] == list(fields)


def test_a_large_portal_lists_its_reports_year_by_year(tmp_path, raw_seed_folder):
    content = tmp_path / "content"
    shutil.copytree(raw_seed_folder, content)
    text = (SEEDS / "000_3925396cff2e10ed.txt").read_text(encoding="utf-8")
    (content / "earlier.txt").write_text("---\nyear: 2020\n---\n" + text, encoding="utf-8")
    out = build(content, tmp_path / "site", Config(home_list_max=5, search=False)).output
    home = (out / "index.html").read_text(encoding="utf-8")
    assert 'id="report-list"' not in home  # six reports: more than the home page lists
    assert '<a href="reports-2021.html">' in home and '<a href="reports-2020.html">' in home
    listed = {}
    for year in (2020, 2021):
        page = (out / f"reports-{year}.html").read_text(encoding="utf-8")
        assert 'id="f-year"' not in page and 'id="f-region"' in page  # no year filter on a year
        assert f'href="data/{year}/nianbao-{year}.xlsx"' in page
        listed[year] = re.findall(r'name="id" value="([^"]+)"', page)
    assert listed[2020] == ["earlier"]
    assert sorted(listed[2021]) == sorted(p.stem.replace("_", "-") for p in SEEDS.glob("*.txt"))
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "reports-2020.html" in sitemap and "reports-2021.html" in sitemap


def test_a_small_portal_lists_every_report_on_the_home_page_too(seed_site):
    home = (seed_site.output / "index.html").read_text(encoding="utf-8")
    year = (seed_site.output / "reports-2021.html").read_text(encoding="utf-8")
    assert home.count("<tr data-year=") == year.count("<tr data-year=") == 5


def test_cells_without_references_keep_their_places_through_gaps_and_marks():
    from nianbao.publish import xlsx

    sheet = xlsx.Sheet(
        "s", rows=[["编号", None, "数"], [None, "a", None, 3, None], ["b"], [], [None, None, 7]]
    )
    sheet.marks[1] = {2: xlsx.DERIVED}
    data = xlsx.workbook([sheet])
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert ' r="' not in xml  # rows and cells follow one another, so a kept row fits anywhere
    read = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [list(r) for r in read.iter_rows(min_row=1, max_row=5, max_col=4, values_only=True)] == [
        ["编号", None, "数", None],
        [None, "a", None, 3],
        ["b", None, None, None],
        [None, None, None, None],
        [None, None, 7, None],
    ]
    assert read.cell(2, 3).font.i  # the marked empty cell keeps its place and its style


def test_no_workbook_when_table_3_would_not_fit_in_one_excel_sheet(seed_site, monkeypatch):
    from nianbao.publish import downloads

    reports = seed_site.reports
    lines = sum(len(TEMPLATES[r.template].rows_for({c for c, _ in r.requests})) for r in reports)
    monkeypatch.setattr(downloads, "MAX_ROWS", lines + 1)  # the header and every line: just fits
    assert downloads.fits_one_sheet(reports)
    monkeypatch.setattr(downloads, "MAX_ROWS", lines)
    assert not downloads.fits_one_sheet(reports)
    assert downloads.collection_workbook(reports, "全部") is None  # the CSV files have no such limit


def test_the_agencies_list_names_every_report_for_the_compare_picker(tmp_path):
    """The compare page's picker reads api/agencies.json (a tenth of the JSON
    index): every report once, with its year, and its own name of the agency
    where it used another."""
    content = tmp_path / "content"
    content.mkdir()
    text = (SEEDS / "000_3925396cff2e10ed.txt").read_text(encoding="utf-8")
    (content / "now.txt").write_text(text, encoding="utf-8")
    earlier = text.replace("2021年", "2020年").replace("二七区人民政府", "郑州市二七区人民政府")
    (content / "earlier.txt").write_text(earlier, encoding="utf-8")
    summary = build(content, tmp_path / "site", Config(incremental=False, search=False))
    agencies = json.loads((summary.output / "api" / "agencies.json").read_text(encoding="utf-8"))["agencies"]
    assert len(agencies) == 1 and agencies[0]["name"] == "二七区人民政府"
    by_id = {r.report_id: r for r in summary.reports}
    listed = agencies[0]["reports"]
    assert sorted(r[1] for r in listed) == sorted(by_id)
    for year, report_id, *name in listed:
        report = by_id[report_id]
        assert year == report.year and name == ([report.agency] if report.agency != "二七区人民政府" else [])
    assert [2020, _report_of_year(summary, 2020), "郑州市二七区人民政府"] in listed


def _report_of_year(summary, year: int) -> str:
    return next(r.report_id for r in summary.reports if r.year == year)
