"""The template's arithmetic (勾稽关系): each check passes on a sound report,
fails with a clear Chinese message on a broken one, and is 'not assessable'
when a cell it needs is missing."""

import pytest
from conftest import SEED_NAMES, SEEDS
from reportkit import GOOD, REVIEWS, codes, parse_text, report_text

from nianbao import check, parse, read_source
from nianbao.check import passes_arithmetic


def findings(report, code):
    return [f for f in report.findings if f.code == code]


def test_a_sound_report_passes_every_check():
    report = parse_text(report_text())
    assert passes_arithmetic(report)
    assert report.findings == []


@pytest.mark.parametrize("name", SEED_NAMES)
def test_the_seeds_pass_their_arithmetic(name):
    path = SEEDS / f"{name}.txt"
    report = check(parse(read_source(path.name, path.read_bytes())))
    assert passes_arithmetic(report), [f.message for f in report.findings if f.severity == "error"]


def test_received_plus_carried_over_must_equal_processed_plus_carried_forward():
    # The total column says 10 + 2 = 11 + 1; make carried-forward say 3 (and keep its row sum right).
    report = parse_text(report_text(rows={"carried_forward": [1, 0, 0, 0, 2, 0, 3]}))
    [failure] = [f for f in findings(report, "balance_mismatch") if f.column == "total"]
    assert failure.severity == "error"
    assert failure.table == "requests"
    assert (
        failure.message == "表三「总计」列：本年新收10加上年结转2等于12，但办理结果总计11加结转下年度3等于14"
    )


def test_a_row_total_must_equal_its_applicants():
    report = parse_text(report_text(rows={"new_received": [8, 1, 0, 0, 1, 0, 11]}))
    [failure] = findings(report, "row_total_mismatch")
    assert (failure.table, failure.row) == ("requests", "new_received")
    assert failure.message == "表三「一、本年新收政府信息公开申请数量」行：总计为11，但各类申请人相加为10"


def test_total_processed_must_equal_the_outcome_rows():
    rows = {"granted": [6, 1, 0, 0, 0, 0, 7]}
    report = parse_text(report_text(rows=rows))
    failures = {f.column: f.message for f in findings(report, "outcome_sum_mismatch")}
    assert failures == {
        "natural_person": "表三「自然人」列：（七）总计为9，但各项办理结果相加为10",
        "total": "表三「总计」列：（七）总计为11，但各项办理结果相加为12",
    }


def test_each_review_total_must_equal_its_four_outcomes():
    reviews = list(REVIEWS)
    reviews[4] = 3  # 行政复议 1 + 0 + 0 + 1 printed as 总计 3
    report = parse_text(report_text(reviews=reviews))
    [failure] = findings(report, "review_total_mismatch")
    assert (failure.table, failure.row) == ("reviews", "reconsideration")
    assert failure.message == "表四「行政复议」：总计为3，但结果维持、结果纠正、其他结果、尚未审结相加为2"


def test_a_check_with_a_missing_cell_is_not_assessable_not_passed():
    text = report_text().replace(" ".join(map(str, REVIEWS)), " ".join(map(str, REVIEWS[5:])))
    report = parse_text(text)
    assert not findings(report, "review_total_mismatch")
    unassessed = findings(report, "check_not_assessable")
    assert unassessed and all(f.severity == "info" for f in unassessed)


def test_seed_000_broken_on_purpose_fails_and_names_the_cell():
    path = SEEDS / "000_3925396cff2e10ed.txt"
    text = path.read_text(encoding="utf-8").replace(
        "（七）总计 101 5 0 0 0 1 107", "（七）总计 101 5 0 0 0 1 108"
    )
    report = check(parse(read_source(path.name, text.encode())))
    messages = [f.message for f in report.findings if f.severity == "error"]
    assert "表三「（七）总计」行：总计为108，但各类申请人相加为107" in messages
    assert "表三「总计」列：（七）总计为108，但各项办理结果相加为107" in messages
    assert not passes_arithmetic(report)


def test_good_data_is_untouched_by_a_failure_elsewhere():
    report = parse_text(report_text(rows={"carried_forward": [1, 0, 0, 0, 2, 0, 3]}))
    assert [report.requests[("granted", c)].value for c in ("natural_person", "total")] == [
        GOOD["granted"][0],
        GOOD["granted"][6],
    ]


# --- the prose against the tables ----------------------------------------------


def _with_overview(sentence: str) -> str:
    return report_text().replace("本年度收到申请10件。", sentence)


def test_prose_counting_requests_three_ways_agrees_with_the_table():
    # 10 new, 10 + 2 carried over, 11 answered: each is how some reports count
    for sentence in ("本年度收到申请10件。", "全年共受理政府信息公开申请12件。", "共接收依申请公开11件。"):
        assert "prose_mismatch" not in codes(parse_text(_with_overview(sentence))), sentence


def test_prose_that_disagrees_with_table_three_is_a_warning_on_its_cell():
    report = parse_text(_with_overview("全年共受理政府信息公开申请 9 件。"))
    finding = next(f for f in report.findings if f.code == "prose_mismatch")
    assert (finding.severity, finding.table, finding.row, finding.column) == (
        "warning",
        "requests",
        "new_received",
        "total",
    )
    assert finding.message == (
        "正文说“受理政府信息公开申请9件”，但表三本年新收10件、加上年结转共12件、办理结果总计11件，都不是9"
    )


def test_prose_counts_of_reviews_and_lawsuits_are_checked_against_table_four():
    # table 四 of the synthetic report: 行政复议 2, lawsuits 1 + 0
    agree = parse_text(_with_overview("发生行政复议2件，行政诉讼1件。"))
    assert "prose_mismatch" not in codes(agree)
    disagree = parse_text(_with_overview("发生行政复议3件，行政诉讼4件。"))
    messages = [f.message for f in disagree.findings if f.code == "prose_mismatch"]
    assert messages == [
        "正文说“行政复议3件”，但表四行政复议总计为2件",
        "正文说“行政诉讼4件”，但表四行政诉讼总计为1件（未经复议直接起诉1件，复议后起诉0件）",
    ]


# --- the arithmetic as a solver ------------------------------------------------------------------


def test_every_equation_of_the_templates_names_each_cell_once():
    # arithmetic._narrow bounds a cell by "all the other terms": one term a cell.
    from nianbao.template import TEMPLATES

    for template in TEMPLATES.values():
        for eq in template.equations:
            cells = [*eq.left, *eq.right]
            assert len(cells) == len(set(cells)), eq.where


def test_the_solver_bounds_each_cell_by_the_others_open_ended_or_not():
    from nianbao import arithmetic
    from nianbao.template import Equation

    total = Equation("requests", "t", (("a", "x"), ("b", "x")), (("t", "x"),), "t")
    a, b, t = ("requests", "a", "x"), ("requests", "b", "x"), ("requests", "t", "x")
    assert arithmetic.propagate([total], {t: 5, b: 2}, {a}) == {a: 3}
    assert arithmetic.propagate([total], {t: 0}, {a, b}) == {a: 0, b: 0}  # both forced to 0
    assert arithmetic.propagate([total], {t: 5}, {a, b}) == {}  # 0..5 each: neither forced
    assert arithmetic.propagate([total], {a: 1, b: 2}, {t}) == {t: 3}
    assert arithmetic.propagate([total], {b: 2}, {a, t}) == {}  # the total open above: nothing forced
    with pytest.raises(arithmetic.Contradiction):
        arithmetic.propagate([total], {t: 1, b: 2}, {a})  # a would be -1
