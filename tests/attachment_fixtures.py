"""SYNTHETIC attachment files built to the layout of the real positive-list annexes, at test time.

Rows come from ``tests/data/positive_list_rows.tsv`` (real list lines, with their source). What is
made up is only the file around them: the columns 序号 / 税则号列 / 商品名称 / 备注, a two-row header
whose upper cell is merged, a PDF over several pages with the header repeated on each, a scan-like
PDF with no text layer, an amendment workbook with 增加 and 删除 sheets, a Word table, a .wps file
in WPS's own format, a zip of a list. ``python tests/attachment_fixtures.py DIR`` writes the set the
bundled mirror serves (``crawler/mirror/site/mof_gss/attachments/``).
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

ROWS_FILE = Path(__file__).parent / "data" / "positive_list_rows.tsv"
Row = tuple[str, str, str, str]  # 序号, 税则号列, 商品名称, 备注


def list_rows() -> list[Row]:
    rows = []
    for line in ROWS_FILE.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            serial, code, name, *notes = line.split("\t")
            rows.append((serial, code, name, notes[0] if notes else ""))
    return rows


def dotted(code: str) -> str:
    """0402.9100: how some annexes print the code."""
    return f"{code[:4]}.{code[4:]}"


def pdf_list(rows: Sequence[Row], title: str = "附件1：跨境电子商务零售进口商品清单（2022年版）",
             rows_per_page: int = 14) -> bytes:
    """A ruled table over several pages, its two-row header (序号 and 备注 merged down, 商品 merged
    across 税则号列 and 商品名称) repeated on each page, as the annexes print it."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("cn", fontName="STSong-Light", fontSize=12, leading=16)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title="positive list (synthetic)")
    header = [["序号", "商品", "", "备注"], ["", "税则号列", "商品名称", ""]]
    story: list = [Paragraph(title, style)]
    for start in range(0, len(rows), rows_per_page):
        chunk = rows[start:start + rows_per_page]
        data = header + [[s, dotted(c) if i % 3 == 0 else c, n, notes] for i, (s, c, n, notes) in enumerate(chunk)]
        table = Table(data, colWidths=[36, 80, 190, 180])
        table.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), "STSong-Light", 8), ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("SPAN", (0, 0), (0, 1)), ("SPAN", (1, 0), (2, 0)), ("SPAN", (3, 0), (3, 1))]))
        story += [table, PageBreak()]
    document.build(story[:-1])
    return buffer.getvalue()


def scanned_pdf(pages: int = 2) -> bytes:
    """Pages that are only pictures of text (grey bars), no text layer: what a scan gives."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4)
    for _ in range(pages):
        image = Image.new("L", (300, 420), 255)
        draw = ImageDraw.Draw(image)
        for y in range(30, 400, 14):
            draw.rectangle((25, y, 275, y + 6), fill=90)
        sheet.drawImage(ImageReader(image), 40, 60, width=500, height=700)
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def xls_list(rows: Sequence[Row], sheet: str = "跨境电子商务零售进口商品清单") -> bytes:
    """BIFF8 (.xls) with a title row merged across the table and codes stored as numbers, so the
    leading zero of chapters 01-09 is lost, as in sheets exported from office databases."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    page = book.add_sheet(sheet)
    page.write_merge(0, 0, 0, 3, "跨境电子商务零售进口商品清单（2022年版）")
    for column, name in enumerate(("序号", "税则号列", "商品名称", "备注")):
        page.write(1, column, name)
    for r, (serial, code, name, notes) in enumerate(rows, start=2):
        page.write(r, 0, int(serial))
        page.write(r, 1, int(code))
        page.write(r, 2, name)
        page.write(r, 3, notes)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_amendment(added: Sequence[Row], removed: Sequence[Row]) -> bytes:
    """An amendment: sheet 增加 and sheet 删除, headers 序号 / 商品编码 / 货品名称 / 监管要求, the title merged."""
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    for sheet, rows in ((first, added), (book.create_sheet(), removed)):
        sheet.title = "增加商品" if rows is added else "删除商品"
        sheet.append([f"跨境电子商务零售进口商品清单调整表（{sheet.title}）"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=4)
        sheet.append(["序号", "商品编码", "货品名称", "监管要求"])
        for serial, code, name, notes in rows:
            sheet.append([int(serial), code, name, notes])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def docx_list(rows: Sequence[Row], caption: str = "附件：跨境电子商务零售进口商品清单（节选）") -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph(caption)
    table = document.add_table(rows=1, cols=4)
    for cell, name in zip(table.rows[0].cells, ("序号", "税号", "商品名称", "备注"), strict=True):
        cell.text = name
    for row in rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def wps_file() -> bytes:
    """Not a real WPS document: bytes in no format a reader knows, under a .wps name."""
    return b"WPS Office synthetic\x00\x01\x02 not an OLE container" + bytes(range(256))


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return buffer.getvalue()


#: what the bundled mirror's 2022 list notice attaches: file name → builder
def mirror_files() -> dict[str, bytes]:
    rows = list_rows()
    base = [r for r in rows if r[1] != "33042000"]  # 眼用化妆品 joins with the (test-time) amendment
    return {
        "P020220130376125402713.pdf": pdf_list(base),
        "P020220130376125416348.xls": xls_list(base),
        "P020220130376125421976.pdf": scanned_pdf(),
        "P020220130376125433590.wps": wps_file(),
    }


def main(argv: Sequence[str]) -> int:
    target = Path(argv[0]) if argv else Path("crawler/mirror/site/mof_gss/attachments")
    target.mkdir(parents=True, exist_ok=True)
    for name, body in mirror_files().items():
        (target / name).write_bytes(body)
        print(f"{target / name}: {len(body)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
