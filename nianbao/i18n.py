"""English for every label the pages print, for researchers abroad.

Chinese stays the default.  A page prints its labels in Chinese, and the
English of every label is published once for the whole site
(``static/en.js``, see :mod:`nianbao.publish.phrases`); a switch in the header
shows one or the other (``static/site.js``; the choice is remembered, and
``?lang=en`` in a link opens a page in English).  The reports' own prose is not translated.

``EN`` maps a template code (row, column, item, measure, section, ...) to its
English label; the Chinese labels stay in :mod:`nianbao.template`.
"""

from __future__ import annotations

from markupsafe import Markup, escape

EN: dict[str, str] = {
    # table 三 rows
    "new_received": "1. New requests received this year",
    "carried_over": "2. Requests carried over from last year",
    "granted": "(1) Granted in full",
    "partially_granted": "(2) Granted in part",
    "denied_state_secret": "1. State secret",
    "denied_prohibited_by_law": "2. Prohibited by other laws and regulations",
    "denied_three_safeties": "3. Endangers the 'three safeties and one stability'",
    "denied_third_party_rights": "4. Protects third-party rights",
    "denied_internal_affairs": "5. Internal affairs information",
    "denied_process_information": "6. Process information",
    "denied_enforcement_file": "7. Law-enforcement case files",
    "denied_administrative_query": "8. Administrative query matters",
    "unavailable_not_held": "1. Not held by this body",
    "unavailable_needs_creation": "2. Would have to be newly created",
    "unavailable_unclear": "3. Still unclear after correction",
    "not_processed_complaint": "1. Petitions, reports and complaints",
    "not_processed_duplicate": "2. Repeated requests",
    "not_processed_publication": "3. Requests for publications",
    "not_processed_excessive": "4. Excessive repeated requests without good reason",
    "not_processed_confirmation": "5. Requests to confirm or re-issue information already obtained",
    "other_no_correction": "1. Applicant did not correct in time",
    "other_fee_unpaid": "2. Applicant did not pay the fee in time",
    "other_other": "3. Other",
    "other_processing": "(6) Otherwise handled",
    "total_processed": "(7) Total processed",
    "carried_forward": "4. Carried forward to next year",
    # groups of table 三
    "三、本年度办理结果": "3. Outcomes this year",
    "（三）不予公开": "(3) Refused",
    "（四）无法提供": "(4) Cannot be provided",
    "（五）不予处理": "(5) Not processed",
    "（六）其他处理": "(6) Otherwise handled",
    # applicants
    "natural_person": "Natural persons",
    "commercial": "Businesses",
    "research": "Research institutions",
    "social_welfare": "Public-interest organisations",
    "legal_service": "Legal service providers",
    "other_org": "Other",
    "total": "Total",
    "法人或其他组织": "Legal persons and other organisations",
    # table 四
    "reconsideration": "Administrative reconsideration",
    "litigation_direct": "Sued directly",
    "litigation_after_reconsideration": "Sued after reconsideration",
    "行政诉讼": "Administrative litigation",
    "upheld": "Upheld",
    "corrected": "Corrected",
    "other": "Other outcome",
    "pending": "Pending",
    # table 二
    "第二十条第（一）项": "Article 20, item (1)",
    "第二十条第（五）项": "Article 20, item (5)",
    "第二十条第（六）项": "Article 20, item (6)",
    "第二十条第（八）项": "Article 20, item (8)",
    "第二十条第（九）项": "Article 20, item (9)",
    "regulations": "Rules (规章)",
    "normative_documents": "Normative documents",
    "administrative_licensing": "Administrative licensing",
    "administrative_punishment": "Administrative penalties",
    "administrative_enforcement": "Administrative coercion",
    "administrative_fees": "Administrative fees",
    "other_management_services": "Other external management services",
    "centralized_procurement": "Centralised government procurement",
    "issued": "Issued this year",
    "repealed": "Repealed this year",
    "in_force": "In force",
    "decisions": "Decisions this year",
    "amount_10k_yuan": "Amount collected (10,000 yuan)",
    "produced": "Newly produced",
    "published": "Newly published",
    "published_total": "Published in total",
    "items_last_year": "Items last year",
    "items_change": "Change this year",
    "procurement_items": "Procurement projects",
    "procurement_amount": "Procurement amount",
    # severities
    "error": "Error",
    "warning": "Warning",
    "info": "Note",
}

# Severities of findings, in Chinese (their English is in EN).
SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}

# The report's sections (their code "other" is also an outcome's, so apart).
SECTIONS_EN = {
    "overview": "1. Overview",
    "proactive": "2. Proactive disclosure",
    "requests": "3. Requests received and processed",
    "reviews": "4. Administrative reconsideration and litigation",
    "problems": "5. Main problems and improvements",
    "other": "6. Other matters",
}

# The template's checks (codes of :data:`nianbao.check.CHECK_NAMES`).
CHECKS_EN = {
    "balance_mismatch": "items 1 + 2 equal items 3 + 4 (each column of table 3)",
    "outcome_sum_mismatch": "3(7) total equals the sum of the outcomes",
    "row_total_mismatch": "each row's total equals the sum of its applicant columns",
    "review_total_mismatch": "each total of table 4 equals its four outcomes",
}


# Every other finding and every reason a file was not read, in plain words
# (the quality page's headings; the codes stay in the data).
FINDINGS = {
    "agency_guessed": ("机构名称取自文件名或网页信息", "Agency taken from the file name or page header"),
    "bad_front_matter": ("front matter 有误", "Problem in the front matter"),
    "carry_over_mismatch": (
        "上年结转与上年报告的结转下年度不符",
        "Carried over differs from last year's carried forward",
    ),
    "check_failed": ("核对时出错", "A check failed to run"),
    "check_not_assessable": ("缺少数字，无法核对", "Cannot be checked: numbers missing"),
    "crosscheck_failed": ("跨报告核对出错", "Cross-report check failed to run"),
    "derived_value": ("按勾稽关系推算的数字", "Value derived from the arithmetic"),
    "ocr_unsure": ("图片识别不确定的数字", "A number the OCR could not read with certainty"),
    "ocr_doubted": (
        "图片识别的数字所在合计不成立，按空缺处理",
        "A number read by OCR in a sum that fails, published as null",
    ),
    "digits_run_together": ("数字连在一起", "Digits run together"),
    "duplicate_id": ("编号重复", "Duplicate id"),
    "duplicate_report": ("同一机构同一年度有多份报告", "More than one report for an agency and year"),
    "implausible_value": ("数字大得不合理", "Implausibly large number"),
    "in_force_mismatch": ("现行有效件数与上年不衔接", "Documents in force do not follow from last year"),
    "not_a_count": ("不是件数", "Not a count"),
    "not_a_number": ("不是数字", "Not a number"),
    "prose_mismatch": ("正文中的数字与表格不符", "The text's figures differ from the tables"),
    "region_below_parts": ("全区数字小于所属部门之和", "A region's figure below its departments' sum"),
    "row_blank": ("整行未填", "Row left blank"),
    "row_collapsed": ("几行印成了一行", "Rows printed as one"),
    "row_missing": ("缺少一行", "Row missing"),
    "row_overflow": ("一行的数字多于列数", "More numbers than columns"),
    "row_short": ("一行的数字少于列数", "Fewer numbers than cells"),
    "rows_by_order": ("按行的顺序对应", "Rows matched by their order"),
    "section_missing": ("缺少一节", "Section missing"),
    "short_row": ("一行的数字少于列数", "Fewer numbers than columns"),
    "table_empty": ("表格没有数字", "Table without numbers"),
    "table_missing": ("缺少表格", "Table missing"),
    "template_year_mismatch": ("模板与年度不符", "Template does not match the year"),
    "unknown_label": ("表中有模板以外的文字", "Text the template does not have"),
    "year_guessed": ("年度取自文件名或日期", "Year taken from the file name or dates"),
    # Files that were not read
    "unreadable": ("无法读取", "Unreadable"),
    "unsupported": ("不支持的文件类型", "Unsupported file type"),
    "too_large": ("文件过大", "File too large"),
    "not_a_report": ("不是年度报告", "Not an annual report"),
    "year_unknown": ("找不到年度", "No year found"),
    "parse_failed": ("解析时出错", "Reading failed"),
    "publish_failed": ("发布时出错", "Publishing failed"),
    "refused": ("拒绝读取（链接、管道、隐藏文件等）", "Refused (link, pipe, hidden file…)"),
    "killed": ("处理时进程被终止", "Its process was killed"),
}


# Chinese label -> English, published once per site (static/en.js) and filled in
# by nianbao.publish.phrases before pages are rendered.
PHRASES: dict[str, str] = {}


def both(zh: str, en: str) -> Markup:
    """A label in both languages; the reader's choice is shown.

    A label whose English is in the site's dictionary (:data:`PHRASES`) is
    printed in Chinese only, and the language switch looks it up; any other
    carries both languages and the stylesheet hides one."""
    if PHRASES.get(zh) == en:
        return Markup('<span lang="zh">{}</span>').format(escape(zh))
    return Markup('<span class="zh">{}</span><span class="en" lang="en">{}</span>').format(
        escape(zh), escape(en)
    )


def label(code: str, zh: str) -> Markup:
    """The Chinese label of a template code, with its English when there is one."""
    return both(zh, EN[code]) if code in EN else Markup(escape(zh))
