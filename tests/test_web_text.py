"""Reports as they are found on the web: crawler text with glued cells, real
titles, crawler headers, PDFs converted to Markdown, saved web pages.

The synthetic cases are made from the hand-transcribed seeds (and the 2019
report) by :func:`formatkit.report_crawler_text`, so every kind of glue is
tried on both templates; the real files of ``../shared/corpus/web`` are
scored when the corpus is beside the project.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import EXPECTED, ROOT
from formatkit import report_crawler_text
from reportkit import codes

from nianbao.parse import parse
from nianbao.parse.titles import find_title, name_from_path, year_in_name
from nianbao.read import read_source
from nianbao.read.folder import discover
from nianbao.read.frontmatter import split_header
from nianbao.read.tokens import unglue
from nianbao.site import build
from tools.score import score

CORPUS = ROOT.parent / "shared" / "corpus"
WEB = CORPUS / "web"
needs_corpus = pytest.mark.skipif(not WEB.is_dir(), reason="the corpus is not beside the project")
TEMPLATE2019 = ROOT / "tests" / "data" / "template2019"


# --- titles as reports write them ---------------------------------------------


@pytest.mark.parametrize(
    ("lines", "agency", "year"),
    [
        (["平潭综合实验区财政金融局2024年度政府信息公开工作年度报告"], "平潭综合实验区财政金融局", 2024),
        (["2024 年上海市科委政府信息公开工作年度报告"], "上海市科委", 2024),
        (
            ["正文", "2025 年上海市人民政府办公厅政府信息公开", "工作年度报告", "本年度报告根据"],
            "上海市人民政府办公厅",
            2025,
        ),
        (["淮安市洪泽区人民政府二〇二三年度政府信息公开工作年度报告"], "淮安市洪泽区人民政府", 2023),
        (["《某市交通运输局2022年政府信息公开工作年度报告》（图片版）"], "某市交通运输局", 2022),
        (["某县民政局 2021 年度政府信息公开工作年度报告（超链版）"], "某县民政局", 2021),
        (["某县人民政府", "2020年政府信息公开工作年度报告"], "某县人民政府", 2020),
        (["一、总体情况", "", "二七区人民政府2021年政府信息公开工作年度报告"], "二七区人民政府", 2021),
        (["关于某区统计局2022年度政府信息公开工作年度报告的说明"], "某区统计局", 2022),
    ],
)
def test_titles_as_reports_really_write_them(lines, agency, year):
    found_agency, found_year, _ = find_title(lines)
    assert (found_agency, found_year) == (agency, year)


def test_a_sentence_that_mentions_a_report_is_not_its_title():
    line = "根据某市人民政府办公室关于做好2024年政府信息公开工作年度报告编制公布工作的要求，结合我局工作实际编制本报告"
    assert find_title([line])[1] is None or len(find_title([line])[0]) <= 40


@pytest.mark.parametrize(
    ("path", "name", "year"),
    [
        ("hongze-2024.pdf", "hongze", 2024),
        ("2023/淮安市统计局2023年报.pdf", "淮安市统计局", 2023),
        ("淮安市2023年报/page.html", "淮安市", 2023),
        ("001_07ea97a0e0dbb2b9.txt", "", None),
    ],
)
def test_names_and_years_from_file_names(path, name, year):
    assert name_from_path(path) == name
    assert year_in_name(path) == year


# --- crawler headers ------------------------------------------------------------------


HEADER = (
    "标题: 平潭综合实验区公安局2022年政府信息公开工作年度报告\n"
    "发布时间: 2023-01-09 19:52\n"
    "文号: \n"
    "发布机构: \n"
    "栏目: 政府信息公开年报\n"
    "原文链接: https://www.pingtan.gov.cn/zwgk/t20230109_80624.htm\n"
    "本地目录: zwgk/80624_平潭综合实验区公安局2022年政府信息公开工作年度报告\n"
    "页面链接与图片详见 links.tsv(同目录)\n"
    "==================== 正文 ====================\n"
)


def test_a_crawler_header_is_metadata_not_text():
    header, body = split_header(HEADER + "根据《条例》编制本报告。")
    assert header["原文链接"] == "https://www.pingtan.gov.cn/zwgk/t20230109_80624.htm"
    assert header["发布时间"] == "2023-01-09 19:52"
    assert body == "根据《条例》编制本报告。"


def test_text_without_a_header_is_left_whole():
    text = "标题党不是报告的标题\n正文"
    assert split_header(text) == ({}, text)


def test_the_header_gives_agency_year_source_url_and_publication_date():
    text = HEADER + "一、总体情况\n本局……\n"
    report = parse(read_source("page.txt", text.encode()))
    assert (report.agency, report.year) == ("平潭综合实验区公安局", 2022)
    assert report.source_url == "https://www.pingtan.gov.cn/zwgk/t20230109_80624.htm"
    assert report.published == date(2023, 1, 9)
    assert report.title == "平潭综合实验区公安局2022年政府信息公开工作年度报告"


def test_only_web_addresses_become_the_source_url():
    text = HEADER.replace("https://www.pingtan.gov.cn/zwgk/t20230109_80624.htm", "javascript:alert(1)")
    assert parse(read_source("page.txt", text.encode())).source_url == ""


def test_without_a_title_agency_and_year_fall_back_with_a_warning():
    text = "本报告所列数据的统计期限自2022年1月1日起至2022年12月31日止。\n一、总体情况\n无。\n"
    report = parse(read_source("某县统计局/page.txt", text.encode()))
    assert (report.agency, report.year) == ("某县统计局", 2022)
    assert {"agency_guessed", "year_guessed"} <= set(codes(report))


# --- glued cells -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "pieces"),
    [
        (
            "一、本年新收政府信息公开申请数量20",
            [("text", "一、本年新收政府信息公开申请数量"), ("number", "20")],
        ),
        ("02二、上年结转", [("number", "02"), ("text", "二、上年结转")]),
        ("00000002.其他法律", [("number", "0000000"), ("text", "2.其他法律")]),
        ("01(二)部分公开", [("number", "01"), ("text", "(二)部分公开")]),
        ("行政事业性收费18651.064104", [("text", "行政事业性收费"), ("number", "18651.064104")]),
        ("2024年我局共收到申请2件", [("text", "2024年我局共收到申请2件")]),
        ("电话:0591-23163551", [("text", "电话:0591-23163551")]),
        ("附件1", [("text", "附件1")]),
        ("行政许可125-21856", [("text", "行政许可"), ("number", "125"), ("number", "-21856")]),
    ],
)
def test_labels_and_digits_run_together_are_cut_apart(cell, pieces):
    assert unglue(cell) == pieces


def _build_crawler_texts(tmp_path, folder: Path, spaced: bool, separator: str = " "):
    content = tmp_path / "content"
    content.mkdir()
    for path in folder.glob("*.json"):
        exp = json.loads(path.read_text(encoding="utf-8"))
        text = report_crawler_text(exp, spaced, separator)
        (content / f"{path.stem}.txt").write_text(text, encoding="utf-8")
    build(content, tmp_path / "out", incremental=False)
    return score(tmp_path / "out", folder)


@pytest.mark.parametrize("spaced", [False, True], ids=["glued", "partly-spaced"])
@pytest.mark.parametrize(
    ("folder", "cells"), [(EXPECTED, 1000), (TEMPLATE2019, 198)], ids=["2021-seeds", "2019"]
)
def test_crawler_text_of_both_templates_is_exact_or_flagged(tmp_path, folder, cells, spaced):
    result = _build_crawler_texts(tmp_path, folder, spaced)
    assert result.unflagged == 0, result.silent
    assert result.metadata == []
    assert result.exact + result.flagged == cells
    # What stays open is what the digits cannot settle: multi-digit cells of
    # table 二 and of rows whose totals allow several cuts (measured, not a target).
    assert result.exact >= cells - 20


@pytest.mark.parametrize("separator", ["\u3000", "\xa0"], ids=["ideographic-space", "no-break-space"])
def test_a_2019_page_with_wide_or_no_break_spaces_between_cells(tmp_path, separator):
    result = _build_crawler_texts(tmp_path, TEMPLATE2019, True, separator)
    assert (result.unflagged, result.metadata) == (0, [])
    assert result.exact >= 198 - 20
    requests = [line for line in result.wrong if " requests " in line]
    assert requests == []  # table 三 is read whole


def test_a_run_with_one_cut_that_keeps_the_totals_is_read(tmp_path):
    exp = json.loads((EXPECTED / "004_5c62533f5d23ed68.json").read_text(encoding="utf-8"))
    report = parse(read_source("r.txt", report_crawler_text(exp).encode()))
    got = [report.requests[("new_received", c)].value for c in ("natural_person", "commercial", "total")]
    assert got == [exp["table3"][0][0], exp["table3"][0][1], exp["table3"][0][6]]
    assert "digits_run_together" in codes(report)


def test_ambiguous_table_two_runs_are_null_with_the_candidates():
    text = (
        "某县统计局2022年政府信息公开工作年度报告\n二、主动公开政府信息情况\n"
        "第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件5730"
        "第二十条第（五）项信息内容本年处理决定数量行政许可1970\n"
    )
    report = parse(read_source("r.txt", text.encode()))
    assert [report.proactive[("regulations", m)].value for m in ("issued", "repealed", "in_force")] == [
        0,
        0,
        0,
    ]
    assert [
        report.proactive[("normative_documents", m)].value for m in ("issued", "repealed", "in_force")
    ] == [
        None,
        None,
        None,
    ]
    assert report.proactive[("administrative_licensing", "decisions")].value == 1970
    [finding] = [f for f in report.findings if f.row == "normative_documents"]
    assert finding.severity == "error"
    assert "5 | 7 | 30" in finding.message and "57 | 3 | 0" in finding.message


def test_a_row_whose_digits_fit_no_cut_is_null_with_an_error():
    exp = json.loads((EXPECTED / "004_5c62533f5d23ed68.json").read_text(encoding="utf-8"))
    text = report_crawler_text(exp)
    row = "".join(map(str, exp["table3"][23]))
    broken = row[:-1] + str(int(row[-1]) + 1) + "9"  # a total one digit longer, fitting no cut
    report = parse(read_source("r.txt", text.replace("（七）总计" + row, "（七）总计" + broken).encode()))
    assert all(report.requests[("total_processed", c)].value is None for c in ("natural_person", "total"))
    assert any(f.code == "digits_run_together" and f.row == "total_processed" for f in report.findings)


# --- saved pages -----------------------------------------------------------------------------


def test_a_saved_complete_page_is_one_report(tmp_path):
    page = tmp_path / "content" / "某县2022年报"
    (page / "page_files").mkdir(parents=True)
    (page / "page.html").write_text("<html><body><p>x</p></body></html>", encoding="utf-8")
    (page / "page_files" / "table1.png").write_bytes(b"\x89PNG")
    (page / "page_files" / "style.css").write_text("p{}", encoding="utf-8")
    crawl = tmp_path / "content" / "crawl"
    crawl.mkdir()
    (crawl / "page.txt").write_text("x", encoding="utf-8")
    (crawl / "links.tsv").write_text("a\tb\n", encoding="utf-8")
    (crawl / "pic.jpg").write_bytes(b"\xff\xd8\xff")
    found = [p.relative_to(tmp_path / "content").as_posix() for p in discover(tmp_path / "content")]
    assert found == ["crawl/page.txt", "某县2022年报/page.html"]


# --- the real corpus ---------------------------------------------------------------------------


def _build_corpus(tmp_path, suffixes: tuple[str, ...]):
    content, wanted = tmp_path / "content", tmp_path / "expected"
    content.mkdir()
    wanted.mkdir()
    for path in sorted(WEB.iterdir()):
        if path.suffix in suffixes and (WEB / "expected" / f"{path.stem}.json").is_file():
            shutil.copy(path, content / path.name)
            shutil.copy(WEB / "expected" / f"{path.stem}.json", wanted / f"{path.stem}.json")
    summary = build(content, tmp_path / "out", incremental=False)
    return summary, score(tmp_path / "out", wanted)


@pytest.mark.slow
@needs_corpus
def test_corpus_crawler_text(tmp_path):
    summary, result = _build_corpus(tmp_path, (".txt",))
    assert summary.problems == [] and summary.package_errors == []
    assert (result.unflagged, result.metadata, result.missing_reports) == (0, [], [])
    # 7 reports: 6 x 200 cells and a 2019 report of 198. Left null with a
    # finding: table 二 runs with several cuts (4 reports), and 三（七）总计 of
    # pingtan-resources-2023, whose printed digits fit no cut.
    assert (result.exact, result.flagged) == (1367, 31)


@pytest.mark.slow
@needs_corpus
def test_corpus_saved_pages_equal_their_crawler_text(tmp_path):
    summary, result = _build_corpus(tmp_path, (".html",))
    assert summary.problems == []
    assert (result.exact, result.flagged, result.unflagged, result.metadata) == (600, 0, 0, [])


@pytest.mark.slow
@needs_corpus
def test_corpus_pdf_converted_to_markdown(tmp_path):
    summary, result = _build_corpus(tmp_path, (".md",))
    assert (result.unflagged, result.metadata) == (0, [])
    # Table 二's two rows print two numbers for three cells: left null, flagged.
    assert (result.exact, result.flagged) == (196, 4)
    [report] = summary.reports
    assert report.agency == "上海市人民政府办公厅"
    assert "rows_by_order" in codes(report)


@pytest.mark.slow
@needs_corpus
def test_corpus_self_contradiction_is_reported(tmp_path):
    summary, _ = _build_corpus(tmp_path, (".txt",))
    report = next(r for r in summary.reports if r.source == "pingtan-resources-2023.txt")
    errors = {(f.code, f.row) for f in report.findings if f.severity == "error"}
    assert ("digits_run_together", "total_processed") in errors
    assert any(code == "sum_mismatch" or "mismatch" in code for code, _ in errors)
