"""The parser against every quirk met so far, one small report per quirk."""

from decimal import Decimal

from reportkit import GOOD, REVIEWS, codes, parse_text, report_text, row_line, values

from nianbao.template import TEMPLATE_2021 as T


def test_a_clean_report_is_read_whole():
    report = parse_text(report_text())
    assert all(values(report, code) == GOOD[code] for code in T.row_codes)
    assert [report.reviews[k].value for k in T.review_cells] == REVIEWS
    assert report.proactive[("normative_documents", "in_force")].value == 20
    assert report.proactive[("administrative_fees", "amount_10k_yuan")].value == Decimal("1.5")
    assert (report.agency, report.year) == ("某县人民政府", 2022)
    assert codes(report) == []


def test_a_label_wrapped_over_lines():
    wrapped = "（二）部分公开（区分处理的，只计这一情\n形，不计其他情形） 0 0 0 0 0 0 0"
    report = parse_text(report_text(lines={"partially_granted": wrapped}))
    assert values(report, "partially_granted") == [0] * 7


def test_numbers_wrapped_onto_the_next_line():
    line = "1.本机关不掌握相关政府信息 4 0 0 0 1 0\n5"
    report = parse_text(report_text(lines={"unavailable_not_held": line}))
    assert values(report, "unavailable_not_held") == GOOD["unavailable_not_held"]


def test_numbers_between_the_two_halves_of_a_label():
    line = "（二）部分公开（区分处理的，只计这一情\n 0 0 0 0 0 0 0\n形，不计其他情形）"
    report = parse_text(report_text(lines={"partially_granted": line}))
    assert values(report, "partially_granted") == [0] * 7
    assert values(report, "denied_state_secret") == [0] * 7


def test_label_variants_are_still_found():
    lines = {
        "denied_prohibited_by_law": "2.其他法律法规禁止公开 0 0 0 0 0 0 0",
        "not_processed_excessive": "4.无正当理由大量反复 申请 0 0 0 0 0 0 0",
        "other_other": "3. 其他 0 0 0 0 0 0 0",
    }
    report = parse_text(report_text(lines=lines))
    assert "row_missing" not in codes(report)


def test_tab_separated_blank_row_is_derived_when_the_arithmetic_forces_it():
    line = row_line("denied_state_secret", [""] * 7, sep="\t")
    report = parse_text(report_text(lines={"denied_state_secret": line}))
    cells = [report.requests[("denied_state_secret", c)] for c in T.applicant_codes]
    assert [c.value for c in cells] == [0] * 7
    assert {c.status for c in cells} == {"derived"}
    assert "row_blank" in codes(report) and "derived_value" in codes(report)


def test_tab_separated_interior_blank_is_a_blank_cell():
    line = row_line("granted", [5, "", 0, 0, 0, 0, 6], sep="\t")
    report = parse_text(report_text(lines={"granted": line}))
    cell = report.requests[("granted", "commercial")]
    assert (cell.value, cell.status) == (1, "derived")


def test_a_blank_that_the_arithmetic_cannot_settle_stays_null():
    # Granted and not-held both lose natural person and total: 9 = a + b has many answers.
    lines = {
        "granted": row_line("granted", ["-", 1, 0, 0, 0, 0, "-"]),
        "unavailable_not_held": row_line("unavailable_not_held", ["-", 0, 0, 0, 1, 0, "-"]),
    }
    report = parse_text(report_text(lines=lines))
    cell = report.requests[("granted", "natural_person")]
    assert (cell.value, cell.status, cell.raw) == (None, "placeholder", "-")
    assert "check_not_assessable" in codes(report)


def test_placeholders_are_null_with_their_kind_kept():
    report = parse_text(
        report_text(lines={"denied_state_secret": row_line("denied_state_secret", ["/"] * 7)})
    )
    cell = report.requests[("denied_state_secret", "natural_person")]
    assert (cell.value, cell.status, cell.raw) == (0, "derived", "/")


def test_a_short_row_the_arithmetic_settles():
    # 6 numbers for 7 columns: only one placement is consistent with the column sums.
    report = parse_text(report_text(lines={"granted": row_line("granted", [5, 1, 0, 0, 0, 6])}))
    assert values(report, "granted") == GOOD["granted"]
    assert "short_row" in codes(report)


def test_a_short_row_that_fits_no_placement_keeps_nulls():
    # 7 natural persons granted cannot fit a column whose total is 9 with 4 not held.
    report = parse_text(report_text(lines={"granted": row_line("granted", [7, 1, 0, 0, 0, 8])}))
    finding = next(f for f in report.findings if f.code == "short_row")
    assert finding.severity == "error" and "没有一种对应方式" in finding.message
    assert values(report, "granted") == [None] * 7
    assert {report.requests[("granted", c)].status for c in T.applicant_codes} == {"missing"}


def test_a_row_with_too_many_numbers_is_null_and_an_error():
    report = parse_text(report_text(lines={"granted": row_line("granted", [5, 1, 0, 0, 0, 0, 6, 9])}))
    assert values(report, "granted") == [None] * 7
    finding = next(f for f in report.findings if f.code == "row_overflow")
    assert finding.severity == "error" and finding.row == "granted"


def test_a_missing_row_is_reported_and_never_derived():
    text = report_text().replace(row_line("other_no_correction", [0] * 7) + "\n", "")
    report = parse_text(text)
    assert values(report, "other_no_correction") == [None] * 7
    assert {c.status for c in (report.requests[("other_no_correction", a)] for a in T.applicant_codes)} == {
        "missing"
    }
    assert "row_missing" in codes(report)


def test_tables_are_found_without_their_headings():
    text = (
        report_text()
        .replace("二、主动公开政府信息情况\n", "")
        .replace("三、收到和处理政府信息公开申请情况\n", "")
    )
    report = parse_text(text)
    assert values(report, "total_processed") == GOOD["total_processed"]
    assert report.proactive[("regulations", "issued")].value == 0


def test_prose_numbers_before_the_table_are_not_taken_for_cells():
    text = report_text().replace("本年度收到申请10件。", "本年新收 99 件，上年结转 7 件，详见下表。")
    report = parse_text(text)
    assert values(report, "new_received") == GOOD["new_received"]


def test_table_four_with_blank_cells_keeps_their_positions():
    text = report_text().replace(" ".join(map(str, REVIEWS)), "\t\t\t\t\t1\t0\t0\t0\t1\t0\t0\t0\t0\t0")
    report = parse_text(text)
    assert report.reviews[("reconsideration", "total")].value is None
    assert report.reviews[("litigation_direct", "upheld")].value == 1


def test_title_split_over_two_lines_and_a_short_agency_name():
    text = (
        report_text()
        .replace("某县人民政府2022年", "信访局\n2022 年")
        .replace("本年度收到", "文峰区信访工作中收到")
    )
    report = parse_text(text)
    assert (report.agency, report.year) == ("文峰区信访局", 2022)


def test_front_matter_wins_over_the_text():
    report = parse_text("---\nagency: 另一个机构\nyear: 2023\nregion: 某县\n---\n" + report_text())
    assert (report.agency, report.year, report.region) == ("另一个机构", 2023, "某县")
    assert report.metadata_origin == {"agency": "front matter", "year": "front matter"}


def test_a_year_that_is_not_a_number_falls_back_to_the_text():
    report = parse_text("---\nyear: 二〇二一\n---\n" + report_text())
    assert report.year == 2022
    assert "bad_front_matter" in codes(report)


def test_prose_of_wrapped_pdf_lines_is_joined_into_paragraphs():
    text = report_text().replace("问题不少。", "一是公开不够及时，部分\n信息更新慢。\n二是解读不够。")
    report = parse_text(text)
    assert report.prose["problems"] == "一是公开不够及时，部分信息更新慢。\n\n二是解读不够。"


def test_unknown_front_matter_keys_are_a_warning():
    report = parse_text("---\nagency: 某机构\nauthor: 张三\n---\n" + report_text())
    [finding] = [f for f in report.findings if f.code == "bad_front_matter"]
    assert "author" in finding.message and finding.severity == "warning"
    assert report.agency == "某机构"


def test_other_processing_printed_as_one_row_takes_the_place_of_its_three_items():
    text = report_text()
    for code in ("other_no_correction", "other_fee_unpaid"):
        text = text.replace(row_line(code, [0] * 7) + "\n", "")
    text = text.replace(row_line("other_other", [0] * 7), "（六）其他处理 0 0 0 0 0 0 0")
    report = parse_text(text)
    assert values(report, "other_processing") == [0] * 7
    assert values(report, "not_processed_confirmation") == [0] * 7
    assert values(report, "other_other") == [None] * 7
    assert {f.code for f in report.findings} == {"row_collapsed"}  # and every check is assessable
    assert [r.code for r in T.rows_for({"other_processing"})][20:23] == [
        "other_processing",
        "total_processed",
        "carried_forward",
    ]


# --- digits run together (text copied from web pages) --------------------------


def test_a_row_whose_digits_run_together_is_cut_where_the_arithmetic_allows_one_way():
    # 8 1 0 0 1 0 10 printed without spaces, glued to its label too
    report = parse_text(report_text(lines={"new_received": "一、本年新收政府信息公开申请数量81001010"}))
    assert values(report, "new_received") == GOOD["new_received"]
    finding = next(f for f in report.findings if f.code == "digits_run_together")
    assert finding.severity == "warning"
    assert finding.message == (
        "表三「一、本年新收政府信息公开申请数量」的数字连在一起（81001010），按勾稽关系只有一种拆法：8 1 0 0 1 0 10"
    )


def test_several_rows_run_together_are_all_cut():
    lines = {code: row_line(code, ["".join(map(str, GOOD[code]))]) for code in ("granted", "total_processed")}
    report = parse_text(report_text(lines=lines))
    assert values(report, "granted") == GOOD["granted"]
    assert values(report, "total_processed") == GOOD["total_processed"]
    assert codes(report).count("digits_run_together") == 2
    assert "balance_mismatch" not in codes(report)


def test_digits_that_can_be_cut_two_ways_are_left_null_and_flagged():
    # 0 0 1 10 11 or 0 0 11 0 11: both keep 行政复议's total
    report = parse_text(report_text(reviews=["0011011", *[0] * 10]))
    assert [report.reviews[("reconsideration", o)].value for o in ("upheld", "corrected", "total")] == [
        0,
        0,
        11,
    ]
    assert report.reviews[("reconsideration", "other")].value is None
    assert report.reviews[("reconsideration", "pending")].value is None
    finding = next(f for f in report.findings if f.code == "digits_run_together")
    assert finding.severity == "error"
    assert "不止一种拆法" in finding.message


def test_a_short_row_of_small_numbers_is_not_mistaken_for_digits_run_together():
    report = parse_text(report_text(lines={"granted": "（一）予以公开 5 1 6"}))
    assert "digits_run_together" not in codes(report)


def test_a_row_the_template_does_not_know_is_named():
    extra = (
        row_line("denied_administrative_query", GOOD["denied_administrative_query"])
        + "\n9.属于其他新增情形 1 0 0 0 0 0 1"
    )
    report = parse_text(report_text(lines={"denied_administrative_query": extra}))
    finding = next(f for f in report.findings if f.code == "unknown_label")
    assert (finding.severity, finding.row) == ("warning", "denied_administrative_query")
    assert "「9.属于其他新增情形」" in finding.message
    assert "row_overflow" in codes(report)  # and its numbers are not published as the row's


def test_wrapped_label_ends_and_vertical_group_labels_are_not_unknown():
    lines = {
        "partially_granted": "（二）部分公开（区分处理的，只计这一情\n 0 0 0 0 0 0 0\n形，不计其他情形）",
        "denied_state_secret": "三、本年度办理结果 （三）不予公开 1.属于国家秘密 0 0 0 0 0 0 0",
    }
    assert "unknown_label" not in codes(parse_text(report_text(lines=lines)))
