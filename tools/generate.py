"""A corpus generator for benchmarks and tests: realistic reports, made up.

``python -m tools.generate OUT -n 1000 --seed 1`` writes N reports for
distinct agencies, regions and years (2019-2024, so both templates: the
2019-2020 one with its own table 二 and one row for 三（六）), with tables that
satisfy the template arithmetic, and a known share deliberately broken (a
total that does not add up, or a file that is not a report).  The same seed
always gives the same files, byte for byte.

The formats come in a fixed mix, as agencies publish them (:data:`MIX`):
30 % PDF (ruled tables, labels wrapped in narrow cells, an embedded Chinese
font as in the official PDFs: see :data:`CJK_FONT`), 30 % web pages, 10 % Word, 30 % text (PDF text
with wrapped lines, tab-separated, Markdown).
"""

from __future__ import annotations

import argparse
import html
import random
from dataclasses import dataclass
from pathlib import Path

from nianbao.template import TEMPLATES, Template, request_layout

SYLLABLES = "安宁平和兴华新丰长乐清泉东西南北阳山河湖林石桥云城宝龙凤金玉永福泰"
DEPARTMENTS = [
    "人民政府", "人民政府办公室", "发展和改革局", "教育局", "公安局", "民政局", "司法局", "财政局",
    "人力资源和社会保障局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局", "水利局",
    "农业农村局", "商务局", "文化广电和旅游局", "卫生健康委员会", "应急管理局", "审计局",
    "市场监督管理局", "统计局", "医疗保障局", "信访局",
]  # fmt: skip
LAYOUTS = ("text", "tsv", "markdown", "html", "pdf", "docx")
SUFFIX = {"text": ".txt", "tsv": ".tsv", "markdown": ".md", "html": ".html", "pdf": ".pdf", "docx": ".docx"}
# Ten reports in a row: 3 PDF, 3 HTML, 1 Word, 3 text.
MIX = ("pdf", "html", "text", "pdf", "html", "docx", "pdf", "html", "tsv", "markdown")
YEARS = (2019, 2020, 2021, 2022, 2023, 2024)


@dataclass
class Generated:
    path: Path
    agency: str
    year: int
    layout: str
    template: str  # "2019" or "2021"
    broken: str  # "" for a sound report, else what was broken
    rows: dict[str, list[int]]  # table 三 as printed
    reviews: list[int]  # table 四 as printed
    proactive: list[tuple[str, list[int]]]  # table 二's first two items as printed

    def markdown(self) -> str:
        """The same report as Markdown (what a plain static-site generator is given)."""
        T = TEMPLATES[self.template]
        return str(
            render(
                "markdown",
                self.agency,
                self.year,
                self.rows,
                self.reviews,
                self.proactive,
                random.Random(0),
                T,
            )
        )


def _region(i: int) -> str:
    """A distinct made-up county name for every index."""
    n = len(SYLLABLES)
    return f"{SYLLABLES[i % n]}{SYLLABLES[(i // n) % n]}{'区县市'[(i // n // n) % 3]}"


def tables(
    rng: random.Random, carried_over: list[int] | None = None, T: Template = TEMPLATES["2021"]
) -> tuple[dict[str, list[int]], list[int]]:
    """A consistent table 三 (rows x 7 columns) and table 四 (15 cells) of template
    ``T``; ``carried_over`` is last year's 结转下年度 (so consecutive years join up)."""
    outcome_rows = [r.code for r in T.rows if r.outcome]
    parts = len(T.applicants) - 1
    rows: dict[str, list[int]] = {r.code: [0] * parts for r in T.rows}
    for col in range(parts):
        scale = 40 if col == 0 else 3
        new = rng.randint(0, scale)
        carried = carried_over[col] if carried_over else rng.randint(0, max(1, new // 10))
        forward = rng.randint(0, min(new + carried, max(1, new // 10)))
        processed = new + carried - forward
        rows["new_received"][col], rows["carried_over"][col] = new, carried
        rows["carried_forward"][col], rows["total_processed"][col] = forward, processed
        for _ in range(processed):
            weights = [
                30 if c == "granted" else 8 if c == "unavailable_not_held" else 1 for c in outcome_rows
            ]
            rows[rng.choices(outcome_rows, weights)[0]][col] += 1
    full = {code: [*values, sum(values)] for code, values in rows.items()}
    reviews: list[int] = []
    for _ in T.proceedings:
        outcomes = [rng.choice([0, 0, 0, 1, 2]) for _ in range(4)]
        reviews += [*outcomes, sum(outcomes)]
    return full, reviews


def _prose(agency: str, year: int, received: int) -> dict[str, str]:
    return {
        "overview": f"{year}年，{agency}认真贯彻落实《中华人民共和国政府信息公开条例》，全年共收到政府信息公开申请{received}件，均在法定期限内答复。",
        "problems": "依申请公开答复的规范性有待提高，下一步将加强培训。",
        "other": "本年度未收取信息处理费。",
    }


def _text_rows(rows: dict[str, list[int]], rng: random.Random, T: Template) -> list[str]:
    out = []
    for row in T.rows:
        numbers = "   ".join(map(str, rows[row.code]))
        label = row.label
        if len(label) > 14 and rng.random() < 0.5:  # wrapped, numbers between the halves
            cut = rng.randint(6, len(label) - 4)
            out += [f"    {label[:cut]}", f"                          {numbers}", f"    {label[cut:]}"]
        else:
            out.append(f"    {label}      {numbers}")
    return out


def proactive_rows(rng: random.Random, in_force: list[int], T: Template) -> list[tuple[str, list[int]]]:
    """Table 二's first two items (规章 and 行政规范性文件, or 规范性文件 in the
    2019 template): issued, repealed, in force following last year's; in
    2019-2020: made, published, published in all."""
    out = []
    for item, before in zip(T.proactive[:2], in_force, strict=True):
        issued, repealed = rng.randint(0, 6), rng.randint(0, min(2, before))
        out.append((item.label, [issued, repealed, before + issued - repealed]))
    return out


def render(
    layout: str,
    agency: str,
    year: int,
    rows: dict,
    reviews: list[int],
    proactive: list,
    rng: random.Random,
    T: Template = TEMPLATES["2021"],
) -> str | bytes:
    title = f"{agency}{year}年政府信息公开工作年度报告"
    prose = _prose(agency, year, rows["new_received"][-1])
    measures = [T.measures[m] for m in T.proactive[0].measures]
    if layout in ("pdf", "docx"):
        return _document(layout, title, prose, rows, reviews, proactive, T)
    if layout == "html":

        def table(lines: list[list[object]]) -> str:
            body = "".join(
                "<tr>" + "".join(f"<td><p>{html.escape(str(c))}</p></td>" for c in line) + "</tr>"
                for line in lines
            )
            return f"<table border='1'>{body}</table>"

        return (
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<h1>{title}</h1><p>一、总体情况</p><p>{prose['overview']}</p><p>二、主动公开政府信息情况</p>"
            + table([["信息内容", *measures], *[[label, *v] for label, v in proactive]])
            + "<p>三、收到和处理政府信息公开申请情况</p>"
            + table([[r.label, *rows[r.code]] for r in T.rows])
            + "<p>四、政府信息公开行政复议、行政诉讼情况</p>"
            + table([[c.label for c in T.outcomes] * 3, reviews])
            + f"<p>五、存在的主要问题及改进情况</p><p>{prose['problems']}</p>"
            f"<p>六、其他需要报告的事项</p><p>{prose['other']}</p></body></html>"
        )
    sep = "\t" if layout == "tsv" else "   "
    head = "# " if layout == "markdown" else ""
    lines = [
        f"{head}{title}",
        "",
        f"{head}一、总体情况",
        prose["overview"],
        "",
        f"{head}二、主动公开政府信息情况",
    ]
    lines += ["第二十条第（一）项", sep.join(["信息内容", *measures])]
    lines += [sep.join([label, *map(str, values)]) for label, values in proactive]
    lines += ["", f"{head}三、收到和处理政府信息公开申请情况"]
    if layout == "text":
        lines += _text_rows(rows, rng, T)
    elif layout == "markdown":
        lines += ["| 项目 | " + " | ".join(c.label for c in T.applicants) + " |", "|" + "---|" * 8]
        lines += ["| " + " | ".join([r.label, *map(str, rows[r.code])]) + " |" for r in T.rows]
    else:
        lines += [sep.join([r.label, *map(str, rows[r.code])]) for r in T.rows]
    lines += ["", f"{head}四、政府信息公开行政复议、行政诉讼情况", sep.join(c.label for c in T.outcomes * 3)]
    lines += [sep.join(map(str, reviews)), "", f"{head}五、存在的主要问题及改进情况", prose["problems"]]
    lines += ["", f"{head}六、其他需要报告的事项", prose["other"], ""]
    return "\n".join(lines)


def generate(out: Path, count: int, seed: int = 1, broken_share: float = 0.05) -> list[Generated]:
    """Write ``count`` reports into ``out``; return what was written."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    years = YEARS
    made: list[Generated] = []
    documents: list[tuple[Path, tuple]] = []
    for i in range(count):
        agency_index, year = divmod(i, len(years))
        region = _region(agency_index // len(DEPARTMENTS))
        agency = region + DEPARTMENTS[agency_index % len(DEPARTMENTS)]
        if year == 0:
            carried, in_force = None, [rng.randint(0, 5), rng.randint(5, 80)]
        layout = MIX[i % len(MIX)]
        T = TEMPLATES["2019" if years[year] < 2021 else "2021"]
        rows, reviews = tables(rng, carried, T)
        proactive = proactive_rows(rng, in_force, T)
        carried, in_force = rows["carried_forward"][:-1], [values[2] for _, values in proactive]
        broken = ""
        if rng.random() < broken_share:
            broken = rng.choice(["sum", "not_a_report"])
            if broken == "sum":
                rows["granted"][-1] += 1
        if broken == "not_a_report":
            layout = "text"
        path = out / f"r{i:06d}{SUFFIX[layout]}"
        if broken == "not_a_report":
            path.write_text(
                f"{agency}召开政府信息公开工作会议\n\n会议要求各单位抓好落实。\n", encoding="utf-8"
            )
        elif layout in ("pdf", "docx"):  # made below, on every core: they take 0.1-0.2 s each
            documents.append((path, (layout, agency, years[year], rows, reviews, proactive, rng, T)))
        else:
            path.write_text(
                str(render(layout, agency, years[year], rows, reviews, proactive, rng, T)), "utf-8"
            )
        made.append(Generated(path, agency, years[year], layout, T.version, broken, rows, reviews, proactive))
    _write_documents(documents)
    return made


def _render(job: tuple) -> bytes:
    return bytes(render(*job))  # type: ignore[arg-type]


def _write_documents(documents: list[tuple[Path, tuple]]) -> None:
    """The PDF and Word files, made on every core when there are many."""
    from concurrent.futures import ProcessPoolExecutor

    jobs = [job for _, job in documents]
    if len(jobs) < 40:
        made = list(map(_render, jobs))
    else:
        with ProcessPoolExecutor() as pool:
            made = list(pool.map(_render, jobs, chunksize=16))
    for (path, _), data in zip(documents, made, strict=True):
        path.write_bytes(data)


# --- PDF and Word ------------------------------------------------------------------


def _grids(
    rows: dict, reviews: list[int], proactive: list, T: Template
) -> list[tuple[str, list[list[str]], list[tuple]]]:
    """Tables 二, 三 and 四 as grids of cell texts, with their merged cells
    ((column, row), (column, row)) as the official template lays them out."""
    measures = [T.measures[m] for m in T.proactive[0].measures]
    two = [["第二十条第（一）项", "", "", ""], ["信息内容", *measures]]
    two += [[label, *map(str, values)] for label, values in proactive]
    three = [["", "", "", "申请人情况", "", "", "", "", "", ""]]
    three.append(["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"])
    three.append(["", "", "", "", *(c.label for c in T.applicants[1:6]), ""])
    spans3: list[tuple] = [
        ((0, 0), (2, 2)),
        ((3, 0), (9, 0)),
        ((3, 1), (3, 2)),
        ((4, 1), (8, 1)),
        ((9, 1), (9, 2)),
    ]
    for r, (row, cells) in enumerate(zip(T.rows, request_layout(T.rows), strict=True), start=3):
        labels, column = ["", "", ""], 3
        for cell in reversed(cells):  # label cells end at the third column
            column -= cell["colspan"]
            labels[column] = cell["text"]
            if cell["rowspan"] > 1 or cell["colspan"] > 1:
                end = (column + cell["colspan"] - 1, r + cell["rowspan"] - 1)
                spans3.append(((column, r), end))
        three.append([*labels, *map(str, rows[row.code])])
    four = [["行政复议", "", "", "", "", "行政诉讼", *[""] * 9]]
    four.append(["", "", "", "", "", "未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", ""])
    four.append([c.label for c in T.outcomes] * 3)
    four.append(list(map(str, reviews)))
    spans4 = [((0, 0), (4, 1)), ((5, 0), (14, 0)), ((5, 1), (9, 1)), ((10, 1), (14, 1))]
    return [
        ("二、主动公开政府信息情况", two, [((0, 0), (3, 0))]),
        ("三、收到和处理政府信息公开申请情况", three, spans3),
        ("四、政府信息公开行政复议、行政诉讼情况", four, spans4),
    ]


def _document(
    layout: str, title: str, prose: dict, rows: dict, reviews: list[int], proactive: list, T: Template
) -> bytes:
    parts: list[tuple[str, object]] = [("title", title), ("h", "一、总体情况"), ("p", prose["overview"])]
    for heading, grid, spans in _grids(rows, reviews, proactive, T):
        parts += [("h", heading), ("table", (grid, spans))]
    parts += [("h", "五、存在的主要问题及改进情况"), ("p", prose["problems"])]
    parts += [("h", "六、其他需要报告的事项"), ("p", prose["other"])]
    return _pdf(parts) if layout == "pdf" else _docx(parts)


# A Chinese TrueType font to embed, as agencies' PDFs embed theirs (Debian's
# fonts-wqy-microhei).  Without it the PDFs name STSong-Light, a CID font
# readers know without embedding, whose glyphs then depend on the fonts of
# the machine that reads them.
CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def pdf_font() -> str:
    """The font the generated PDFs use: "WenQuanYi" (embedded) or "STSong-Light"."""
    return "WenQuanYi" if Path(CJK_FONT).is_file() else "STSong-Light"


def _pdf(parts: list[tuple[str, object]]) -> bytes:
    """A PDF as the official ones are made: an embedded Chinese font (see
    :data:`CJK_FONT`), ruled tables, labels wrapped in narrow cells."""
    import io

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = pdf_font()
    if font not in pdfmetrics.getRegisteredFontNames():
        if font == "STSong-Light":
            pdfmetrics.registerFont(UnicodeCIDFont(font))
        else:
            from reportlab.pdfbase.ttfonts import TTFont

            pdfmetrics.registerFont(TTFont(font, CJK_FONT, subfontIndex=0))
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=15, wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9, wordWrap="CJK")
    heading = ParagraphStyle("h", parent=body, fontSize=12, leading=20)
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=24, alignment=1)
    flow: list = []
    for kind, value in parts:
        if kind == "table":
            grid, spans = value  # type: ignore[misc]
            width = 480 / len(grid[-1])
            widths = [width] * len(grid[-1])
            if len(grid[-1]) == 10:  # table 三: narrow label columns, as printed
                widths = [30, 42, 88] + [45.7] * 7
            data = [[Paragraph(text, cell) if text else "" for text in line] for line in grid]
            table = Table(data, colWidths=widths, repeatRows=0)
            style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
            style += [("SPAN", start, end) for start, end in spans]
            table.setStyle(TableStyle(style))
            flow += [table, Spacer(1, 8)]
        else:
            style = {"title": title, "h": heading, "p": body}[kind]
            flow.append(Paragraph(str(value), style))
    out = io.BytesIO()
    # invariant=1: no creation date or random id, so the same seed gives the same bytes
    SimpleDocTemplate(out, pagesize=A4, invariant=1, title="", author="", creator="").build(flow)
    return out.getvalue()


def _docx(parts: list[tuple[str, object]]) -> bytes:
    """A Word file: paragraphs and tables with merged label cells."""
    import io

    import docx

    document = docx.Document()
    for kind, value in parts:
        if kind == "table":
            grid, spans = value  # type: ignore[misc]
            width = len(grid[-1])
            table = document.add_table(rows=len(grid), cols=width)
            table.style = "Table Grid"
            cells = table._cells  # once: table.cell() walks every cell on each call
            for r, line in enumerate(grid):
                for c, text in enumerate(line):
                    if text:
                        cells[r * width + c].text = text
            for (c0, r0), (c1, r1) in spans:  # spans never overlap: the cells stay valid
                cells[r0 * width + c0].merge(cells[r1 * width + c1])
        elif kind == "title":
            document.add_heading(str(value), level=1)
        else:
            document.add_paragraph(str(value))
    document.core_properties.created = document.core_properties.modified = _EPOCH
    out = io.BytesIO()
    document.save(out)
    return _fixed_zip_times(out.getvalue())


_EPOCH = __import__("datetime").datetime(2000, 1, 1)


def _fixed_zip_times(data: bytes) -> bytes:
    """The same document always gives the same bytes: every member dated alike."""
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate a made-up corpus of annual reports.")
    parser.add_argument("out", type=Path)
    parser.add_argument("-n", "--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--broken", type=float, default=0.05, help="share of deliberately broken reports")
    args = parser.parse_args(argv)
    made = generate(args.out, args.count, args.seed, args.broken)
    broken = sum(1 for g in made if g.broken)
    print(f"{len(made)} reports in {args.out} ({broken} broken on purpose)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
