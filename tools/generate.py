"""A corpus generator for benchmarks and tests: realistic reports, made up.

``python -m tools.generate OUT -n 1000 --seed 1`` writes N reports in the
layouts the reader supports (PDF-like text with wrapped labels, tab-separated,
Markdown, HTML), for distinct agencies, regions and years, with tables that
satisfy the template arithmetic, and a known share deliberately broken (a
total that does not add up, or a file that is not a report).  The same seed
always gives the same files, byte for byte.
"""

from __future__ import annotations

import argparse
import html
import random
from dataclasses import dataclass
from pathlib import Path

from nianbao.template import TEMPLATE_2021 as T

SYLLABLES = "安宁平和兴华新丰长乐清泉东西南北阳山河湖林石桥云城宝龙凤金玉永福泰"
DEPARTMENTS = [
    "人民政府", "人民政府办公室", "发展和改革局", "教育局", "公安局", "民政局", "司法局", "财政局",
    "人力资源和社会保障局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局", "水利局",
    "农业农村局", "商务局", "文化广电和旅游局", "卫生健康委员会", "应急管理局", "审计局",
    "市场监督管理局", "统计局", "医疗保障局", "信访局",
]  # fmt: skip
LAYOUTS = ("text", "tsv", "markdown", "html")
SUFFIX = {"text": ".txt", "tsv": ".tsv", "markdown": ".md", "html": ".html"}


@dataclass
class Generated:
    path: Path
    agency: str
    year: int
    layout: str
    broken: str  # "" for a sound report, else what was broken
    rows: dict[str, list[int]]  # table 三 as printed
    reviews: list[int]  # table 四 as printed


def _region(i: int) -> str:
    """A distinct made-up county name for every index."""
    n = len(SYLLABLES)
    return f"{SYLLABLES[i % n]}{SYLLABLES[(i // n) % n]}{'区县市'[(i // n // n) % 3]}"


def tables(
    rng: random.Random, carried_over: list[int] | None = None
) -> tuple[dict[str, list[int]], list[int]]:
    """A consistent table 三 (rows x 7 columns) and table 四 (15 cells);
    ``carried_over`` is last year's 结转下年度 (so consecutive years join up)."""
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


def _text_rows(rows: dict[str, list[int]], rng: random.Random) -> list[str]:
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


def proactive_rows(rng: random.Random, in_force: list[int]) -> list[tuple[str, list[int]]]:
    """规章 and 行政规范性文件: issued, repealed, in force (following last year's)."""
    out = []
    for label, before in zip(("规章", "行政规范性文件"), in_force, strict=True):
        issued, repealed = rng.randint(0, 6), rng.randint(0, min(2, before))
        out.append((label, [issued, repealed, before + issued - repealed]))
    return out


def render(
    layout: str, agency: str, year: int, rows: dict, reviews: list[int], proactive: list, rng: random.Random
) -> str:
    title = f"{agency}{year}年政府信息公开工作年度报告"
    prose = _prose(agency, year, rows["new_received"][-1])
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
            + table([["信息内容", *T.measures.values()][:4], *[[label, *v] for label, v in proactive]])
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
    lines += ["第二十条第（一）项", sep.join(["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"])]
    lines += [sep.join([label, *map(str, values)]) for label, values in proactive]
    lines += ["", f"{head}三、收到和处理政府信息公开申请情况"]
    if layout == "text":
        lines += _text_rows(rows, rng)
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
    years = (2021, 2022, 2023, 2024)
    made: list[Generated] = []
    for i in range(count):
        agency_index, year = divmod(i, len(years))
        region = _region(agency_index // len(DEPARTMENTS))
        agency = region + DEPARTMENTS[agency_index % len(DEPARTMENTS)]
        if year == 0:
            carried, in_force = None, [rng.randint(0, 5), rng.randint(5, 80)]
        layout = LAYOUTS[i % len(LAYOUTS)]
        rows, reviews = tables(rng, carried)
        proactive = proactive_rows(rng, in_force)
        carried, in_force = rows["carried_forward"][:-1], [values[2] for _, values in proactive]
        broken = ""
        if rng.random() < broken_share:
            broken = rng.choice(["sum", "not_a_report"])
            if broken == "sum":
                rows["granted"][-1] += 1
        text = render(layout, agency, years[year], rows, reviews, proactive, rng)
        if broken == "not_a_report":
            text = f"{agency}召开政府信息公开工作会议\n\n会议要求各单位抓好落实。\n"
        path = out / f"r{i:06d}{SUFFIX[layout]}"
        path.write_text(text, encoding="utf-8")
        made.append(Generated(path, agency, years[year], layout, broken, rows, reviews))
    return made


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
