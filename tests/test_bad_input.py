"""Every kind of bad input, side by side with good reports: each gets its own
clear finding, naming the file, and costs nothing else.

The small files are in ``tests/data/bad/`` (each is the seed 002 damaged in
one way, or not a report at all); the large ones are made here.
"""

from __future__ import annotations

import re
import shutil
import time

import pytest
from conftest import SEEDS
from reportkit import codes, parse_text, report_text, row_line

from nianbao.site import build

BAD = SEEDS.parent / "bad"
SEED = "002_86e56b1db52c9874"

# file -> (problem code, exact message) for files that cannot become a report
REFUSED = {
    "empty.txt": ("unreadable", "文件是空的"),
    "whitespace-only.txt": ("unreadable", "文件是空的"),
    "png-saved-as.txt": (
        "unreadable",
        "文件是PNG 图片文件，却存成了文本扩展名，无法按文本读取：请改用正确的扩展名",
    ),
    "pdf-saved-as.txt": (
        "unreadable",
        "文件是PDF文件，却存成了文本扩展名，无法按文本读取：请改用正确的扩展名",
    ),
    "news-article.txt": (
        "not_a_report",
        "没有找到年度报告的表格（表三、表四），不像是政府信息公开工作年度报告",
    ),
    "old-word.doc": ("unsupported", "旧版 Word/WPS 文件无法直接读取：请用 Word 或 WPS 另存为 .docx"),
    "spreadsheet.xlsx": ("unsupported", "不支持的文件类型「.xlsx」：可读取 .txt .md .tsv .html .pdf .docx"),
    "huge.txt": ("too_large", "文件过大（11.0 MB，上限 10 MB），不像一份年报，已跳过"),
    "encrypted.pdf": (
        "unreadable",
        "PDF 有密码保护（已加密），无法读取：请找到未加密的版本，或用密码打开后另存",
    ),
}

# Encodings and line ends: read exactly like the seed.
SAME_AS_SEED = [
    "gb18030.txt", "utf16.txt", "utf8-bom.txt", "crlf.txt", "cr.txt", "fullwidth.txt", "stray-nul.txt",
    "utf16-no-bom.txt",
]  # fmt: skip

# file -> the finding (code, message) it must carry; its numbers still read.
FRONT_MATTER = {
    "yaml-alias-bomb.txt": (
        "bad_front_matter",
        "front matter 用了 YAML 锚点或别名（& 或 *），为安全起见不予展开，已忽略",
    ),
    "broken-yaml.txt": ("bad_front_matter", "front matter 不是有效的 YAML（第3行），已忽略"),
    "no-closing-dashes.txt": ("bad_front_matter", "front matter 没有结束的 '---'，已按正文读取"),
    "year-in-chinese.txt": ("bad_front_matter", "front matter 的 year「二〇二一」不是年份，已从正文读取"),
    "unknown-keys.txt": (
        "bad_front_matter",
        "front matter 中有不认识的键：colour、publisher（可用的键：agency、id、published、region、source_file、source_url、title、year）",
    ),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    content = tmp_path_factory.mktemp("bad") / "content"
    shutil.copytree(BAD, content)
    for path in SEEDS.glob("*.txt"):
        shutil.copyfile(path, content / path.name)
    (content / "huge.txt").write_bytes(b"x" * (11 * 1024 * 1024))
    out = content.parent / "site"
    started = time.perf_counter()
    summary = build(content, out)
    return summary, time.perf_counter() - started


def _report(summary, source):
    return next(r for r in summary.reports if r.source == source)


def _numbers(report):
    return {k: c.value for t in ("requests", "reviews") for k, c in report.table(t).items()}


def test_each_refused_file_gets_its_own_message(built):
    summary, _ = built
    assert {p.source: (p.code, p.message) for p in summary.problems} == REFUSED


def test_the_good_reports_beside_them_are_intact(built, tmp_path):
    summary, _ = built
    clean = tmp_path / "clean"
    clean.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copyfile(path, clean / path.name)
    alone = {r.source: _numbers(r) for r in build(clean, tmp_path / "out").reports}
    for source, numbers in alone.items():
        assert _numbers(_report(summary, source)) == numbers
    assert summary.package_errors == []


@pytest.mark.parametrize("name", SAME_AS_SEED)
def test_encodings_and_line_ends_read_exactly_like_the_seed(built, name):
    summary, _ = built
    assert _numbers(_report(summary, name)) == _numbers(_report(summary, f"{SEED}.txt"))
    assert _report(summary, name).agency == "伊美区人民政府"


@pytest.mark.parametrize("name", sorted(FRONT_MATTER))
def test_broken_front_matter_is_a_warning_and_the_report_is_still_read(built, name):
    summary, _ = built
    report = _report(summary, name)
    code, message = FRONT_MATTER[name]
    assert (code, message) in [(f.code, f.message) for f in report.findings]
    assert _numbers(report) == _numbers(_report(summary, f"{SEED}.txt"))


def test_a_list_where_a_name_belongs_is_named(built):
    report = _report(built[0], "year-in-chinese.txt")
    assert "front matter 的 agency 应是一段文字，却是list（['甲', '乙']），已忽略" in [
        f.message for f in report.findings
    ]
    assert report.agency == "伊美区人民政府"


def test_a_report_cut_mid_table_keeps_what_it_has_and_says_what_is_missing(built):
    report = _report(built[0], "truncated.txt")
    assert report.requests[("granted", "total")].value == 2
    assert report.requests[("total_processed", "total")].value is None
    assert ("error", "table_missing", "没有找到表四（行政复议、行政诉讼情况）") in [
        (f.severity, f.code, f.message) for f in report.findings
    ]
    assert codes(report).count("row_missing") == 13


def test_the_same_agency_and_year_twice_keeps_both_and_says_so(built):
    summary, _ = built
    copies = [r for r in summary.reports if r.agency == "伊美区人民政府"]
    assert len(copies) == 15 and len({r.report_id for r in copies}) == 15  # 14 variants + the seed
    assert all("duplicate_report" in codes(r) for r in copies)


def test_the_whole_bad_folder_builds_in_bounded_time(built):
    assert built[1] < 60  # 28 files incl. an 11 MB one; about 6 s here


@pytest.mark.slow
def test_100000_lines_and_a_1_mb_line_finish(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "long.txt").write_text(
        (SEEDS / f"{SEED}.txt").read_text(encoding="utf-8") + "正文。\n" * 100_000
    )
    (content / "wide.txt").write_text("申请" * 500_000, encoding="utf-8")
    summary = build(content, tmp_path / "site")
    assert [r.source for r in summary.reports] == ["long.txt"]
    assert [(p.source, p.code) for p in summary.problems] == [("wide.txt", "not_a_report")]


# --- numbers ----------------------------------------------------------------------


def test_a_negative_count_is_not_a_count():
    report = parse_text(report_text(lines={"granted": row_line("granted", [5, 1, 0, 0, 0, 0, -6])}))
    assert report.requests[("granted", "total")].status in ("text", "derived")
    assert "not_a_count" in codes(report)


def test_a_decimal_in_a_count_cell_is_not_a_count():
    report = parse_text(report_text(lines={"granted": row_line("granted", [5, 1, 0, 0, 0, 0, "6.5"])}))
    assert "not_a_count" in codes(report)
    assert report.requests[("granted", "total")].value != 6.5


def test_thousands_separators_are_read():
    rows = {"new_received": [1000, 234, 0, 0, 0, 0, "1,234"]}
    report = parse_text(report_text(lines={"new_received": row_line("new_received", rows["new_received"])}))
    assert report.requests[("new_received", "total")].value == 1234


def test_an_absurdly_large_count_is_flagged():
    big = [5_000_000, 1, 0, 0, 0, 0, 5_000_001]
    report = parse_text(report_text(lines={"granted": row_line("granted", big)}))
    finding = next(f for f in report.findings if f.code == "implausible_value")
    assert (finding.row, finding.column) == ("granted", "natural_person")


@pytest.mark.parametrize("mark", ["/", "—", "-", "无"])
def test_a_placeholder_is_null_with_a_finding(mark):
    line = row_line("denied_state_secret", [mark] * 7)
    report = parse_text(report_text(lines={"denied_state_secret": line}))
    cell = report.requests[("denied_state_secret", "total")]
    assert cell.status in ("placeholder", "derived")
    assert cell.raw == mark
    assert "derived_value" in codes(report)  # the arithmetic forces 0, and says so


def test_ids_of_chinese_names_are_stable_and_distinct(tmp_path):
    content = tmp_path / "content"
    (content / "a").mkdir(parents=True)
    (content / "b").mkdir()
    text = (SEEDS / f"{SEED}.txt").read_bytes()
    (content / "a" / "年报 2021.txt").write_bytes(text)
    (content / "b" / "年报_2021.txt").write_bytes(text)
    summary = build(content, tmp_path / "site")
    ids = sorted(r.report_id for r in summary.reports)
    # Two names that differ only in what an ASCII slug drops keep different ids,
    # each from its own name: no file's id depends on which others exist.
    assert len(set(ids)) == 2 and all(re.fullmatch(r"2021-[0-9a-f]{8}", i) for i in ids)
    assert not any("duplicate_id" in codes(r) for r in summary.reports)
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "年报 2021.txt").write_bytes(text)
    assert build(alone, tmp_path / "site2").reports[0].report_id in ids


def test_two_files_of_one_name_in_two_folders_both_keep_a_page(tmp_path):
    content = tmp_path / "content"
    (content / "a").mkdir(parents=True)
    (content / "b").mkdir()
    text = (SEEDS / f"{SEED}.txt").read_bytes()
    (content / "a" / "report-2021.txt").write_bytes(text)
    (content / "b" / "report-2021.txt").write_bytes(text)
    summary = build(content, tmp_path / "site")
    ids = sorted(r.report_id for r in summary.reports)
    assert ids[0] == "report-2021" and ids[1].startswith("report-2021-")
    assert ["duplicate_id" in codes(r) for r in sorted(summary.reports, key=lambda r: r.report_id)] == [
        False,
        True,
    ]
    for report_id in ids:
        assert (tmp_path / "site" / "reports" / report_id / "index.html").is_file()
