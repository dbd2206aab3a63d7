"""Checks across reports: one agency's consecutive years, a region and its departments."""

from __future__ import annotations

from reportkit import GOOD, report_text

from nianbao.catalog import agency_keys
from nianbao.site import build


def _build(tmp_path, files: dict[str, str]):
    content = tmp_path / "content"
    content.mkdir()
    for name, text in files.items():
        (content / name).write_text(text, encoding="utf-8")
    summary = build(content, tmp_path / "out")
    return {r.report_id: r for r in summary.reports}


def _year(year: int, rows: dict | None = None) -> str:
    return report_text(rows).replace("2022年", f"{year}年")


def test_this_years_carry_over_must_be_last_years_carry_forward(tmp_path):
    # The synthetic report carries 1 forward but 2 over, so two years of it disagree.
    reports = _build(tmp_path, {"a-2022.txt": _year(2022), "a-2023.txt": _year(2023)})
    finding = next(f for f in reports["a-2023"].findings if f.code == "carry_over_mismatch")
    assert finding.severity == "warning" and finding.row == "carried_over"
    assert finding.message == (
        "表三「上年结转」与2022年报告（a-2022）的「结转下年度继续办理」不一致："
        "「自然人」本报告2件、上年报告1件；「总计」本报告2件、上年报告1件"
    )
    assert not any(f.code == "carry_over_mismatch" for f in reports["a-2022"].findings)


def test_consecutive_years_that_join_up_raise_nothing(tmp_path):
    joined = {**GOOD, "carried_forward": GOOD["carried_over"]}
    joined["total_processed"] = [8, 1, 0, 0, 1, 0, 10]
    joined["unavailable_not_held"] = [3, 0, 0, 0, 1, 0, 4]
    reports = _build(tmp_path, {"a-2022.txt": _year(2022, joined), "a-2023.txt": _year(2023, joined)})
    codes = {f.code for f in reports["a-2023"].findings}
    assert "carry_over_mismatch" not in codes
    assert "balance_mismatch" not in codes


def test_documents_in_force_follow_from_last_year(tmp_path):
    # 20 in force, then 3 issued and 1 repealed: 22 expected, 20 printed
    reports = _build(tmp_path, {"a-2022.txt": _year(2022), "a-2023.txt": _year(2023)})
    finding = next(f for f in reports["a-2023"].findings if f.code == "in_force_mismatch")
    assert (finding.row, finding.column) == ("normative_documents", "in_force")
    assert "应为22件" in finding.message


def test_years_are_joined_across_a_longer_and_a_shorter_name(tmp_path):
    older = _year(2022).replace("某县人民政府", "某县人民政府", 1)
    newer = _year(2023).replace("某县人民政府", "某市某县人民政府", 1)
    reports = _build(tmp_path, {"a-2022.txt": older, "a-2023.txt": newer})
    assert reports["a-2023"].agency == "某市某县人民政府"
    assert any(f.code == "carry_over_mismatch" for f in reports["a-2023"].findings)


def test_agency_keys_join_only_names_that_start_with_a_region():
    keys = agency_keys(["洪泽区人民政府", "淮安市洪泽区人民政府", "信访局", "文峰区信访局", "淮安市人民政府"])
    assert keys["淮安市洪泽区人民政府"] == "洪泽区人民政府"
    assert keys["文峰区信访局"] == "文峰区信访局"  # not joined to a bare 信访局
    assert keys["淮安市人民政府"] == "淮安市人民政府"


def test_a_region_wide_count_below_its_departments_is_a_warning(tmp_path):
    region = _year(2022).replace("本年度收到申请10件。", "全县共受理政府信息公开申请5件。")
    department = _year(2022).replace("某县人民政府2022年", "某县公安局2022年")
    reports = _build(tmp_path, {"county.txt": region, "police.txt": department})
    finding = next(f for f in reports["county"].findings if f.code == "region_below_parts")
    assert finding.message == (
        "正文说全县共收到申请5件，但门户中某县下属机构的报告1份（某县公安局（10件））本年新收合计10件，多于全县的数字"
    )
    assert not any(f.code == "region_below_parts" for f in reports["police"].findings)


def test_a_region_count_that_covers_its_departments_raises_nothing(tmp_path):
    region = _year(2022).replace("本年度收到申请10件。", "全县共受理政府信息公开申请12件。")
    department = _year(2022).replace("某县人民政府2022年", "某县公安局2022年")
    reports = _build(tmp_path, {"county.txt": region, "police.txt": department})
    assert not any(f.code == "region_below_parts" for f in reports["county"].findings)


def test_a_regions_bodies_are_its_own_years_names_that_start_with_it(tmp_path):
    """Only the same year's bodies of the region add up: not another year's,
    nor another region's."""
    region = _year(2022).replace("本年度收到申请10件。", "全县共受理政府信息公开申请15件。")
    files = {
        "county.txt": region,
        "police.txt": _year(2022).replace("某县人民政府2022年", "某县公安局2022年"),
        "bureau.txt": _year(2022).replace("某县人民政府2022年", "某县信访局2022年"),
        "earlier.txt": _year(2021).replace("某县人民政府2021年", "某县财政局2021年"),
        "before.txt": _year(2022).replace("某县人民政府2022年", "某区公安局2022年"),
    }
    reports = _build(tmp_path, files)
    finding = next(f for f in reports["county"].findings if f.code == "region_below_parts")
    assert finding.message == (
        "正文说全县共收到申请15件，但门户中某县下属机构的报告2份（某县信访局（10件）、某县公安局（10件））"
        "本年新收合计20件，多于全县的数字"
    )
