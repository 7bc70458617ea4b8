"""Goods-list tables (序号 / 税则号列 / 商品名称 / 备注) to rows with a normalised HS code.

The positive list and customs announcements print such tables in PDFs (the header repeated on every
page, or only on the first), in sheets and in Word tables, often with merged header cells (a
two-row header whose upper cell spans two columns). A table is a goods list when one of its first
rows names an HS-code column (税则号列, 商品编码, 税号 …) and a description column (商品名称, 货品名称 …).
An amendment says what each row does: in a section row inside the table (一、增加的商品), in the
sheet name or the words above the table (附件2：删除商品), or in an 调整类型 column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from crawler.attachments.readers import Table

HS_HEADER = re.compile(r"税则号列|税则号|税号|商品编码|商品编号|海关编码|HS编码|HSCODE|HS", re.I)
NAME_HEADER = re.compile(r"商品名称|货品名称|商品描述|货品描述|品名|名称")
NOTES_HEADER = re.compile(r"备注|监管要求|监管条件|说明")
ACTION_HEADER = re.compile(r"调整(类型|情况|方式|内容)|变动(类型|情况)|操作")
ADD = re.compile(r"增加|新增|纳入|增列")
REMOVE = re.compile(r"删除|删去|移出|取消|不再列入")
# "调整后的清单" and "调整表" name the whole result, not changed rows
CHANGE = re.compile(r"(?<!优化)调整(?!后|表)|修改|变更|修订")
HEADER_ROWS_SCANNED = 6
_NOISE = re.compile(r"[\s.．·\-‐－_/]")
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")  # Word annexes typed with a CJK IME


def normalise_hs(value: Any) -> str | None:
    """``0106.3110`` / ``0106 31 10`` / ``1063110`` (a sheet's number lost its zero) → ``01063110``;
    ``ex`` (part of a line) is dropped. 8 or 10 digits, the 2-digit chapter kept, else ``None``."""
    if value is None:
        return None
    raw = str(value).strip()
    if re.fullmatch(r"\d+\.0", raw):  # a number cell written out as a float
        raw = raw[:-2]
    text = re.sub(r"^ex", "", _NOISE.sub("", raw), flags=re.I).translate(_FULL_WIDTH_DIGITS)
    # str.isdigit() also accepts superscripts and other scripts' digits (², ١): only ASCII digits make a code.
    if not (text.isascii() and text.isdigit()) or len(text) not in (7, 8, 9, 10):
        return None
    return "0" + text if len(text) in (7, 9) else text


@dataclass(frozen=True)
class GoodsRow:
    hs_code: str
    description: str
    notes: str
    action: str | None  # None (a list line), "add", "remove", "change"
    table: str  # where it was read: the table's label, page

    @property
    def chapter(self) -> str:
        return self.hs_code[:2]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def action_of(text: str | None) -> str | None:
    if not text:
        return None
    if REMOVE.search(text):
        return "remove"
    if ADD.search(text):
        return "add"
    if CHANGE.search(text):
        return "change"
    return None


def _clean(cell: str | None) -> str:
    return re.sub(r"\s+", "", cell or "") if cell and re.search(r"[\u4e00-\u9fff]", cell) else (cell or "").strip()


@dataclass
class Columns:
    hs: int
    name: int
    notes: int | None
    action: int | None
    width: int


def find_header(rows: list[list[str | None]]) -> tuple[int, Columns] | None:
    """(index of the last header row, columns) when one of the first rows heads a goods list; a
    two-row header (merged cells above) is read column by column over both rows."""
    for index, row in enumerate(rows[:HEADER_ROWS_SCANNED]):
        cells = [_clean(c) for c in row]
        hs = next((i for i, c in enumerate(cells) if c and HS_HEADER.search(c) and len(c) <= 12), None)
        if hs is None:
            continue
        span = [cells]
        following = [_clean(c) for c in rows[index + 1]] if index + 1 < len(rows) else []
        if following and normalise_hs(following[hs] if hs < len(following) else None) is None and any(
                c and (NAME_HEADER.search(c) or NOTES_HEADER.search(c)) for c in following):
            span.append(following)
        last = index + len(span) - 1
        if index > 0:  # the upper row of a two-row header (序号 and 备注 merged down, 商品 across)
            span.append([_clean(c) for c in rows[index - 1]])
        name = _column(span, NAME_HEADER, hs)
        if name is None:
            continue
        return last, Columns(hs, name, _column(span, NOTES_HEADER, hs),
                                              _column(span, ACTION_HEADER, hs), len(row))
    return None


def _column(span: list[list[str]], pattern: re.Pattern[str], exclude: int) -> int | None:
    for header in span:
        for i, c in enumerate(header):
            if i != exclude and c and pattern.search(c) and len(c) <= 12:
                return i
    return None


def _cell(row: list[str | None], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return _clean(row[index])


def goods_rows(tables: Iterable[Table], context: str = "") -> list[GoodsRow]:
    """Every goods row of the tables, in order. A table without a header that continues the previous
    goods table (a PDF page whose header was not repeated: same width, a code where the code was)
    is read with the previous table's columns. *context* (the attachment's link text) gives the
    action when neither the table nor its rows say one."""
    out: list[GoodsRow] = []
    previous: Columns | None = None
    section = None
    for table in tables:
        rows = [list(r) for r in table.rows if r]
        found = find_header(rows)
        if found is not None:
            start, columns = found[0] + 1, found[1]
            section = None
        elif previous is not None and rows and len(rows[0]) == previous.width and any(
                normalise_hs(_cell(r, previous.hs)) for r in rows[:3]):
            start, columns = 0, previous
        else:
            previous = None
            continue
        previous = columns
        where = f"{table.label} p.{table.page}" if table.page else table.label
        table_action = action_of(table.label) or action_of(context)
        for row in rows[start:]:
            code_cell = _cell(row, columns.hs)
            if code_cell and HS_HEADER.search(code_cell) and not normalise_hs(code_cell):
                continue  # the header again, on a later page
            filled = {c for c in (_clean(c) for c in row) if c}
            code = normalise_hs(code_cell)
            if code is None:
                if len(filled) == 1 and action_of(next(iter(filled))):
                    section = action_of(next(iter(filled)))  # 一、增加的商品 spanning the table
                elif (out and not code_cell and (_cell(row, columns.name) or _cell(row, columns.notes))
                      and not _cell(row, 0).isdigit()):
                    # A description or a note broken over two rows (at a page break, or a cell that
                    # wraps in a Word table, which antiword prints as one line per wrapped line).
                    last = out[-1]
                    out[-1] = GoodsRow(last.hs_code, last.description + _cell(row, columns.name),
                                       (last.notes + _cell(row, columns.notes)).strip(), last.action, last.table)
                continue
            action = action_of(_cell(row, columns.action)) or section or table_action
            out.append(GoodsRow(code, _cell(row, columns.name), _cell(row, columns.notes), action, where))
    return out
