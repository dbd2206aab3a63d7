"""Step 3b: checks across reports, once every report is parsed and checked.

One report cannot be checked against another on its own page, but the
portal holds many: the same agency's reports for consecutive years must join
up (this year's 上年结转 is last year's 结转下年度; the documents in force
follow from last year's plus those issued minus those repealed), and a
region's report that counts requests region-wide cannot count fewer than
the bodies under it report for themselves.  Each disagreement is a warning
on the later (or the region's) report, naming the cell and the other report.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict

from ..catalog import SUB_REGION, agency_keys
from ..model import Report
from ..template import TEMPLATES

# A region's own government or its office: "淮安市洪泽区人民政府", "新华区人民政府办公室".
_REGION_GOVERNMENT = re.compile(r"^(.+[省市区县旗州盟])人民政府(?:办公室|办公厅)?$")


def crosscheck(reports: list[Report]) -> None:
    check_years(reports)
    check_regions(reports)


def _by_agency_year(reports: list[Report]) -> dict[str, dict[int, Report]]:
    """Agency -> year -> report, leaving out years with two reports (which one is meant is unclear)."""
    groups: dict[str, dict[int, list[Report]]] = defaultdict(lambda: defaultdict(list))
    keys = agency_keys([r.agency for r in reports if r.agency])
    for report in reports:
        if report.agency and report.year:
            groups[keys[report.agency]][report.year].append(report)
    return {
        agency: {year: group[0] for year, group in years.items() if len(group) == 1}
        for agency, years in groups.items()
    }


def check_years(reports: list[Report]) -> None:
    for years in _by_agency_year(reports).values():
        for year, report in years.items():
            before = years.get(year - 1)
            if before is not None:
                _carry_over(before, report)
                _in_force(before, report)


def _carry_over(before: Report, report: Report) -> None:
    template = TEMPLATES[report.template]
    differ = []
    for column in template.applicants:
        now = report.value("requests", "carried_over", column.code)
        then = before.value("requests", "carried_forward", column.code)
        if now is not None and then is not None and now != then:
            differ.append(f"「{column.label}」本报告{now}件、上年报告{then}件")
    if differ:
        report.add(
            "warning",
            "carry_over_mismatch",
            f"表三「上年结转」与{before.year}年报告（{before.report_id}）的「结转下年度继续办理」不一致："
            + "；".join(differ),
            table="requests",
            row="carried_over",
        )


def _in_force(before: Report, report: Report) -> None:
    """现行有效 = last year's 现行有效 + 本年制发 - 本年废止 (2021 template, both years)."""
    if report.template != "2021" or before.template != "2021":
        return
    for item in ("regulations", "normative_documents"):
        then = before.value("proactive", item, "in_force")
        issued = report.value("proactive", item, "issued")
        repealed = report.value("proactive", item, "repealed")
        now = report.value("proactive", item, "in_force")
        if then is None or issued is None or repealed is None or now is None:
            continue
        if then + issued - repealed != now:
            label = next(i.label for i in TEMPLATES["2021"].proactive if i.code == item)
            report.add(
                "warning",
                "in_force_mismatch",
                f"表二「{label}」现行有效{now}件，但{before.year}年报告（{before.report_id}）现行有效{then}件"
                f"加本年制发{issued}件减本年废止{repealed}件应为{then + issued - repealed}件",
                table="proactive",
                row=item,
                column="in_force",
            )


def _is_department_of(agency: str, region: str) -> bool:
    """A body of the region itself: "文峰区信访局" of 文峰区, not the region's own government."""
    if not agency.startswith(region) or agency == region:
        return False
    rest = agency[len(region) :]
    return rest not in ("人民政府", "人民政府办公室", "人民政府办公厅") and not SUB_REGION.match(rest)


def check_regions(reports: list[Report]) -> None:
    # Each year's reports by agency name, in order: a region's bodies are the
    # names that start with it, found by bisection, not by a pass over every report.
    by_year: dict[int | None, list[tuple[str, int, Report]]] = defaultdict(list)
    for i, report in enumerate(reports):
        by_year[report.year].append((report.agency, i, report))
    for named in by_year.values():
        named.sort(key=lambda item: (item[0], item[1]))
    for region_report in reports:
        match = _REGION_GOVERNMENT.match(region_report.agency)
        claimed = region_report.region_wide_requests
        if not match or claimed is None:
            continue
        region = match.group(1)
        named = by_year[region_report.year]
        start = bisect.bisect_left(named, region, key=lambda item: item[0])
        end = bisect.bisect_left(named, region + "\U0010ffff", key=lambda item: item[0])
        parts = [
            r
            for _, _, r in sorted(named[start:end], key=lambda item: item[1])  # in the reports' order
            if r is not region_report
            and _is_department_of(r.agency, region)
            and r.value("requests", "new_received", "total") is not None
        ]
        if not parts:
            continue
        counted = sum(int(r.value("requests", "new_received", "total") or 0) for r in parts)
        names = "、".join(
            f"{r.agency}（{r.value('requests', 'new_received', 'total')}件）" for r in parts[:5]
        )
        more = f"等{len(parts)}份" if len(parts) > 5 else f"{len(parts)}份"
        if counted > claimed:
            region_report.add(
                "warning",
                "region_below_parts",
                f"正文说全{region[-1]}共收到申请{claimed}件，但门户中{region}下属机构的报告{more}"
                f"（{names}）本年新收合计{counted}件，多于全{region[-1]}的数字",
                table="requests",
                row="new_received",
                column="total",
            )


def flag_duplicates(reports: list[Report]) -> None:
    """Two reports of one agency and year are both published, but only one is
    counted in the portal's figures: the one with the fewest errors, then the
    one with the most front matter, then the first by path."""
    by_key: dict[tuple[str, int | None], list[Report]] = {}
    for report in reports:
        by_key.setdefault((report.agency, report.year), []).append(report)
    for (agency, year), group in by_key.items():
        if len(group) < 2 or not agency:
            continue
        counted = min(group, key=lambda r: (r.count("error"), -len(r.metadata_origin), r.source))
        for report in group:
            others = "、".join(r.source for r in group if r is not report)
            if report is not counted:
                report.duplicate_of = counted.report_id
            how = "计入全国数字" if report is counted else f"不计入全国数字（计入的是 {counted.source}）"
            report.add(
                "warning",
                "duplicate_report",
                f"{agency}{year}年有不止一份报告（另见 {others}），都已保留；本报告{how}",
                table="report",
            )
