"""The whole site, built from the raw seed files, as a user gets it."""

import csv
import html as html_lib
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from conftest import ROOT, SEED_NAMES, SEEDS, expected, matches
from sitekit import broken_links

from nianbao.config import Config
from nianbao.publish.validate import validate_package as validate
from nianbao.site import build
from nianbao.template import TEMPLATE_2021 as T

FORMATS = ROOT / "tests" / "data" / "formats"


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_summary_counts_what_was_built(seed_site):
    assert len(seed_site.reports) == 5
    assert seed_site.problems == []
    assert seed_site.package_errors == []
    lines = seed_site.lines()
    assert lines[0] == "报告 reports built: 5"
    assert lines[-1] == f"站点 site: {seed_site.output}/index.html"


def test_every_seed_number_is_in_the_published_package(seed_site):
    data = seed_site.output / "data"
    package = json.loads((data / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in package["resources"]] == [
        "reports",
        "requests",
        "reviews",
        "proactive",
        "indicators",
        "quality",
        "labels",
    ]
    ids = {Path(r["source"]).stem: r["report_id"] for r in read_csv(data / "reports.csv")}
    requests = {
        (r["report_id"], r["row"], r["applicant"]): r["value"] for r in read_csv(data / "requests.csv")
    }
    reviews = {
        (r["report_id"], r["proceeding"], r["outcome"]): r["value"] for r in read_csv(data / "reviews.csv")
    }
    checked = 0
    for name in SEED_NAMES:
        exp, rid = expected(name), ids[name]
        for i, row in enumerate(T.rows):
            for j, col in enumerate(T.applicant_codes):
                got = requests[(rid, row.code, col)]
                assert matches(int(got) if got else None, exp["table3"][i][j]), (name, row.code, col)
                checked += 1
        for k, (proc, outcome) in enumerate(T.review_cells):
            got = reviews[(rid, proc, outcome)]
            assert matches(int(got) if got else None, exp["table4"][k]), (name, proc, outcome)
            checked += 1
    assert checked == 5 * (175 + 15)


def test_reports_resource_has_agency_and_year_for_every_raw_file(seed_site):
    rows = read_csv(seed_site.output / "data" / "reports.csv")
    got = {Path(r["source"]).stem: (r["agency"], int(r["year"]), r["template"]) for r in rows}
    assert got == {n: (expected(n)["agency"], expected(n)["year"], "2021") for n in SEED_NAMES}
    assert all(re.fullmatch(r"[a-z0-9-]+", r["report_id"]) for r in rows)


def test_blank_cells_are_published_empty_never_zero(seed_site):
    data = seed_site.output / "data"
    rows = read_csv(data / "reviews.csv")
    blank = [r for r in rows if r["proceeding"] == "reconsideration" and r["report_id"].startswith("002")]
    assert {(r["value"], r["status"]) for r in blank} == {("", "blank")}


def test_the_portal_package_passes_frictionless_validate_on_the_command_line(seed_site):
    cli = Path(sys.executable).with_name("frictionless")
    result = subprocess.run(
        [str(cli), "validate", str(seed_site.output / "data" / "datapackage.json")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", SEED_NAMES)
def test_each_report_package_validates_and_has_the_official_wide_table(seed_site, name):
    rid = name.replace("_", "-")
    path = seed_site.output / "reports" / rid / "datapackage.json"
    assert validate(path) == []
    (resource,) = [
        r for r in json.loads(path.read_text(encoding="utf-8"))["resources"] if r["name"] == "requests_wide"
    ]
    wide = [dict(zip(resource["data"][0], values, strict=True)) for values in resource["data"][1:]]
    assert len(wide) == 25
    assert list(wide[0]) == ["row", "number", "label", *T.applicant_codes]
    exp = expected(name)["table3"]
    for i, row in enumerate(wide):
        for j, col in enumerate(T.applicant_codes):
            assert matches(row[col], exp[i][j])


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.lang, self.tables, self.captions, self.scoped, self.th = [], None, 0, 0, 0, 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        for attr in ("href", "src"):
            if attr in a:
                self.links.append((tag, a[attr]))
        self.tables += tag == "table"
        self.captions += tag == "caption"
        self.th += tag == "th"
        self.scoped += tag == "th" and "scope" in a


def pages(site: Path):
    return sorted(site.rglob("*.html"))


def test_every_page_is_chinese_accessible_and_links_only_to_what_exists(seed_site):
    site = seed_site.output
    assert len(pages(site)) == 10 + 1 + 5 + 5  # portal pages, the year 2021, agencies, reports
    assert broken_links(site) == []
    for page in pages(site):
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        assert parser.lang == "zh-CN", page
        assert parser.tables == parser.captions, page
        assert parser.th == parser.scoped, page


def test_report_page_shows_tables_like_the_template_and_marks_derived_values(seed_site):
    html = (seed_site.output / "reports" / "001-07ea97a0e0dbb2b9" / "index.html").read_text(encoding="utf-8")
    assert "新华区人民政府办公室" in html
    assert html.count("<tr>") >= 25 + 3
    assert 'class="derived"' in html
    assert "表三「（一）予以公开」只有6个数" in html
    # The original is named for what it is: a text file is a transcription, not the agency's file.
    assert 'href="source.txt" download="新华区人民政府办公室-2021.txt"' in html
    assert "收录的文本（由原报告转录" in html and "内容库中的文件" in html


def test_report_page_answers_the_first_questions_before_the_tables(seed_site):
    """How many requests, how many granted, reviews and lawsuits, and anything
    wrong: the figures and the checks come before the charts and downloads."""
    html = (seed_site.output / "reports" / "001-07ea97a0e0dbb2b9" / "index.html").read_text(encoding="utf-8")
    figures, checks = html.index('class="figures"'), html.index('id="findings"')
    assert figures < checks < html.index('id="indicators"') < html.index('id="downloads"')
    card = html[html.index('<li class="checks') :]
    card = card[: card.index("</li>")]
    assert 'href="#findings"' in card and "个警告" in card and "warning" in card
    # Findings are named in words, in both languages, not by their code.
    assert '<span class="name"><span lang="zh">' in html and '<code class="code">' not in html
    assert "report-error" not in html  # no repository configured: no link to nowhere


def test_report_pages_link_to_a_prefilled_issue_when_the_repository_is_known(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    shutil.copyfile(SEEDS / "004_5c62533f5d23ed68.txt", content / "a.txt")
    # A trailing slash in the address given makes no double slash in the links.
    summary = build(content, tmp_path / "out", Config(repository="https://github.com/example/nianbao/"))
    (report,) = summary.reports
    html = (summary.output / "reports" / report.report_id / "index.html").read_text(encoding="utf-8")
    start = html.index('<p class="report-error"><a href="') + len('<p class="report-error"><a href="')
    link = html_lib.unescape(html[start : html.index('"', start)])
    parts = urlsplit(link)
    assert parts.netloc == "github.com" and parts.path == "/example/nianbao/issues/new"
    query = parse_qs(parts.query)
    assert query["title"] == ["数据有误：文峰区信访局2021年政府信息公开工作年度报告"]
    assert f"报告编号：{report.report_id}" in query["body"][0] and "内容库中的文件：a.txt" in query["body"][0]


def test_pdf_originals_are_offered_as_the_agencys_file_with_their_size(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    shutil.copyfile(FORMATS / "002_86e56b1db52c9874.pdf", content / "r.pdf")
    summary = build(content, tmp_path / "out")
    (report,) = summary.reports
    html = (summary.output / "reports" / report.report_id / "index.html").read_text(encoding="utf-8")
    size = (content / "r.pdf").stat().st_size
    assert 'href="source.pdf" download="伊美区人民政府-2021.pdf"' in html
    assert "PDF 原件" in html and f"{max(1, round(size / 1024))} KB" in html


def test_home_page_lists_every_report_with_headline_figures(seed_site):
    html = (seed_site.output / "index.html").read_text(encoding="utf-8")
    for name in SEED_NAMES:
        assert f"reports/{name.replace('_', '-')}/index.html" in html
        assert expected(name)["agency"] in html
    assert "81173" not in html  # table 二 is on the report pages, not the list
    assert '<td class="num" data-v="104">104</td>' in html  # 二七区 received 104 requests


def test_prose_is_markdown_with_raw_html_escaped(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    text = (SEEDS / "004_5c62533f5d23ed68.txt").read_text(encoding="utf-8")
    text = text.replace(
        "无其他需要报告的事项。", '<script>alert(1)</script> **重要** <a href="javascript:x">链接</a>'
    )
    (content / "evil.md").write_text(text, encoding="utf-8")
    summary = build(content, tmp_path / "out")
    html = (summary.output / "reports" / "evil" / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<strong>重要</strong>" in html
    assert 'href="javascript:' not in html


def test_bad_files_are_listed_and_cost_no_other_report(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for path in SEEDS.glob("*.txt"):
        (content / path.name).write_bytes(path.read_bytes())
    (content / "empty.txt").write_bytes(b"")
    (content / "scan.txt").write_bytes(b"%PDF-1.4\x00\x01\x02binary")
    (content / "news.txt").write_text("区长调研春耕生产工作。\n要求各部门抓好落实。\n", encoding="utf-8")
    (content / "report.pdf").write_bytes(b"%PDF-1.4")
    (content / "report.doc").write_bytes(b"\xd0\xcf\x11\xe0old word")
    summary = build(content, tmp_path / "out")
    assert len(summary.reports) == 5
    problems = {p.source: (p.code, p.message) for p in summary.problems}
    assert problems["empty.txt"] == ("unreadable", "文件是空的")
    assert problems["scan.txt"] == (
        "unreadable",
        "文件是PDF文件，却存成了文本扩展名，无法按文本读取：请改用正确的扩展名",
    )
    assert problems["news.txt"][0] == "not_a_report"
    assert problems["report.pdf"] == ("unreadable", "PDF 文件损坏或不完整，无法读取")
    assert problems["report.doc"][0] == "unsupported" and "另存为 .docx" in problems["report.doc"][1]
    quality = read_csv(summary.output / "data" / "quality.csv")
    assert {
        r["source"] for r in quality if r["code"] in ("unreadable", "not_a_report", "unsupported")
    } == set(problems)
    assert summary.package_errors == []
    assert "news.txt" in (summary.output / "index.html").read_text(encoding="utf-8")


def test_a_rebuild_replaces_the_site_and_leaves_nothing_of_removed_reports(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for path in list(SEEDS.glob("*.txt"))[:2]:
        (content / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "out"
    build(content, out)
    first = sorted(p.name for p in (out / "reports").iterdir())
    (content / f"{first[0].replace('-', '_')}.txt").unlink()
    build(content, out)
    assert sorted(p.name for p in (out / "reports").iterdir()) == first[1:]
    hidden = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("."))
    assert hidden == [".out.cache", ".out.lock"]  # only the cache and the lock


def test_command_line_builds_and_prints_its_summary(raw_seed_folder, tmp_path):
    result = subprocess.run(
        [sys.executable, "build.py", "--content", str(raw_seed_folder), "--output", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "报告 reports built: 5" in result.stdout
    assert "数据包校验 data package: valid" in result.stdout
    assert (tmp_path / "site" / "index.html").is_file()


def test_command_line_ends_without_teardown_and_leaves_nothing_behind(raw_seed_folder, tmp_path):
    """build.py ends with os._exit once the build is done: its summary is
    whole, and no temporary folder (the validation's of changed rows, the
    staging tree) or child is left behind."""
    content, scratch = tmp_path / "content", tmp_path / "tmp"
    shutil.copytree(raw_seed_folder, content)
    scratch.mkdir()
    command = [sys.executable, "build.py", "--content", str(content), "--output", str(tmp_path / "site")]
    environment = {**os.environ, "TMPDIR": str(scratch)}
    runs = []
    for _ in range(2):  # cold, then an edit (frictionless on the changed rows, in a temporary folder)
        runs.append(subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=environment))
        edited = sorted(content.iterdir())[0]
        edited.write_text(edited.read_text(encoding="utf-8") + "\n另有说明。\n", encoding="utf-8")
    for run in runs:
        assert run.returncode == 0, run.stderr
        assert run.stdout.rstrip().splitlines()[-1].startswith("站点 site:")  # printed to its end
    assert list(scratch.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".site.cache",
        ".site.lock",
        "content",
        "site",
        "tmp",
    ]


def test_command_line_refuses_a_missing_content_folder(tmp_path):
    result = subprocess.run(
        [sys.executable, "build.py", "--content", str(tmp_path / "nope")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "找不到报告目录" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("name", SEED_NAMES)
def test_content_holds_each_seed_byte_for_byte_under_its_front_matter(name):
    data = (ROOT / "content" / f"{name}.txt").read_bytes()
    assert data.startswith(b"---\n")
    close = data.index(b"\n---\n", 4)
    meta = yaml.safe_load(data[4:close].decode())
    end = close + len(b"\n---\n")
    assert data[end:] == (SEEDS / f"{name}.txt").read_bytes()
    assert (meta["agency"], meta["year"]) == (expected(name)["agency"], expected(name)["year"])
    assert meta["source_file"] == f"{name}.txt"


def test_a_headline_figure_resting_on_a_questioned_cell_is_marked(tmp_path):
    from reportkit import GOOD, report_text

    content = tmp_path / "content"
    content.mkdir()
    good = report_text()
    # 新收 printed with a total that is not the sum of its columns: a finding on that row.
    rows = dict(GOOD)
    rows["new_received"] = [8, 1, 0, 0, 1, 0, 11]
    (content / "good-2022.txt").write_text(good, encoding="utf-8")
    (content / "bad-2022.txt").write_text(report_text(rows).replace("某县", "另县"), encoding="utf-8")
    build(content, tmp_path / "out", incremental=False)

    def figures(report_id):
        page = (tmp_path / "out" / "reports" / report_id / "index.html").read_text(encoding="utf-8")
        block = page.split('<ul class="figures"', 1)[1].split("</ul>", 1)[0]
        return [("见核对结果" in li) for li in block.split("<li>")[1:]]

    assert figures("good-2022") == [False, False, False, False]
    assert figures("bad-2022")[0] is True  # 新收 is marked; the page links to the checks


def test_reports_share_their_keys_and_cells_once_loaded(tmp_path):
    """Compacted reports give the same pages byte for byte (the incremental
    tests prove a cached build equal to a cold one); here: what is shared."""
    from nianbao.model import compact

    content = tmp_path / "content"
    content.mkdir()
    for name in ("000_3925396cff2e10ed.txt", "003_9575e5b310ab3ea7.txt"):
        shutil.copyfile(SEEDS / name, content / name)
    first, second = build(content, tmp_path / "out").reports
    key = ("new_received", "total")
    assert next(k for k in first.requests if k == key) is next(k for k in second.requests if k == key)
    zero = [c for r in (first, second) for c in r.requests.values() if c.value == 0 and c.status == "printed"]
    assert len({id(c) for c in zero}) == 1 and len(zero) > 10  # one printed 0 for all
    values = {k: (c.value, c.status, c.raw) for k, c in first.requests.items()}
    compact(first)  # again: nothing changes
    assert {k: (c.value, c.status, c.raw) for k, c in first.requests.items()} == values
