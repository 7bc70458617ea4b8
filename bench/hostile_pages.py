"""SYNTHETIC hostile HTML pages of a chosen size, for the linear-time bench and tests (issue 12, item 6).

Every page is generated here (nothing is copied from a real site). Each shape is what a broken or
hostile CMS can serve: the same list block repeated, a huge table, one giant text node, thousands of
``<br>``, nesting thousands of levels deep, many tiny elements, long attribute values, NUL/BOM noise.
A page carries a ``MARKER`` sentence at its far end (the deepest level, the last cell…), so a reader
can check that the whole page was read, not silently cut.

    from bench.hostile_pages import SHAPES, page
    html, expected = page("deep_nesting", 1_000_000)
"""

from __future__ import annotations

from collections.abc import Callable

MARKER = "本通知自发布之日起施行终端标记"
_SENTENCE = "同意在杭州市设立跨境电子商务综合试验区，具体实施方案由浙江省人民政府负责组织实施。"
_HEAD = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>关于设立跨境电子商务综合试验区的批复</title>"
         "</head><body><h1>关于设立跨境电子商务综合试验区的批复</h1>\n<div class=\"TRS_Editor\">")
_TAIL = "</div></body></html>"  # the body sits in a gov.cn (TRS) body element, as a real notice's would


def _fill(unit: Callable[[int], str], size: int) -> str:
    """Repeat ``unit(i)`` until the page reaches about ``size`` bytes (UTF-8)."""
    parts: list[str] = []
    total = len(_HEAD.encode()) + len(_TAIL.encode())
    i = 0
    while total < size:
        part = unit(i)
        parts.append(part)
        total += len(part.encode())
        i += 1
    return "".join(parts)


def repeated_lists(size: int) -> str:
    block = lambda i: (f"<div class=\"list\"><ul><li><a href=\"/a/{i}.html\">第{i}条 {_SENTENCE}</a>"  # noqa: E731
                       f"<span>2024-01-0{i % 9 + 1}</span></li><li>{_SENTENCE}</li></ul></div>\n")
    return f"{_HEAD}{_fill(block, size)}<p>{MARKER}</p>{_TAIL}"


def label_blocks(size: int) -> str:
    """Customs' 法规 label block (``div.hgfg_list``) over and over: each one's label is removed, then its
    text read (this was quadratic in the number of blocks)."""
    block = lambda i: f"<div class=\"hgfg_list\"><span>【文　　号】</span>署税发〔2024〕{i}号 {_SENTENCE}</div>\n"  # noqa: E731
    return f"{_HEAD}{_fill(block, size)}<p>{MARKER}</p>{_TAIL}"


def huge_table(size: int) -> str:
    row = lambda i: f"<tr><td>{i}</td><td>{_SENTENCE}</td><td>浙江省</td></tr>\n"  # noqa: E731
    return f"{_HEAD}<table>{_fill(row, size)}<tr><td>{MARKER}</td></tr></table>{_TAIL}"


def giant_text_node(size: int) -> str:
    return f"{_HEAD}<div>{_fill(lambda i: _SENTENCE, size)}{MARKER}</div>{_TAIL}"


def many_br(size: int) -> str:
    return f"{_HEAD}<div>{_fill(lambda i: f'{_SENTENCE}<br>' if i % 4 == 0 else '<br>', size)}{MARKER}</div>{_TAIL}"


def deep_nesting(size: int, depth: int = 3000) -> str:
    """``depth`` nested ``<div>`` with text at every level and the marker at the bottom; the rest of the
    size is ordinary paragraphs before it."""
    nest = "".join(f"<div>{i}层" for i in range(depth)) + f"<p>{MARKER}</p>" + "</div>" * depth
    filler = _fill(lambda i: f"<p>{_SENTENCE}</p>\n", max(0, size - len(nest.encode())))
    return f"{_HEAD}{filler}{nest}{_TAIL}"


def tiny_elements(size: int) -> str:
    unit = lambda i: f"<span>{_SENTENCE[i % 40]}</span><b></b>"  # noqa: E731
    return f"{_HEAD}<div>{_fill(unit, size)}<p>{MARKER}</p></div>{_TAIL}"


def long_attributes(size: int) -> str:
    value = "x" * 20_000
    unit = lambda i: f"<p data-v=\"{value}\" title=\"{value}\">{_SENTENCE}</p>\n"  # noqa: E731
    return f"{_HEAD}{_fill(unit, size)}<p>{MARKER}</p>{_TAIL}"


def nul_bom_noise(size: int) -> str:
    unit = lambda i: f"<p>\ufeff{_SENTENCE[:20]}\x00\x01{_SENTENCE[20:]}\ufeff</p>\x00\n"  # noqa: E731
    return f"\ufeff{_HEAD}{_fill(unit, size)}<p>{MARKER}</p>{_TAIL}"


SHAPES: dict[str, Callable[[int], str]] = {
    "repeated_lists": repeated_lists,
    "label_blocks": label_blocks,
    "huge_table": huge_table,
    "giant_text_node": giant_text_node,
    "many_br": many_br,
    "deep_nesting": deep_nesting,
    "tiny_elements": tiny_elements,
    "long_attributes": long_attributes,
    "nul_bom_noise": nul_bom_noise,
}
SIZES = (100_000, 1_000_000, 5_000_000)


def page(shape: str, size: int) -> str:
    return SHAPES[shape](size)
