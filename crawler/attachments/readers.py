"""Text and tables of an attachment, by maintained readers: pdfplumber (PDF), openpyxl (.xlsx), xlrd
(.xls, and .et files that are BIFF inside), python-docx (.docx), Debian's antiword, else catdoc (.doc).

The format is told by the bytes, not the link (sites serve .xls files named .doc, HTML error pages
named .pdf). What cannot be read is a :class:`Reading` with status ``unreadable`` and a one-line
reason, never an exception: the attachment is stored and reported all the same. A PDF whose pages
carry no text layer (a scan) is ``needs_ocr``, not an empty text.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

PARSED, NEEDS_OCR, UNREADABLE = "parsed", "needs_ocr", "unreadable"
EXTENSIONS = ("pdf", "xls", "xlsx", "doc", "docx", "wps", "et", "zip")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: a scanned page may carry a stray character or two (a page number stamp); fewer than this per
#: page on average and the PDF has no usable text layer
MIN_TEXT_CHARS_PER_PAGE = 20
EXTERNAL_TIMEOUT = 60


@dataclass
class Table:
    """One table as rows of cell texts (``None`` for an empty or merged-away cell)."""

    label: str  # the sheet name, or the text just above the table (附件2：删除的商品)
    rows: list[list[str | None]]
    page: int | None = None


@dataclass
class Reading:
    format: str
    status: str
    text: str = ""
    tables: list[Table] = field(default_factory=list)
    reason: str | None = None
    pages: int | None = None


def extension_of(url: str) -> str:
    name = unquote(urlsplit(url).path).rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def sniff_format(body: bytes, ext: str) -> str:
    """``pdf``, ``xlsx``, ``docx``, ``zip``, ``ole:<ext>`` (a legacy Office container) or ``other``."""
    if body.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if body[:4] == b"PK\x03\x04":
        try:
            names = set(zipfile.ZipFile(io.BytesIO(body)).namelist())
        except zipfile.BadZipFile:
            return "other"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "word/document.xml" in names:
            return "docx"
        return "zip"
    if body[:8] == OLE_MAGIC:
        return f"ole:{ext}"
    return "other"


def read_attachment(body: bytes, url: str, content_type: str = "", *, depth: int = 0) -> Reading:
    """Read one attachment; never raises."""
    ext = extension_of(url)
    kind = sniff_format(body, ext)
    try:
        return _read(kind, ext, body, content_type, depth)
    except Exception as exc:  # a broken file of a known format: stored, reported, never a crash
        return Reading(_format_name(kind, ext), UNREADABLE, reason=f"broken {_format_name(kind, ext)} file: "
                       f"{type(exc).__name__}: {str(exc)[:200]}")


def _format_name(kind: str, ext: str) -> str:
    return ext or kind if kind.startswith("ole:") or kind == "other" else kind


def _read(kind: str, ext: str, body: bytes, content_type: str, depth: int) -> Reading:
    if kind == "pdf":
        return read_pdf(body)
    if kind == "xlsx":
        return read_xlsx(body)
    if kind == "docx":
        return read_docx(body)
    if kind == "zip":
        return read_zip(body, depth) if depth == 0 else Reading("zip", UNREADABLE, reason="a zip inside a zip")
    if kind.startswith("ole:"):
        if ext in ("xls", "et"):
            return read_xls(body, ext)
        if ext in ("doc", "wps"):
            return read_doc(body, ext)
        return Reading(ext or "ole", UNREADABLE, reason=f"an Office container with an unexpected name (.{ext})")
    if ext in ("wps", "et"):
        return Reading(ext, UNREADABLE, reason=f"WPS Office .{ext} file in its own format: no maintained reader "
                       "(ask the site for PDF, or convert it by hand)")
    if b"<html" in body[:2048].lower() or content_type.startswith("text/html"):
        return Reading(ext or "html", UNREADABLE, reason=f"not a .{ext or '?'} file but an HTML page "
                       "(an error page or a login wall)")
    return Reading(ext or "unknown", UNREADABLE, reason=f"not a readable .{ext or '?'} file (unknown content)")


# -- PDF ----------------------------------------------------------------------------------------------
def read_pdf(body: bytes) -> Reading:
    import pdfplumber

    texts: list[str] = []
    tables: list[Table] = []
    images = 0
    with pdfplumber.open(io.BytesIO(body)) as pdf:
        pages = len(pdf.pages)
        for number, page in enumerate(pdf.pages, 1):
            texts.append(page.extract_text() or "")
            images += len(page.images)
            found = page.find_tables()
            for table in found:
                # the words just above the table say what it lists (附件1 … 增加的商品)
                top = max(table.bbox[1] - 1, 0)
                above = page.crop((0, 0, page.width, top)).extract_text() if top > 1 else ""
                lines = [line.strip() for line in (above or "").splitlines() if line.strip()]
                tables.append(Table(" ".join(lines[-2:]), table.extract(), page=number))
            page.close()  # pdfplumber keeps every page's objects otherwise: a 300-page list fills memory
    text = "\n".join(texts).strip()
    if pages and len("".join(text.split())) < MIN_TEXT_CHARS_PER_PAGE * pages:
        why = f"no text layer on {pages} page(s)" + (f", {images} image(s): a scan" if images else "")
        return Reading("pdf", NEEDS_OCR, text=text, reason=why, pages=pages)
    return Reading("pdf", PARSED, text=text, tables=tables, pages=pages)


# -- spreadsheets ---------------------------------------------------------------------------------------
def cell_text(value: Any) -> str | None:
    """A cell as text: 1063110.0 → "1063110" (the HS normaliser puts a lost leading zero back)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _sheet_text(name: str, rows: list[list[str | None]]) -> str:
    lines = ["\t".join(c or "" for c in row).rstrip() for row in rows]
    return f"【{name}】\n" + "\n".join(line for line in lines if line)


def read_xlsx(body: bytes) -> Reading:
    from openpyxl import load_workbook

    # not read_only: merged header cells are only known to a full workbook
    book = load_workbook(io.BytesIO(body), data_only=True)
    tables = []
    for sheet in book.worksheets:
        rows = [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        for merged in sheet.merged_cells.ranges:  # a merged header names every column it covers
            value = rows[merged.min_row - 1][merged.min_col - 1] if merged.min_row <= len(rows) else None
            for r in range(merged.min_row - 1, min(merged.max_row, len(rows))):
                for c in range(merged.min_col - 1, min(merged.max_col, len(rows[r]))):
                    rows[r][c] = value
        tables.append(Table(sheet.title, rows))
    return Reading("xlsx", PARSED, text="\n".join(_sheet_text(t.label, t.rows) for t in tables), tables=tables)


def read_xls(body: bytes, ext: str = "xls") -> Reading:
    import xlrd

    book = xlrd.open_workbook(file_contents=body, formatting_info=True)
    tables = []
    for sheet in book.sheets():
        rows = [[cell_text(sheet.cell_value(r, c)) for c in range(sheet.ncols)] for r in range(sheet.nrows)]
        for r0, r1, c0, c1 in sheet.merged_cells:
            for r in range(r0, r1):
                for c in range(c0, c1):
                    rows[r][c] = rows[r0][c0]
        tables.append(Table(sheet.name, rows))
    return Reading(ext, PARSED, text="\n".join(_sheet_text(t.label, t.rows) for t in tables), tables=tables)


# -- Word -------------------------------------------------------------------------------------------------
def read_docx(body: bytes) -> Reading:
    from docx import Document
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph

    document = Document(io.BytesIO(body))
    texts: list[str] = []
    tables: list[Table] = []
    last_paragraph = ""
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            line = Paragraph(child, document).text.strip()
            if line:
                texts.append(line)
                last_paragraph = line
        elif tag == "tbl":
            rows = [[cell.text.strip() or None for cell in row.cells] for row in DocxTable(child, document).rows]
            tables.append(Table(last_paragraph, rows))
            texts.extend("\t".join(c or "" for c in row) for row in rows)
    return Reading("docx", PARSED, text="\n".join(texts), tables=tables)


def read_doc(body: bytes, ext: str = "doc") -> Reading:
    """Legacy Word through antiword (tables come out as ``|cell|cell|`` lines), else catdoc (text only)."""
    commands: list[tuple[str, list[str], Callable[[str], list[Table]]]] = [
        ("antiword", ["-m", "UTF-8.txt", "-w", "0"], antiword_tables), ("catdoc", ["-d", "utf-8", "-w"], lambda _: [])]
    missing = []
    failures = []
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / f"attachment.{ext or 'doc'}"
        path.write_bytes(body)
        for name, options, tables_of in commands:
            program = shutil.which(name)
            if program is None:
                missing.append(name)
                continue
            done = subprocess.run([program, *options, str(path)], capture_output=True, timeout=EXTERNAL_TIMEOUT)
            text = done.stdout.decode("utf-8", errors="replace").strip()
            if done.returncode == 0 and text:
                return Reading(ext, PARSED, text=text, tables=tables_of(text))
            failures.append(f"{name}: {done.stderr.decode('utf-8', 'replace').strip()[:120] or 'no text'}")
    if missing and not failures:
        return Reading(ext, UNREADABLE, reason=f"no .{ext} reader installed ({', '.join(missing)}: "
                       "apt-get install antiword catdoc, or make services)")
    return Reading(ext, UNREADABLE, reason=f"cannot read the .{ext} file: " + "; ".join(failures))


def antiword_tables(text: str) -> list[Table]:
    """Runs of ``|a|b|c|`` lines in antiword's output are tables; the line above names them."""
    tables: list[Table] = []
    current: list[list[str | None]] | None = None
    label = ""
    for line in text.splitlines():
        if line.startswith("|") and line.rstrip().endswith("|"):
            if current is None:
                current = []
                tables.append(Table(label, current))
            current.append([cell.strip() or None for cell in line.strip()[1:-1].split("|")])
            continue
        current = None
        if line.strip():
            label = line.strip()
    return tables


# -- zip ---------------------------------------------------------------------------------------------------
def _member_name(info: zipfile.ZipInfo) -> str:
    """Chinese archives name their members in GBK without the UTF-8 flag; Python read them as cp437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def read_zip(body: bytes, depth: int, max_bytes: int = 64 * 1024 * 1024) -> Reading:
    """Each member of a readable format, read as an attachment of its own (one level deep, bounded size)."""
    archive = zipfile.ZipFile(io.BytesIO(body))
    texts, tables, problems = [], [], []
    statuses = []
    budget = max_bytes
    for info in archive.infolist():
        name = _member_name(info)
        if info.is_dir() or extension_of(name) not in EXTENSIONS:
            continue
        if info.file_size > budget:
            problems.append(f"{name}: larger than {max_bytes} bytes unpacked")
            continue
        budget -= info.file_size
        reading = read_attachment(archive.read(info), name, depth=depth + 1)
        statuses.append(reading.status)
        texts.append(f"== {name} ==\n{reading.text}")
        tables.extend(Table(f"{name} {t.label}".strip(), t.rows, t.page) for t in reading.tables)
        if reading.reason:
            problems.append(f"{name}: {reading.reason}")
    status = PARSED if PARSED in statuses else NEEDS_OCR if NEEDS_OCR in statuses else UNREADABLE
    reason = "; ".join(problems) or (None if statuses else "no member of a readable format")
    return Reading("zip", status, text="\n".join(texts), tables=tables, reason=reason)
