"""The national report template, as data.

Everything the parser, the checks, the schemas and the pages need to know about
the template lives here, once: the rows and columns of each table, their codes
(the data contract), their official Chinese labels, the patterns that find a
row's label in broken text, and the arithmetic (勾稽关系) that ties the cells
together.

Patterns are regular expressions matched against *normalised* text: NFKC (so
full-width brackets and digits become ASCII), with every bit of white space
removed, and with numbers that stand alone (cell values) left out.  They are
deliberately short: real reports cut, misspell and re-punctuate the labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Row:
    """One row of table 三 (申请的收到和处理)."""

    code: str
    label: str  # the official label, as the contract and the pages show it
    number: str  # the template's numbering, e.g. "三（三）1"
    patterns: tuple[str, ...]
    group: str = ""  # the merged group label the row sits under, if any
    outcome: bool = False  # counted in 三（七）总计
    replaces: tuple[str, ...] = ()  # for a row some reports print instead of several

    def numbered(self, label: str = "") -> str:
        """The row named by its numbering and ``label`` (its own by default),
        the part they share said once: 三（三）1.属于国家秘密, not 三（三）1 1.属于国家秘密."""
        label = label or self.label
        for k in range(len(self.number), 0, -1):
            if label.startswith(self.number[-k:]):
                return self.number[:-k] + label
        return f"{self.number} {label}"


@dataclass(frozen=True)
class Column:
    code: str
    label: str
    group: str = ""


@dataclass(frozen=True)
class ProactiveItem:
    """One item of table 二 (主动公开): a label and the measures it reports."""

    code: str
    label: str
    article: str  # 第二十条第（几）项
    measures: tuple[str, ...]
    patterns: tuple[str, ...]


@dataclass(frozen=True)
class Equation:
    """``sum(left) == sum(right)`` over cells named (table, row, column)."""

    table: str  # "requests" or "reviews"
    kind: str  # finding code when it fails
    left: tuple[tuple[str, str], ...]
    right: tuple[tuple[str, str], ...]
    where: str  # the row or column it concerns, for messages


@dataclass(frozen=True)
class Template:
    version: str
    title: str
    rows: tuple[Row, ...]
    applicants: tuple[Column, ...]
    proceedings: tuple[Column, ...]
    outcomes: tuple[Column, ...]
    proactive: tuple[ProactiveItem, ...]
    measures: dict[str, str]
    equations: tuple[Equation, ...] = field(default=())
    variants: tuple[Row, ...] = field(default=())  # rows printed in place of others
    # Words in table 二's headings that only this template prints: how a
    # report shows which template it follows.
    markers: tuple[str, ...] = field(default=())
    years: tuple[int, int] = (0, 9999)  # report years the template was prescribed for
    title_en: str = ""

    def row(self, code: str) -> Row:
        return next(r for r in (*self.rows, *self.variants) if r.code == code)

    def cell_name(self, table: str, row: str, column: str) -> str:
        """A cell as a clerk names it: 表三「（一）予以公开」行「自然人」列."""
        if table == "requests":
            columns = {c.code: c.label for c in self.applicants}
            return f"表三「{self.row(row).label}」行「{columns.get(column, column)}」列"
        if table == "reviews":
            proceedings = {p.code: p.label for p in self.proceedings}
            outcomes = {o.code: o.label for o in self.outcomes}
            return f"表四「{proceedings.get(row, row)}」的「{outcomes.get(column, column)}」"
        items = {i.code: i.label for i in self.proactive}
        return f"表二「{items.get(row, row)}」的「{self.measures.get(column, column)}」"

    def rows_for(self, row_codes: set[str]) -> tuple[Row, ...]:
        """The rows a report has: where it prints （六）其他处理 as one row
        instead of its three items, that row takes their place."""
        collapsed = [v for v in self.variants if v.code in row_codes]
        if not collapsed:
            return self.rows
        replaced = {code for v in collapsed for code in v.replaces}
        at = next(i for i, r in enumerate(self.rows) if r.code in replaced)
        rest = [r for r in self.rows if r.code not in replaced]
        return (*rest[:at], *collapsed, *rest[at:])

    def equations_for(self, row_codes: set[str]) -> tuple[Equation, ...]:
        rows = self.rows_for(row_codes)
        return self.equations if rows == self.rows else _equations(rows, self.applicants)

    @property
    def row_codes(self) -> list[str]:
        return [r.code for r in self.rows]

    @property
    def applicant_codes(self) -> list[str]:
        return [c.code for c in self.applicants]

    @property
    def review_cells(self) -> list[tuple[str, str]]:
        """The 15 cells of table 四 in the order they are printed."""
        return [(p.code, o.code) for p in self.proceedings for o in self.outcomes]

    @property
    def proactive_cells(self) -> list[tuple[str, str]]:
        return [(item.code, m) for item in self.proactive for m in item.measures]


APPLICANTS = (
    Column("natural_person", "自然人"),
    Column("commercial", "商业企业", "法人或其他组织"),
    Column("research", "科研机构", "法人或其他组织"),
    Column("social_welfare", "社会公益组织", "法人或其他组织"),
    Column("legal_service", "法律服务机构", "法人或其他组织"),
    Column("other_org", "其他", "法人或其他组织"),
    Column("total", "总计"),
)

PROCEEDINGS = (
    Column("reconsideration", "行政复议"),
    Column("litigation_direct", "未经复议直接起诉", "行政诉讼"),
    Column("litigation_after_reconsideration", "复议后起诉", "行政诉讼"),
)

OUTCOMES = (
    Column("upheld", "结果维持"),
    Column("corrected", "结果纠正"),
    Column("other", "其他结果"),
    Column("pending", "尚未审结"),
    Column("total", "总计"),
)

_RESULT = "三、本年度办理结果"

ROWS_2021 = (
    Row("new_received", "一、本年新收政府信息公开申请数量", "一", ("本年新收",)),
    Row("carried_over", "二、上年结转政府信息公开申请数量", "二", ("上年结转",)),
    Row("granted", "（一）予以公开", "三（一）", ("予以公开",), _RESULT, True),
    Row(
        "partially_granted",
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        "三（二）",
        ("部分公开",),
        _RESULT,
        True,
    ),
    Row("denied_state_secret", "1.属于国家秘密", "三（三）1", ("国家秘密",), "（三）不予公开", True),
    Row(
        "denied_prohibited_by_law",
        "2.其他法律行政法规禁止公开",
        "三（三）2",
        ("其他法律", "法规禁止公开"),
        "（三）不予公开",
        True,
    ),
    Row(
        "denied_three_safeties",
        "3.危及“三安全一稳定”",
        "三（三）3",
        ("三安全一稳定", "危及"),
        "（三）不予公开",
        True,
    ),
    Row(
        "denied_third_party_rights",
        "4.保护第三方合法权益",
        "三（三）4",
        ("第三方合法权益", "保护第三方"),
        "（三）不予公开",
        True,
    ),
    Row(
        "denied_internal_affairs",
        "5.属于三类内部事务信息",
        "三（三）5",
        ("三类内部事务", "内部事务"),
        "（三）不予公开",
        True,
    ),
    Row(
        "denied_process_information",
        "6.属于四类过程性信息",
        "三（三）6",
        ("四类过程性", "过程性信息"),
        "（三）不予公开",
        True,
    ),
    Row(
        "denied_enforcement_file",
        "7.属于行政执法案卷",
        "三（三）7",
        ("行政执法案卷", "执法案卷"),
        "（三）不予公开",
        True,
    ),
    Row(
        "denied_administrative_query",
        "8.属于行政查询事项",
        "三（三）8",
        ("行政查询",),
        "（三）不予公开",
        True,
    ),
    Row(
        "unavailable_not_held",
        "1.本机关不掌握相关政府信息",
        "三（四）1",
        ("不掌握",),
        "（四）无法提供",
        True,
    ),
    Row(
        "unavailable_needs_creation",
        "2.没有现成信息需要另行制作",
        "三（四）2",
        ("另行制作", "没有现成"),
        "（四）无法提供",
        True,
    ),
    Row(
        "unavailable_unclear",
        "3.补正后申请内容仍不明确",
        "三（四）3",
        ("仍不明确", "补正后申请"),
        "（四）无法提供",
        True,
    ),
    Row(
        "not_processed_complaint",
        "1.信访举报投诉类申请",
        "三（五）1",
        ("信访举报", "举报投诉"),
        "（五）不予处理",
        True,
    ),
    Row("not_processed_duplicate", "2.重复申请", "三（五）2", ("重复申请",), "（五）不予处理", True),
    Row(
        "not_processed_publication",
        "3.要求提供公开出版物",
        "三（五）3",
        ("公开出版物", "出版物"),
        "（五）不予处理",
        True,
    ),
    Row(
        "not_processed_excessive",
        "4.无正当理由大量反复申请",
        "三（五）4",
        ("大量反复",),
        "（五）不予处理",
        True,
    ),
    Row(
        "not_processed_confirmation",
        "5.要求行政机关确认或重新出具已获取信息",
        "三（五）5",
        ("重新出具", "确认或重新"),
        "（五）不予处理",
        True,
    ),
    Row(
        "other_no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "三（六）1",
        ("逾期不补正",),
        "（六）其他处理",
        True,
    ),
    Row(
        "other_fee_unpaid",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "三（六）2",
        ("收费通知", "缴纳费用"),
        "（六）其他处理",
        True,
    ),
    # "3.其他" is too short to find on its own: insist on its number.
    Row("other_other", "3.其他", "三（六）3", (r"3[.、]其他",), "（六）其他处理", True),
    Row("total_processed", "（七）总计", "三（七）", ("总计",), _RESULT),
    Row("carried_forward", "四、结转下年度继续办理", "四", ("结转下年",)),
)

PROACTIVE_2021 = (
    ProactiveItem("regulations", "规章", "第二十条第（一）项", ("issued", "repealed", "in_force"), ("规章",)),
    ProactiveItem(
        "normative_documents",
        "行政规范性文件",
        "第二十条第（一）项",
        ("issued", "repealed", "in_force"),
        ("规范性文件",),
    ),
    ProactiveItem(
        "administrative_licensing", "行政许可", "第二十条第（五）项", ("decisions",), ("行政许可",)
    ),
    ProactiveItem(
        "administrative_punishment", "行政处罚", "第二十条第（六）项", ("decisions",), ("行政处罚",)
    ),
    ProactiveItem(
        "administrative_enforcement", "行政强制", "第二十条第（六）项", ("decisions",), ("行政强制",)
    ),
    ProactiveItem(
        "administrative_fees",
        "行政事业性收费",
        "第二十条第（八）项",
        ("amount_10k_yuan",),
        ("事业性收费",),
    ),
)

MEASURES_2021 = {
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions": "本年处理决定数量",
    "amount_10k_yuan": "本年收费金额（万元）",
}


def _equations(rows: tuple[Row, ...], applicants: tuple[Column, ...]) -> tuple[Equation, ...]:
    """The template's own arithmetic (勾稽关系), as equations over cells."""
    codes = [c.code for c in applicants]
    parts = [c for c in codes if c != "total"]
    outcome_rows = [r.code for r in rows if r.outcome]
    eqs: list[Equation] = []
    for col in codes:
        eqs.append(
            Equation(
                "requests",
                "balance_mismatch",
                (("new_received", col), ("carried_over", col)),
                (("total_processed", col), ("carried_forward", col)),
                col,
            )
        )
        eqs.append(
            Equation(
                "requests",
                "outcome_sum_mismatch",
                (("total_processed", col),),
                tuple((r, col) for r in outcome_rows),
                col,
            )
        )
    for row in rows:
        eqs.append(
            Equation(
                "requests",
                "row_total_mismatch",
                ((row.code, "total"),),
                tuple((row.code, p) for p in parts),
                row.code,
            )
        )
    for proc in PROCEEDINGS:
        eqs.append(
            Equation(
                "reviews",
                "review_total_mismatch",
                ((proc.code, "total"),),
                tuple((proc.code, o.code) for o in OUTCOMES if o.code != "total"),
                proc.code,
            )
        )
    return tuple(eqs)


# Some 2021-format reports print （六）其他处理 as one row without its three
# items; the contract's code for that row is the 2019 format's.
OTHER_PROCESSING = Row(
    "other_processing",
    "（六）其他处理",
    "三（六）",
    ("其他处理",),
    _RESULT,
    True,
    ("other_no_correction", "other_fee_unpaid", "other_other"),
)

TEMPLATE_2021 = Template(
    version="2021",
    title="2021年起使用的年度报告格式",
    title_en="The format used from the 2021 reports on",
    rows=ROWS_2021,
    applicants=APPLICANTS,
    proceedings=PROCEEDINGS,
    outcomes=OUTCOMES,
    proactive=PROACTIVE_2021,
    measures=MEASURES_2021,
    equations=_equations(ROWS_2021, APPLICANTS),
    variants=(OTHER_PROCESSING,),
    markers=("本年制发件数", "现行有效件数", "本年废止件数", "本年收费金额"),
    years=(2021, 9999),
)

# --- the 2019-2020 template ----------------------------------------------------
# Table 三 prints （六）其他处理 as one row; table 四 is the same as 2021's;
# table 二 counts documents made and published, and items of licensing,
# punishment, enforcement and fees (last year's count and this year's change).


def _rows_2019() -> tuple[Row, ...]:
    """2021's rows with （六）'s three items printed as the one row they add up to."""
    native = replace(OTHER_PROCESSING, replaces=())
    rows: list[Row] = []
    for row in ROWS_2021:
        if row.code == OTHER_PROCESSING.replaces[0]:
            rows.append(native)
        elif row.code not in OTHER_PROCESSING.replaces:
            rows.append(row)
    return tuple(rows)


ROWS_2019 = _rows_2019()

PROACTIVE_2019 = (
    ProactiveItem(
        "regulations", "规章", "第二十条第（一）项", ("produced", "published", "published_total"), ("规章",)
    ),
    ProactiveItem(
        "normative_documents",
        "规范性文件",
        "第二十条第（一）项",
        ("produced", "published", "published_total"),
        ("规范性文件",),
    ),
    ProactiveItem(
        "administrative_licensing",
        "行政许可",
        "第二十条第（五）项",
        ("items_last_year", "items_change", "decisions"),
        ("行政许可",),
    ),
    ProactiveItem(
        "other_management_services",
        "其他对外管理服务事项",
        "第二十条第（五）项",
        ("items_last_year", "items_change", "decisions"),
        ("对外管理服务",),
    ),
    ProactiveItem(
        "administrative_punishment",
        "行政处罚",
        "第二十条第（六）项",
        ("items_last_year", "items_change", "decisions"),
        ("行政处罚",),
    ),
    ProactiveItem(
        "administrative_enforcement",
        "行政强制",
        "第二十条第（六）项",
        ("items_last_year", "items_change", "decisions"),
        ("行政强制",),
    ),
    ProactiveItem(
        "administrative_fees",
        "行政事业性收费",
        "第二十条第（八）项",
        ("items_last_year", "items_change"),
        ("事业性收费",),
    ),
    ProactiveItem(
        "centralized_procurement",
        "政府集中采购",
        "第二十条第（九）项",
        ("procurement_items", "procurement_amount"),
        ("集中采购",),
    ),
)

MEASURES_2019 = {
    "produced": "本年新制作数量",
    "published": "本年新公开数量",
    "published_total": "对外公开总数量",
    "items_last_year": "上一年项目数量",
    "items_change": "本年增/减",
    "decisions": "处理决定数量",
    "procurement_items": "采购项目数量",
    "procurement_amount": "采购总金额",
}

# Measures that are not plain counts: a change may be negative, an amount
# may have decimals.  Every other measure is a count (a whole number >= 0).
SIGNED_MEASURES = frozenset({"items_change"})
AMOUNT_MEASURES = frozenset({"amount_10k_yuan", "procurement_amount"})

TEMPLATE_2019 = Template(
    version="2019",
    title="2019—2020年度报告使用的格式",
    title_en="The format of the 2019 and 2020 reports",
    rows=ROWS_2019,
    applicants=APPLICANTS,
    proceedings=PROCEEDINGS,
    outcomes=OUTCOMES,
    proactive=PROACTIVE_2019,
    measures=MEASURES_2019,
    equations=_equations(ROWS_2019, APPLICANTS),
    markers=(
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
        "上一年项目数量",
        "采购总金额",
        "采购项目数量",
    ),
    years=(2019, 2020),
)

TEMPLATES = {t.version: t for t in (TEMPLATE_2021, TEMPLATE_2019)}


SECTIONS = {
    "overview": "一、总体情况",
    "proactive": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "reviews": "四、政府信息公开行政复议、行政诉讼情况",
    "problems": "五、存在的主要问题及改进情况",
    "other": "六、其他需要报告的事项",
}

# Patterns that find each section's heading in normalised text.
# The numeral each section's heading carries in the template (一、总体情况 …).
SECTION_NUMERALS = {
    "overview": "一",
    "proactive": "二",
    "requests": "三",
    "reviews": "四",
    "problems": "五",
    "other": "六",
}

SECTION_PATTERNS = {
    "overview": r"总体情况",
    "proactive": r"主动公开政府信息情况",
    "requests": r"收到和处理政府信息公开申请",
    # "行政复议、行政诉讼情况", "行政复议与行政诉讼情况", "行政复议和提起行政诉讼的情况" (and a typo seen in a real report: "行政法复议")
    "reviews": r"行政法?复议[、,和与及]?(?:提起)?行政诉讼(?:的)?情况",
    "problems": r"存在的主要问题",
    "other": r"其他需要报告的事项",
}


def request_layout(rows: tuple[Row, ...]) -> list[list[dict]]:
    """The label cells of table 三, with the template's merged cells.

    Returns, for each row, the header cells to print before its numbers:
    ``{"text", "rowspan", "colspan"}``.  Three label columns: the part
    (一、…四、), the group (（一）…（七）) and the item (1.…8.).
    """
    layout: list[list[dict]] = []
    for i, row in enumerate(rows):
        cells: list[dict] = []
        in_result = bool(row.group)
        sub = row.group and row.group != rows[2].group
        if in_result and (i == 0 or rows[i - 1].group == ""):
            span = sum(1 for r in rows if r.group)
            cells.append({"text": rows[2].group, "rowspan": span, "colspan": 1})
        if sub:
            if rows[i - 1].group != row.group:
                span = sum(1 for r in rows if r.group == row.group)
                cells.append({"text": row.group, "rowspan": span, "colspan": 1})
            cells.append({"text": row.label, "rowspan": 1, "colspan": 1, "row": True})
        elif in_result:
            cells.append({"text": row.label, "rowspan": 1, "colspan": 2, "row": True})
        else:
            cells.append({"text": row.label, "rowspan": 1, "colspan": 3, "row": True})
        layout.append(cells)
    return layout
