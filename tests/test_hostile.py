"""Hostile content: every file in content/ is untrusted (the site is rebuilt
from pull requests).  Each case of the "hostile content" issue, one test each:
it cannot hurt the site, its readers or the machine that builds it.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import time
import zipfile

import pytest
from conftest import ROOT, SEEDS, expected
from formatkit import WORD_NAMESPACE, docx_from_body, docx_from_xml, report_html

from nianbao import config
from nianbao.output import exchange
from nianbao.read import ReadError, read_source
from nianbao.read.frontmatter import split_front_matter
from nianbao.site import build

SEED = SEEDS / "002_86e56b1db52c9874.txt"


def _content(tmp_path, *extra: tuple[str, bytes]):
    folder = tmp_path / "content"
    folder.mkdir(parents=True)
    shutil.copyfile(SEED, folder / SEED.name)
    for name, data in extra:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def _problems(summary) -> dict[str, tuple[str, str]]:
    return {p.source: (p.code, p.message) for p in summary.problems}


# --- the original of a report is never active content -------------------------------

HOSTILE_HTML = report_html(expected("002_86e56b1db52c9874")).replace(
    "<body>",
    "<body><script>alert(document.cookie)</script><iframe src='javascript:alert(2)'></iframe>"
    "<svg onload='alert(3)'></svg>",
)


def test_an_html_original_is_published_as_text_not_as_a_page(tmp_path):
    content = _content(tmp_path, ("evil.html", HOSTILE_HTML.encode()))
    out = tmp_path / "out"
    summary = build(content, out, incremental=False)
    assert [r.source for r in summary.reports if r.source == "evil.html"] == ["evil.html"]
    folder = out / "reports" / "evil"
    assert not list(folder.glob("source.htm*[!t]")), "no original a browser would run"
    assert (folder / "source.html.txt").read_bytes() == HOSTILE_HTML.encode()
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert 'href="source.html.txt"' in page
    assert "<script>alert" not in page
    for html_page in out.rglob("*.html"):
        text = html_page.read_text(encoding="utf-8")
        assert 'http-equiv="Content-Security-Policy"' in text, html_page


# --- CSV and workbook formulas ----------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_text_that_would_start_a_formula_is_neutralised(tmp_path, start):
    agency = f'{start}HYPERLINK("http://evil.example/","点击")某县民政局'
    front = f"---\nagency: '{agency}'\nyear: 2022\nregion: '{start}1+1'\n---\n".encode()
    content = _content(tmp_path, ("formula.txt", front + SEED.read_bytes()))
    out = tmp_path / "out"
    build(content, out, incremental=False)
    tables = {path: path.read_text(encoding="utf-8") for path in out.rglob("*.csv")}
    for path in out.rglob("*.zip"):  # the agencies' and the years' packages
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.endswith(".csv"):
                    tables[f"{path}/{name}"] = archive.read(name).decode("utf-8")
    assert len(tables) >= 6 * 3
    for path, text in tables.items():
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), (path, cell)
                assert not (cell.startswith("-") and not cell.lstrip("-").replace(".", "").isdigit()), (
                    path,
                    cell,
                )
    rows = list(csv.DictReader((out / "data" / "reports.csv").open(encoding="utf-8")))
    assert "'" + agency in {r["agency"] for r in rows}
    import openpyxl

    books = list(out.rglob("*.xlsx"))
    assert len(books) >= 2  # the agencies' and the year's
    for path in books:
        book = openpyxl.load_workbook(path)
        texts = [c.value for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert not any(t.startswith(("=", "+", "@")) for t in texts)


# --- YAML --------------------------------------------------------------------------------------------


def test_a_yaml_alias_bomb_is_refused_at_once():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    text = "---\n" + "\n".join(lines) + "\nagency: *i\nyear: *i\n---\n正文"
    started = time.perf_counter()
    meta, body, warnings = split_front_matter(text)
    assert time.perf_counter() - started < 1
    assert (meta, body) == ({}, "正文")
    assert warnings == ["front matter 用了 YAML 锚点或别名（& 或 *），为安全起见不予展开，已忽略"]


def test_plain_front_matter_still_reads():
    assert split_front_matter("---\nagency: 某局\nyear: 2022\n---\nx")[0] == {"agency": "某局", "year": 2022}


# --- files that are not regular files inside content/ ----------------------------------------------


def test_the_survey_looks_up_only_what_is_not_a_regular_file(tmp_path, monkeypatch):
    from nianbao.read import folder

    content = _content(tmp_path, ("b/r.txt", b"x"), ("c.txt", b"x"))
    os.symlink("/dev/zero", content / "zero.txt")
    os.mkfifo(content / "pipe.txt")
    looked_up = []
    real_stat = os.DirEntry.stat

    class Entry:  # os.DirEntry cannot be patched: scandir's entries wrapped to count their stat calls
        def __init__(self, entry):
            self._entry = entry
            self.name, self.path = entry.name, entry.path

        def __getattr__(self, name):
            return getattr(self._entry, name)

        def stat(self, **kwargs):
            looked_up.append(self.name)
            return real_stat(self._entry, **kwargs)

    real_scandir = os.scandir

    class Listing:
        def __init__(self, path):
            self._listing = real_scandir(path)

        def __enter__(self):
            return (Entry(e) for e in self._listing.__enter__())

        def __exit__(self, *exc):
            return self._listing.__exit__(*exc)

    monkeypatch.setattr(folder.os, "scandir", Listing)
    found = folder.survey(content)
    assert sorted(p.name for p in found.files) == sorted(["c.txt", "r.txt", SEED.name])
    assert sorted(looked_up) == ["pipe.txt", "zero.txt"]
    assert sorted(p.name for p, _ in found.refused) == ["pipe.txt", "zero.txt"]


def test_a_file_that_cannot_be_looked_at_is_refused_with_the_reason():
    from nianbao.read import folder

    class Vanished:  # listed, then gone (or unreadable) when looked at
        name, path = "gone.txt", "/content/gone.txt"

        def is_file(self, follow_symlinks=True):
            raise FileNotFoundError(2, "No such file or directory")

        stat = is_file

    assert not folder._regular(Vanished())
    assert folder._why_not(Vanished()) == "无法读取文件信息：No such file or directory"


def test_links_fifos_and_hidden_files_are_refused_and_listed(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("机密", encoding="utf-8")
    content = _content(tmp_path, (".hidden.txt", SEED.read_bytes()))
    os.symlink("/dev/zero", content / "zero.txt")
    os.symlink(outside, content / "outside.txt")
    os.symlink(tmp_path, content / "linked-folder")
    os.mkfifo(content / "pipe.txt")
    out = tmp_path / "out"
    started = time.perf_counter()
    summary = build(content, out)
    assert time.perf_counter() - started < 60
    problems = _problems(summary)
    assert problems["zero.txt"][0] == problems["outside.txt"][0] == "refused"
    assert "符号链接" in problems["zero.txt"][1]
    assert "管道" in problems["pipe.txt"][1]
    assert "隐藏文件" in problems[".hidden.txt"][1]
    assert "符号链接" in problems["linked-folder"][1]
    assert [r.source for r in summary.reports] == [SEED.name]
    published = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
    assert "机密".encode() not in published


# --- encodings and encryption --------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_text(encoding):
    text = SEED.read_text(encoding="utf-8")
    source = read_source("x.txt", text.encode(encoding))
    assert source.encoding == encoding
    assert "六、其他需要报告的事项" in source.text


# --- bombs and limits: checked before the work, bounded while it runs ---------------------------


def test_a_docx_of_millions_of_empty_paragraphs_is_refused_unread():
    data = docx_from_body("<w:p/>" * 1_000_000)
    assert len(data) < 100_000  # a small file …
    started = time.perf_counter()
    with pytest.raises(ReadError, match="个段落和表格单元（上限 200,000），不像一份年报，已拒绝"):
        read_source("bomb.docx", data)
    assert time.perf_counter() - started < 5  # … refused before its XML is parsed


def test_a_docx_that_expands_to_gigabytes_is_refused_unread():
    data = docx_from_xml(b"<w:p/>" + b" " * (100 * 1024 * 1024))
    with pytest.raises(ReadError, match="可能是压缩炸弹，已拒绝"):
        read_source("bomb.docx", data)


def test_a_broken_docx_says_so_in_plain_words():
    data = docx_from_xml(b"<w:document><w:body><w:p>unclosed")
    with pytest.raises(ReadError) as caught:
        read_source("broken.docx", data)
    assert str(caught.value).startswith("不是有效的 Word（.docx）文件")
    assert "请报告此问题" not in str(caught.value)


def test_a_docx_with_entities_neither_expands_them_nor_reads_files():
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    document = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY l0 "哈">{laughs}'
        '<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        f'<w:document xmlns:w="{WORD_NAMESPACE}"><w:body>'
        "<w:p><w:r><w:t>一、总体情况&l9;&secret;</w:t></w:r></w:p></w:body></w:document>"
    )
    started = time.perf_counter()
    try:
        text = read_source("laughs.docx", docx_from_xml(document.encode())).text
    except ReadError as refused:  # refused is as good as unexpanded
        text = str(refused)
    assert time.perf_counter() - started < 5
    assert "哈哈" not in text and "root:" not in text


def test_an_html_page_of_a_million_tags_is_refused_unread():
    with pytest.raises(ReadError, match="个标签（上限 200,000）"):
        read_source("bomb.html", b"<div>" * 1_000_000)


def test_a_pdf_of_too_many_pages_is_refused(monkeypatch):
    monkeypatch.setattr(config, "LIMITS", config.Limits(pdf_pages=2))
    data = (ROOT / "tests" / "data" / "formats" / "002_86e56b1db52c9874.pdf").read_bytes()
    with pytest.raises(ReadError, match="页（上限 2），不像一份年报"):
        read_source("long.pdf", data)


def test_an_encrypted_pdf_asks_for_a_password():
    with pytest.raises(ReadError, match="PDF 有密码保护"):
        read_source("secret.pdf", (ROOT / "tests" / "data" / "bad" / "encrypted.pdf").read_bytes())


# --- builds that overlap, die, or lose a worker -------------------------------------------------------


def _tree(folder) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.mark.slow
def test_two_builds_at_once_into_one_output_both_finish(tmp_path):
    import subprocess
    import sys

    content = _content(tmp_path)
    for path in SEEDS.glob("*.txt"):
        shutil.copyfile(path, content / path.name)
    out = tmp_path / "out"
    command = [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--output", str(out)]
    first = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    second = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    results = [p.communicate(timeout=300) for p in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], results
    assert all(b"Traceback" not in err for _, err in results)
    assert (out / "index.html").is_file()
    assert not list(tmp_path.glob(".out.new-*")) and not list(tmp_path.glob(".out.old-*"))


def test_the_swap_is_one_step(tmp_path):
    old, new = tmp_path / "site", tmp_path / "new"
    old.mkdir()
    (old / "index.html").write_text("old", encoding="utf-8")
    new.mkdir()
    (new / "index.html").write_text("new", encoding="utf-8")
    assert exchange(new, old), "renameat2(RENAME_EXCHANGE) is available on Linux"
    assert (old / "index.html").read_text(encoding="utf-8") == "new"
    assert (new / "index.html").read_text(encoding="utf-8") == "old"


@pytest.mark.slow
def test_a_build_killed_after_the_swap_never_leaves_a_stale_cache(tmp_path, monkeypatch):
    from nianbao import cache

    content = _content(tmp_path)
    out = tmp_path / "out"
    build(content, out)
    first = _tree(out)
    # An edit, and a build that dies right after its swap, before the cache records it.
    edited = content / SEED.name
    original, times = edited.read_bytes(), edited.stat()
    edited.write_bytes(original.replace("伊美区".encode(), "伊美县".encode(), 1))

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # as a SIGKILL would stop it: nothing after this runs

    monkeypatch.setattr(cache, "store_written", killed)
    with pytest.raises(KeyboardInterrupt):
        build(content, out)
    monkeypatch.undo()
    assert _tree(out) != first  # the killed build's site was published
    # Back to the first content: the build must not say "nothing changed".
    edited.write_bytes(original)
    os.utime(edited, ns=(times.st_atime_ns, times.st_mtime_ns))  # the very same file as before
    again = build(content, out)
    assert not again.up_to_date
    cold = tmp_path / "cold"
    build(content, cold, incremental=False)
    assert _tree(out) == _tree(cold)


@pytest.mark.slow
def test_a_worker_killed_by_the_system_costs_only_its_file(tmp_path, monkeypatch):
    from nianbao import loading, workers

    if workers.workers() < 2:
        pytest.skip("needs two cores for a pool of workers")
    content = _content(tmp_path)
    for path in SEEDS.glob("*.txt"):
        shutil.copyfile(path, content / path.name)
    (content / "killer.txt").write_bytes(SEED.read_bytes())
    original = loading.parse

    def parse_or_die(source):
        if source.path == "killer.txt":
            os.kill(os.getpid(), 9)  # as the kernel's OOM killer would
        return original(source)

    monkeypatch.setattr(loading, "parse", parse_or_die)
    summary = build(content, tmp_path / "out", config.Config(incremental=False, parallel_min=2))
    problems = _problems(summary)
    assert problems["killer.txt"][0] == "killed"
    assert "被系统终止" in problems["killer.txt"][1]
    assert len(summary.reports) == 5


# --- duplicates and ids ---------------------------------------------------------------------------


def test_two_reports_of_one_agency_and_year_count_once(tmp_path):
    from nianbao.publish.views import added_up, facts, figure_sums

    content = _content(tmp_path, ("copy.txt", SEED.read_bytes()))
    summary = build(content, tmp_path / "out", incremental=False)
    assert len(summary.reports) == 2  # both published …
    figures = added_up([], [figure_sums(summary.reports, {r.report_id: facts(r) for r in summary.reports})])
    received = summary.reports[0].value("requests", "new_received", "total")
    assert figures["received"] == received  # … counted once, not twice
    duplicate = next(r for r in summary.reports if r.duplicate_of)
    assert duplicate.source == "copy.txt"  # equal reports: the first by path is the one counted
    home = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    first_figure = home.split('<span class="figure">', 1)[1].split("</span>", 1)[0]
    assert first_figure == f"{int(received):,}"


def test_an_explicit_id_keeps_its_url(tmp_path):
    text = SEED.read_bytes()
    content = _content(tmp_path)
    (content / "zz.txt").write_bytes(b"---\nid: 002-86e56b1db52c9874\n---\n" + text)
    summary = build(content, tmp_path / "out", incremental=False)
    ids = {r.source: r.report_id for r in summary.reports}
    assert ids["zz.txt"] == "002-86e56b1db52c9874"  # the front matter's id wins …
    assert ids[SEED.name].startswith("002-86e56b1db52c9874-")  # … the file name's id gets a suffix
    # and the suffix does not depend on which other files exist
    again = build(
        _content(tmp_path / "second", ("zz.txt", b"---\nid: 002-86e56b1db52c9874\n---\n" + text)),
        tmp_path / "o2",
        incremental=False,
    )
    assert {r.source: r.report_id for r in again.reports} == ids


def _pdf_with_stream(content: bytes) -> bytes:
    """A one-page PDF whose page content is ``content``, Flate-compressed."""
    import zlib

    stream = zlib.compress(content, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@pytest.mark.slow
def test_a_pdf_compression_bomb_is_refused_before_it_is_opened():
    data = _pdf_with_stream(b" " * (300 * 1024 * 1024))
    assert len(data) < 1024 * 1024  # under a megabyte on disk, 300 MB inflated
    started = time.perf_counter()
    with pytest.raises(ReadError, match="可能是压缩炸弹，已拒绝"):
        read_source("bomb.pdf", data)
    assert time.perf_counter() - started < 10


def test_a_small_pdf_of_the_same_make_is_still_read_as_what_it_is():
    with pytest.raises(ReadError, match="需要先 OCR"):  # a page with no text: measured, then read
        read_source("blank.pdf", _pdf_with_stream(b"0 0 m 10 10 l S"))
