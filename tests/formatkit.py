"""Make HTML and Word versions of a report from its expected values.

The fixtures for the HTML and DOCX readers: the report's tables laid out
the way government websites and Word templates lay them out (merged label
cells, multi-row headers, numbers wrapped in ``<p><span>``, ``&nbsp;`` in
empty cells), its title and a paragraph of prose.  Reading one back must
give the expected values again.
"""

from __future__ import annotations

import html
import io

from nianbao.publish.render import request_layout
from nianbao.template import TEMPLATES
from tools.score import PROACTIVE_KEYS

OTHER_ITEMS = ("other_no_correction", "other_fee_unpaid", "other_other")

# A cell: (text, rowspan, colspan).
Cell = tuple[str, int, int]


def _first(value: object) -> object:
    return value[0] if isinstance(value, list) else value


def _show(value: object) -> str:
    value = _first(value)
    return "" if value is None else str(value)


def request_rows(exp: dict) -> list[list[Cell]]:
    """Table 三 with its two header rows and merged label cells.

    A report whose （六） items are all null printed （六）其他处理 as one row:
    it is made that way again, its values being 总计 minus the other rows.
    """
    T = TEMPLATES[exp["template"]]
    values = {row.code: [_first(v) for v in exp["table3"][i]] for i, row in enumerate(T.rows)}
    collapsed = all(v is None for code in OTHER_ITEMS for v in values.get(code, [0]))
    rows: list[list[Cell]] = [
        [
            ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 2, 3),
            ("申请人情况", 1, 7),
        ],
        [(c.label, 1, 1) for c in T.applicants],
    ]
    layout = request_layout(T.rows)
    for i, row in enumerate(T.rows):
        labels = [(h["text"], h["rowspan"], h["colspan"]) for h in layout[i]]
        if collapsed and row.code in OTHER_ITEMS:
            if row.code != OTHER_ITEMS[0]:
                continue
            labels = [
                (text, span, colspan) for text, span, colspan in labels if span > 1 and "六" not in text
            ]
            labels.append(("（六）其他处理", 1, 2))
            numbers = [
                str(values["total_processed"][j] - sum(values[r.code][j] for r in T.rows[2:20]))
                for j in range(len(T.applicants))
            ]
        else:
            numbers = [_show(v) for v in values[row.code]]
        rows.append(labels + [(n, 1, 1) for n in numbers])
    if collapsed:  # the result column now spans three rows fewer
        for cells in rows:
            cells[:] = [(t, s - 2, c) if t == T.rows[2].group else (t, s, c) for t, s, c in cells]
    return rows


def review_rows(exp: dict) -> list[list[Cell]]:
    T = TEMPLATES[exp["template"]]
    outcomes = [(c.label, 1, 1) for c in T.outcomes]
    return [
        [("行政复议", 1, 5), ("行政诉讼", 1, 10)],
        [("", 1, 5), ("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
        outcomes * 3,
        [(_show(v), 1, 1) for v in exp["table4"]],
    ]


def proactive_rows(exp: dict) -> list[list[Cell]]:
    T = TEMPLATES[exp["template"]]
    table = exp.get("table2") or {}
    short = {code: key for key, code in PROACTIVE_KEYS.items() if key in table}
    rows: list[list[Cell]] = []
    for item in T.proactive:
        want = table.get(short.get(item.code, item.code))
        wants = want if isinstance(want, list) else [want]
        rows.append([("信息内容", 1, 1), *[(T.measures[m], 1, 1) for m in item.measures]])
        rows.append([(item.label, 1, 1), *[(_show(w), 1, 1) for w in wants]])
    return rows


def _html_table(rows: list[list[Cell]]) -> str:
    out = ['<table border="1" cellspacing="0" style="width:100%">']
    for cells in rows:
        out.append("<tr>")
        for text, rowspan, colspan in cells:
            span = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (
                f' colspan="{colspan}"' if colspan > 1 else ""
            )
            body = f"<p><span>{html.escape(text)}</span></p>" if text else "<p>&nbsp;</p>"
            out.append(f'<td{span} valign="middle">{body}</td>')
        out.append("</tr>")
    out.append("</table>")
    return "\n".join(out)


def report_html(exp: dict, prose: str = "本机关认真贯彻落实《条例》。") -> str:
    title = f"{exp['agency']}{exp['year']}年政府信息公开工作年度报告"
    return "\n".join(
        [
            '<!DOCTYPE html><html><head><meta charset="utf-8">',
            f"<title>{html.escape(title)}</title><script>var x = '<table>';</script></head><body>",
            '<div class="header"><a href="/">首页</a> &gt; 政府信息公开年报</div>',
            f'<div class="content"><h1>{html.escape(title)}</h1>',
            f"<p>一、总体情况</p><p><span>{html.escape(prose)}</span></p>",
            "<p>二、主动公开政府信息情况</p>",
            _html_table(proactive_rows(exp)),
            "<p>三、收到和处理政府信息公开申请情况</p>",
            _html_table(request_rows(exp)),
            "<p>四、政府信息公开行政复议、行政诉讼情况</p>",
            _html_table(review_rows(exp)),
            "<p>五、存在的主要问题及改进情况</p><p>仍需加强。</p>",
            "<p>六、其他需要报告的事项</p><p>无。</p></div></body></html>",
        ]
    )


def report_docx(exp: dict, prose: str = "本机关认真贯彻落实《条例》。", ruled: bool = True) -> bytes:
    """The report as a Word file; ``ruled=False`` leaves its tables without borders."""
    import docx

    document = docx.Document()
    document.add_heading(f"{exp['agency']}{exp['year']}年政府信息公开工作年度报告", level=1)
    for heading, table in (
        ("一、总体情况", None),
        ("二、主动公开政府信息情况", proactive_rows(exp)),
        ("三、收到和处理政府信息公开申请情况", request_rows(exp)),
        ("四、政府信息公开行政复议、行政诉讼情况", review_rows(exp)),
        ("五、存在的主要问题及改进情况", None),
        ("六、其他需要报告的事项", None),
    ):
        document.add_paragraph(heading)
        if table is None:
            document.add_paragraph(prose)
        else:
            _docx_table(document, table, ruled)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_table(document, rows: list[list[Cell]], ruled: bool = True) -> None:
    """Lay out merged cells on a grid, then merge them in Word."""
    width = max(sum(c for _, _, c in cells) for cells in rows)
    table = document.add_table(rows=len(rows), cols=width)
    if ruled:
        table.style = "Table Grid"  # ruled, as in the official Word template
    taken: set[tuple[int, int]] = set()
    for r, cells in enumerate(rows):
        col = 0
        for text, rowspan, colspan in cells:
            while (r, col) in taken:
                col += 1
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken.add((r + dr, col + dc))
            cell = table.cell(r, col)
            if rowspan > 1 or colspan > 1:
                cell = cell.merge(table.cell(r + rowspan - 1, col + colspan - 1))
            cell.text = text
            col += colspan


def report_crawler_text(exp: dict, spaced: bool = False, separator: str = " ") -> str:
    """The report as a site crawler saves a web page's text: a header (标题,
    发布时间, 原文链接 …), the page's breadcrumb and share buttons, then the
    page's text on one line with every table cell run into the next.

    ``spaced`` separates a row's inner numbers by ``separator`` (a space,
    U+3000, a no-break space) but still glues its first and last number to
    the labels beside them, as some pages do.
    """
    title = f"{exp['agency']}{exp['year']}年政府信息公开工作年度报告"

    def flat(rows: list[list[Cell]]) -> str:
        out = []
        for cells in rows:
            texts = [text for text, _, _ in cells]
            numbers = [t for t in texts if t.isdigit()]
            if spaced and len(numbers) > 2:
                labels = "".join(t for t in texts if not t.isdigit())
                out.append(labels + separator.join(numbers))
            else:
                out.append("".join(texts))
        return "".join(out)

    body = "".join(
        [
            f"当前位置： 首页政务公开政府信息公开年报 {title} 来源： 时间：{exp['year'] + 1}-01-20 09:30 --> ",
            "微信 微博 QQ空间 全真版 文字版 文件下载 相关链接： ",
            "一、总体情况本机关认真贯彻落实《条例》，全年主动公开政府信息120条。",
            "二、主动公开政府信息情况",
            flat(proactive_rows(exp)),
            "三、收到和处理政府信息公开申请情况",
            flat(request_rows(exp)),
            "四、政府信息公开行政复议、行政诉讼情况",
            flat(review_rows(exp)),
            "五、存在的主要问题及改进情况仍需加强。六、其他需要报告的事项无。 附件下载",
        ]
    )
    header = [
        f"标题: {title}",
        f"发布时间: {exp['year'] + 1}-01-20 09:30",
        "文号: ",
        "发布机构: ",
        "栏目: 政府信息公开年报",
        f"原文链接: https://www.example.gov.cn/zfxxgk/{exp['year'] + 1}01/t{exp['year'] + 1}0120_1.htm",
        "==================== 正文 ====================",
    ]
    return "\n".join([*header, body]) + "\n"


# --- Word files written by hand, for the reader's quirks ------------------------------------------

WORD_NAMESPACE = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_from_xml(document_xml: bytes) -> bytes:
    """A .docx holding only ``word/document.xml`` (and its content types)."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        z.writestr("word/document.xml", document_xml)
    return buffer.getvalue()


def docx_from_body(body: str) -> bytes:
    """A .docx whose body is ``body`` (WordprocessingML with the ``w:`` prefix)."""
    return docx_from_xml(
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{WORD_NAMESPACE}"><w:body>{body}</w:body></w:document>'.encode()
    )
