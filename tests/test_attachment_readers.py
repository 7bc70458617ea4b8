"""Readers and the goods-list parser on files built to the annexes' real layout (tests/attachment_fixtures.py)."""

from __future__ import annotations

import shutil

import pytest
from attachment_fixtures import (
    docx_list,
    list_rows,
    pdf_list,
    scanned_pdf,
    wps_file,
    xls_list,
    xlsx_amendment,
    zip_of,
)

from crawler.attachments.goods import goods_rows, normalise_hs
from crawler.attachments.read import read_fetched
from crawler.attachments.readers import NEEDS_OCR, PARSED, UNREADABLE, Table, antiword_tables, read_attachment
from storage.attachments import FetchedAttachment

ROWS = list_rows()


def rows_of(body: bytes, name: str, context: str = "") -> list:
    reading = read_attachment(body, f"https://gss.mof.gov.cn/files/{name}")
    assert reading.status == PARSED, reading.reason
    return goods_rows(reading.tables, context)


@pytest.mark.parametrize(("raw", "code"), [
    ("0402.9100", "04029100"), ("0402 91 00", "04029100"), ("4029100", "04029100"), ("4029100.0", "04029100"),
    ("ex04029100", "04029100"), ("3304990010", "3304990010"), ("330499001", "0330499001"),
    ("税则号列", None), ("040291", None), ("", None), (None, None)])
def test_hs_codes_are_normalised_to_eight_or_ten_digits_with_the_chapter(raw: str | None, code: str | None) -> None:
    assert normalise_hs(raw) == code


def test_a_pdf_list_over_pages_with_a_merged_header_repeated_gives_every_row_once() -> None:
    body = pdf_list(ROWS, rows_per_page=14)
    reading = read_attachment(body, "https://gss.mof.gov.cn/a.pdf")
    assert reading.pages == 3 and len(reading.tables) == 3
    rows = goods_rows(reading.tables)
    assert [r.hs_code for r in rows] == [code for _, code, _, _ in ROWS]  # dotted codes too, headers skipped
    by_code = {r.hs_code: r for r in rows}
    assert by_code["04079090"].description == "其他蛋"
    assert by_code["04079090"].notes == "列入《进出口野生动植物种商品目录》的商品除外"
    assert by_code["33041000"].chapter == "33" and by_code["04029100"].chapter == "04"


def test_xls_codes_stored_as_numbers_get_their_leading_zero_back() -> None:
    rows = rows_of(xls_list(ROWS), "list.xls")
    assert len(rows) == len(ROWS) and rows[0].hs_code == "04029100"
    assert rows[0].description == "浓缩但未加糖的非固状乳及奶油"


def test_amendment_sheets_say_which_rows_are_added_and_removed() -> None:
    rows = rows_of(xlsx_amendment(ROWS[:2], ROWS[2:3]), "adjust.xlsx", context="跨境电子商务零售进口商品清单调整表")
    assert [(r.hs_code, r.action) for r in rows] == [("04029100", "add"), ("04029900", "add"), ("04031000", "remove")]


def test_a_section_row_inside_a_table_sets_the_action_of_the_rows_below() -> None:
    table = Table("附件", [["序号", "税号", "商品名称", "备注"], ["一、增加的商品", None, None, None],
                          ["1", "33042000", "眼用化妆品", ""], ["二、删除的商品", "二、删除的商品", None, None],
                          ["1", "04100049", "其他蜂产品", ""], ["", "", "（续上行）", ""]])
    rows = goods_rows([table])
    assert [(r.hs_code, r.action) for r in rows] == [("33042000", "add"), ("04100049", "remove")]
    assert rows[1].description == "其他蜂产品（续上行）"  # a cell broken over a page joins its row


def test_a_table_that_is_not_a_goods_list_gives_no_rows() -> None:
    assert goods_rows([Table("口岸", [["序号", "海关", "口岸名称"], ["1", "上海海关", "浦东机场"]])]) == []


def test_word_tables_and_zipped_lists_are_read() -> None:
    assert [r.hs_code for r in rows_of(docx_list(ROWS[:5]), "list.docx")] == [c for _, c, _, _ in ROWS[:5]]
    archive = zip_of({"清单.docx": docx_list(ROWS[:3]), "说明.wps": wps_file()})
    reading = read_attachment(archive, "https://gss.mof.gov.cn/a.zip")
    assert reading.status == PARSED and len(goods_rows(reading.tables)) == 3
    assert "说明.wps" in (reading.reason or "")  # the member it could not read is named, not dropped


def test_a_scan_is_needs_ocr_and_wps_html_and_broken_files_are_unreadable_with_a_reason() -> None:
    scan = read_attachment(scanned_pdf(), "https://gss.mof.gov.cn/scan.pdf")
    assert scan.status == NEEDS_OCR and "no text layer on 2 page(s)" in scan.reason
    wps = read_attachment(wps_file(), "https://gss.mof.gov.cn/a.wps")
    assert wps.status == UNREADABLE and "WPS" in wps.reason
    html = read_attachment(b"<html><body>404 Not Found</body></html>", "https://gss.mof.gov.cn/a.pdf", "text/html")
    assert html.status == UNREADABLE and "HTML page" in html.reason
    broken = read_attachment(pdf_list(ROWS[:3])[:400], "https://gss.mof.gov.cn/cut.pdf")
    assert broken.status == UNREADABLE and broken.reason.startswith("broken pdf file")
    broken_sheet = read_attachment(xls_list(ROWS[:3])[:600], "https://gss.mof.gov.cn/cut.xls")
    assert broken_sheet.status == UNREADABLE and "xls" in broken_sheet.reason


def test_antiword_table_lines_become_rows() -> None:
    text = "附件1：增加的商品\n|序号|税则号列|商品名称|备注|\n|1   |33042000|眼用化妆品|  |\n\n特此公告"
    rows = goods_rows(antiword_tables(text))
    assert [(r.hs_code, r.description, r.action) for r in rows] == [("33042000", "眼用化妆品", "add")]


@pytest.mark.skipif(shutil.which("antiword") is None and shutil.which("catdoc") is None,
                    reason="antiword/catdoc not installed (scripts/ensure-services.sh installs them)")
def test_a_broken_doc_is_unreadable_with_the_readers_words() -> None:
    reading = read_attachment(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "https://gss.mof.gov.cn/a.doc")
    assert reading.status == UNREADABLE and "cannot read the .doc file" in reading.reason


def test_read_fetched_hashes_reads_and_parses_and_leaves_304s_alone() -> None:
    fresh = FetchedAttachment("https://gss.mof.gov.cn/a.xls", "附件", body=xls_list(ROWS[:4]))
    known = FetchedAttachment("https://gss.mof.gov.cn/b.pdf", "附件", known_id=7)
    read_fetched([fresh, known])
    assert fresh.sha256 and len(fresh.sha256) == 64 and len(fresh.rows) == 4
    assert known.reading is None and known.rows == []


def test_a_word_97_doc_list_is_read_through_antiword_with_wrapped_cells_joined() -> None:
    from pathlib import Path

    from tests.conftest import require

    if shutil.which("antiword") is None:
        require("antiword is not installed (scripts/ensure-services.sh installs it)")
    body = (Path(__file__).parent / "data" / "synthetic_goods_list.doc").read_bytes()  # SYNTHETIC: see .SYNTHETIC
    assert body[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a real OLE2 Word file, not a renamed .docx
    rows = rows_of(body, "P020220130376125400001.doc")
    assert [r.hs_code for r in rows] == [code for _, code, _, _ in ROWS[:12]]
    by_code = {r.hs_code: r for r in rows}
    assert by_code["04063000"].description == "经加工的乳酪，但磨碎或粉化的除外"  # wrapped over two lines
    assert by_code["04079090"].notes == "列入《进出口野生动植物种商品目录》的商品除外"
