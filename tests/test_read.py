"""Reading a content file: encodings, front matter, and the token stream."""

from decimal import Decimal

import pytest

from nianbao.read import ReadError, parse_number, read_source, tokenize
from nianbao.read.decode import decode
from nianbao.read.frontmatter import split_front_matter

REPORT = "一、总体情况\n本年新收 5"


@pytest.mark.parametrize(
    "data, encoding",
    [
        (REPORT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + REPORT.encode("utf-8"), "utf-8-sig"),
        (REPORT.encode("gb18030"), "gb18030"),
        (REPORT.encode("utf-16"), "utf-16"),
    ],
)
def test_decode_reads_the_encodings_reports_come_in(data, encoding):
    assert decode(data) == (REPORT, encoding)


def test_front_matter_is_split_off():
    meta, body, warnings = split_front_matter("---\nagency: 某区人民政府\nyear: 2021\n---\n正文\n")
    assert meta == {"agency": "某区人民政府", "year": 2021}
    assert body == "正文\n"
    assert warnings == []


def test_broken_front_matter_is_a_warning_and_the_body_is_kept():
    meta, body, warnings = split_front_matter("---\nagency: [unclosed\n---\n正文")
    assert meta == {} and body == "正文"
    assert "YAML" in warnings[0]


def test_unclosed_front_matter_reads_the_whole_file_as_text():
    meta, body, warnings = split_front_matter("---\nagency: x\n正文")
    assert meta == {} and body.endswith("正文")
    assert "没有结束" in warnings[0]


def test_empty_and_binary_files_are_refused_with_a_reason():
    with pytest.raises(ReadError, match="空"):
        read_source("a.txt", b"  \n")
    with pytest.raises(ReadError, match="文件是PDF文件，却存成了文本扩展名"):
        read_source("a.txt", b"%PDF-1.7\x00\x00\x01")
    with pytest.raises(ReadError, match="二进制"):
        read_source("a.txt", b"\x00\x01\x02\x00" * 100)


def test_a_stray_nul_byte_in_text_is_dropped_not_fatal():
    assert read_source("a.txt", "一、总体情况\x00\n正文".encode()).lines == ["一、总体情况", "正文"]


def test_crlf_line_ends_are_normalised():
    assert read_source("a.txt", "第一行\r\n第二行\r第三行".encode()).lines == ["第一行", "第二行", "第三行"]


@pytest.mark.parametrize(
    "text, value",
    [("0", 0), ("81173", 81173), ("1,234", 1234), ("２０２１", 2021), ("2242.9233", Decimal("2242.9233"))],
)
def test_numbers(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["3.", "1.属于国家秘密", "5件", "", "-"])
def test_not_numbers(text):
    assert parse_number(text) is None


def kinds(text):
    return [(t.kind, t.text) for t in tokenize(text)]


def test_space_separated_text_gives_label_and_numbers():
    assert kinds("1.属于国家秘密  1  0") == [("text", "1.属于国家秘密"), ("number", "1"), ("number", "0")]


def test_tab_separated_cells_keep_their_blanks():
    assert kinds("予以公开\t\t2\t") == [("text", "予以公开"), ("blank", ""), ("number", "2"), ("blank", "")]


def test_page_numbers_in_the_middle_of_a_table_are_dropped():
    assert kinds("规章 0\n   -3-  \n第 4 页\n行政许可 7") == [
        ("text", "规章"),
        ("number", "0"),
        ("text", "行政许可"),
        ("number", "7"),
    ]


def test_placeholders_and_markdown_headings():
    assert kinds("## 三、情况\n合计 / — 无") == [
        ("text", "三、情况"),
        ("text", "合计"),
        ("placeholder", "/"),
        ("placeholder", "—"),
        ("placeholder", "无"),
    ]


def test_full_width_digits_and_spaces_are_normalised():
    assert kinds("行政许可\u3000８１") == [("text", "行政许可"), ("number", "81")]


def test_markdown_table_rows_are_cells():
    assert kinds("| 规章 | 0 | 1 |\n|---|---|---|") == [("text", "规章"), ("number", "0"), ("number", "1")]
