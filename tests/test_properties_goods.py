"""Hypothesis properties of the goods-table reader (crawler/attachments/goods.py) on mutated tables:
random header orders, missing columns, merged cells, junk rows and HS codes written every way never
raise, and every row yielded has an 8- or 10-digit ASCII code. Seeds are the positive list's real
rows (tests/data/positive_list_rows.tsv). ``database=None`` keeps runs from writing a .hypothesis
directory into the checkout."""

from __future__ import annotations

import re

from attachment_fixtures import list_rows
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crawler.attachments.goods import goods_rows, normalise_hs
from crawler.attachments.readers import Table

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
PAGES = settings(database=None, deadline=None, max_examples=100,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# -- 3. goods tables of attachments ------------------------------------------------------------------
GOODS = list_rows()  # the positive list's real rows (tests/data/positive_list_rows.tsv)
HEADERS = {"serial": ("序号", "序 号", "编号", None),
           "hs": ("税则号列", "税号", "商品编码", "HS编码", "海关编码", "HSCODE"),
           "name": ("商品名称", "货品名称", "品名", "商品描述"), "notes": ("备注", "监管要求", "说明", None),
           "action": ("调整类型", "调整情况", "变动类型", None)}
HS_CODE = re.compile(r"[0-9]{8}|[0-9]{10}")


def written_code(draw: st.DrawFn, code: str) -> str | None:
    """A code as annexes and sheets write it, or spoil it."""
    form = draw(st.sampled_from(("plain", "dotted", "spaced", "float", "ex", "letters", "fullwidth", "short", "none",
                                 "junk", "superscript")))
    if form == "dotted":
        return f"{code[:4]}.{code[4:]}"
    if form == "spaced":
        return f"{code[:4]} {code[4:6]} {code[6:]}"
    if form == "float":
        return f"{int(code)}.0"
    if form == "ex":
        return "ex" + code
    if form == "letters":
        at = draw(st.integers(0, len(code)))
        return code[:at] + draw(st.sampled_from(("A", "x", "O", "l", "ⅰ"))) + code[at:]
    if form == "fullwidth":
        return code.translate(FULL_WIDTH)
    if form == "short":
        return code[:draw(st.integers(0, len(code) - 1))]
    if form == "none":
        return None
    if form == "junk":
        return draw(st.text(max_size=12))
    if form == "superscript":
        return code[:-1] + "²"
    return code


@st.composite
def goods_tables(draw: st.DrawFn) -> list[Table]:
    """Goods tables in any header order, columns missing, two-row merged headers, junk and section rows,
    split over pages with and without the header repeated."""
    kinds = draw(st.permutations(("serial", "hs", "name", "notes", "action")))
    header = [(kind, draw(st.sampled_from(HEADERS[kind]))) for kind in kinds]
    header = [(kind, title) for kind, title in header if title is not None or draw(st.booleans())]
    header_row: list[str | None] = [title for _, title in header]
    heads = [header_row]
    if draw(st.integers(0, 3)) == 0:  # 商品 merged across two columns above 税号 / 名称
        heads = [[None if title is None else (title[:2] if draw(st.booleans()) else None) for title in header_row],
                 header_row]
    body: list[list[str | None]] = []
    for serial, code, name, notes in draw(st.lists(st.sampled_from(GOODS), max_size=12)):
        cells = {"serial": serial, "hs": written_code(draw, code), "name": name, "notes": notes,
                 "action": draw(st.sampled_from(("增加", "删除", "修改", "", None)))}
        row = [cells[kind] for kind, _ in header]
        junk = draw(st.sampled_from(("none", "none", "none", "drop", "extra", "merge", "section", "blank", "text")))
        if junk == "drop" and row:
            row = row[:-1]
        elif junk == "extra":
            row = [*row, draw(st.text(max_size=8))]
        elif junk == "merge":
            row = [row[0], *[None] * (len(row) - 1)] if row else row
        elif junk == "section":
            body.append([draw(st.sampled_from(("一、增加的商品", "二、删除的商品", "三、调整的商品"))), None, None])
        elif junk == "blank":
            body.append([])
        elif junk == "text":
            body.append([draw(st.text(max_size=20)) for _ in row])
        body.append(row)
    label = draw(st.sampled_from(("附件1：增加商品", "附件2：删除的商品", "Sheet1", "", "口岸")))
    pages = draw(st.integers(1, 3))
    size = max(1, len(body) // pages)
    tables = []
    for page, start in enumerate(range(0, max(len(body), 1), size), start=1):
        repeat = page == 1 or draw(st.booleans())
        tables.append(Table(label, (heads if repeat else []) + body[start:start + size], page))
    return tables


@PAGES
@given(goods_tables(), st.sampled_from(("", "跨境电子商务零售进口商品清单调整表", "删除商品")))
# Found by this property: str.isdigit() accepted a superscript (0402910²) as a digit of the code.
@example([Table("附件1：增加商品", [["序号", "税则号列", "商品名称", "备注", "调整类型"],
                                 ["1", "0402910²", "浓缩但未加糖的非固状乳及奶油", "", "增加"]], 1)], "")
def test_mutated_goods_tables_never_raise_and_yield_only_eight_or_ten_digit_codes(tables: list[Table],
                                                                                  context: str) -> None:
    rows = goods_rows(tables, context)
    for row in rows:
        assert HS_CODE.fullmatch(row.hs_code), row
        assert row.action in (None, "add", "remove", "change"), row
        assert isinstance(row.description, str) and isinstance(row.notes, str)


@PAGES
@given(st.text(max_size=16) | st.integers() | st.floats() | st.none())
@example("0402910²")
@example("٠٤٠٢٩١٠٠")  # Arabic-Indic digits: isdigit() too
def test_normalising_any_cell_gives_none_or_an_ascii_code(value: object) -> None:
    code = normalise_hs(value)
    assert code is None or HS_CODE.fullmatch(code), code


def test_a_code_typed_in_full_width_digits_is_read() -> None:
    assert normalise_hs("０４０２.９１００") == "04029100"
