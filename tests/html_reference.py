"""The text readers as they were on BeautifulSoup, kept as the reference for the lxml ones; only
the label/value pairing of info tables is the shared ``label_pairs`` (it reads cell strings, not the
DOM, and has tests of its own).

:mod:`crawler.extraction.tree` promises bs4's text semantics without a soup; ``test_html_tree`` holds
it to that, page by page and on generated markup. Nothing outside the tests imports this module.
"""

# ruff: noqa
from __future__ import annotations

import re

from bs4 import BeautifulSoup

from crawler.extraction.html_text import (BLOCK_SET, BODY_SELECTORS, CONTAINERS, NOISE_SELECTORS, NOISE_TAGS,
                                          TITLE_SELECTORS, PageText, _TITLE_SPLIT, _VISIBLE_DATE)
from crawler.extraction.dates import OWN_POST
from crawler.extraction.normalize import clean_text, label_key, label_pairs, split_lines

_SPACE = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{2,}")
_DROP_TAGS = ("script", "style", "noscript", "iframe", "object", "embed", "form")
_BLOCK_TAGS = ("p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section")


# -- crawler.parsing.page (the spider's readers, as they were on parsel Selectors and bs4) ----------
def body_html_to_text(fragment: str, drop: tuple[str, ...] = ()) -> str:
    """Body HTML to plain text with one paragraph per line; scripts, styles and the elements
    matching the CSS selectors in *drop* (site widgets inside the body) removed."""
    soup = BeautifulSoup(fragment, "lxml")
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for query in drop:
        for tag in soup.select(query):
            tag.decompose()
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    lines = (_SPACE.sub(" ", line.replace("\u3000", " ")).strip() for line in soup.get_text().split("\n"))
    return _BLANK_LINES.sub("\n", "\n".join(line for line in lines if line)).strip()


def read_metas(selector) -> dict[str, str]:
    metas: dict[str, str] = {}
    for node in selector.xpath("//meta[@name]"):
        name = (node.attrib.get("name") or "").strip().lower()
        content = (node.attrib.get("content") or "").strip()
        if name and content and name not in metas:
            metas[name] = content
    return metas


def read_label_table(selector, rows_css: str) -> dict[str, str]:
    from crawler.parsing.page import select

    info: dict[str, str] = {}
    for row in select(selector, rows_css):
        cells = [_SPACE.sub(" ", " ".join(c.css("::text").getall())).strip() for c in row.xpath("./td|./th")]
        for key, value in label_pairs(cells).items():
            info.setdefault(key, value)
    return info


# -- crawler.extraction.html_text.html_to_text (the extractor's page reader) ------------------------
def _parse_selector(sel: str) -> tuple[str | None, str | None, str | None]:
    """'div.art-con' -> ('div', 'art-con', None); '#zoom' -> (None, None, 'zoom'). Simple selectors only."""
    m = re.fullmatch(r"([a-z0-9]*)(?:\.([\w-]+))?(?:#([\w-]+))?", sel)
    if not m:
        raise ValueError(sel)
    return m.group(1) or None, m.group(2), m.group(3)


def _first_matches(root: object, selectors: tuple[str, ...]) -> list[object | None]:
    """For each simple selector, the first element in document order that matches, in ONE walk of the tree
    (soupsieve walks the whole tree per call, which adds up on big pages)."""
    parsed = [_parse_selector(s) for s in selectors]
    found: list[object | None] = [None] * len(parsed)
    todo = set(range(len(parsed)))
    for el in root.find_all(True):  # type: ignore[attr-defined]
        classes = el.get("class") or ()
        el_id = el.get("id")
        for i in list(todo):
            tag, cls, ident = parsed[i]
            if (tag is None or el.name == tag) and (cls is None or cls in classes) and \
                    (ident is None or el_id == ident):
                found[i] = el
                todo.discard(i)
        if not todo:
            break
    return found


def _text(el: object) -> str:
    return " ".join(el.get_text(" ").split()) if el is not None else ""  # type: ignore[attr-defined]


def _metas(soup: object) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in soup.find_all("meta"):  # type: ignore[attr-defined]
        key = m.get("name") or m.get("property") or m.get("http-equiv")
        val = (m.get("content") or "").strip()
        if isinstance(key, str) and val:
            out.setdefault(key.strip().lower(), val)
    return out


def _info_table(soup: object) -> dict[str, str]:
    info: dict[str, str] = {}
    # gov.cn 政策文件库: label cell then value cell, or "label：value" in one cell.
    for table in soup.select("table.bd1"):  # type: ignore[attr-defined]
        for key, value in label_pairs([_text(td) for td in table.find_all(["td", "th"])]).items():
            info.setdefault(key, value)
    # GACC 法规 block: <div class="hgfg_list"><span>【文　　号】</span>value</div>.
    for div in soup.select("div.hgfg_list"):  # type: ignore[attr-defined]
        span = div.find("span")
        if span is None:
            continue
        label = label_key(_text(span))
        span.extract()
        info.setdefault(label, _text(div))
    return {k: v for k, v in info.items() if k}


def _title(soup: object, meta: dict[str, str], info: dict[str, str]) -> str | None:
    if info.get("标题"):
        return info["标题"]
    if meta.get("articletitle"):
        return meta["articletitle"]
    for el in _first_matches(soup, TITLE_SELECTORS):
        h2 = el.find("h2") if el is not None and el.name == "div" else el  # type: ignore[attr-defined]
        t = _text(h2)
        if t:
            return t
    raw = _text(soup.find("title"))  # type: ignore[attr-defined]
    return _TITLE_SPLIT.split(raw)[0] or None if raw else None


def _largest_block(body: object) -> object:
    """The container that directly holds the most text (link text counts against it: menus, lists)."""
    score: dict[int, float] = {}
    elems: dict[int, object] = {}
    for s in body.find_all(string=True):  # type: ignore[attr-defined]
        n = len(s.strip())
        if not n:
            continue
        weight = 1.0
        node = s.parent
        while node is not None and node.name not in CONTAINERS:
            if node.name == "a":
                weight = -0.5
            node = node.parent
        if node is not None:
            score[id(node)] = score.get(id(node), 0.0) + n * weight
            elems[id(node)] = node
    if not score:
        return body
    return elems[max(score, key=score.__getitem__)]


def _block_text(el: object) -> str:
    """Text with a line break around every block element. An explicit stack, not insert_before() per tag:
    bs4 finds a node's index by a linear scan, which is quadratic on pages with thousands of paragraphs."""
    from bs4 import NavigableString, Tag

    parts: list[str] = []
    stack: list[object] = [el]
    while stack:
        node = stack.pop()
        if node is None:  # marker: end of a block element
            parts.append("\n")
        elif isinstance(node, Tag):
            if node.name in BLOCK_SET:
                parts.append("\n")
                stack.append(None)
            stack.extend(reversed(node.contents))
        elif type(node) is NavigableString:  # skips comments, doctype, CDATA declarations
            parts.append(str(node))
    return "\n".join(split_lines(clean_text("".join(parts))))


def page_html_to_text(html: str, url: str | None = None) -> PageText:
    soup = BeautifulSoup(html, "lxml")
    meta = _metas(soup)
    info = _info_table(soup)
    title = _title(soup, meta, info)
    describe = _first_matches(soup, (".easysite-news-describe",))[0]
    for el in soup.find_all(NOISE_TAGS):
        el.decompose()
    for el in _first_matches(soup, NOISE_SELECTORS):
        if el is not None:
            el.decompose()
    if describe is not None and describe.parent is not None and _text(describe):
        meta.setdefault("visible_date", _text(describe))
    candidates = _first_matches(soup, BODY_SELECTORS)
    body = next((el for el in candidates if el is not None and len(_text(el)) >= 20), None)
    root = soup.body or soup
    if body is None:
        body = _largest_block(root)
    if "visible_date" not in meta:
        words = _text(root)
        m = _VISIBLE_DATE.search(words)
        if m and not OWN_POST.search(words, m.end(), m.end() + 40):
            meta["visible_date"] = m.group(1)
    text = _block_text(body)
    if url:
        meta.setdefault("url", url)
    return PageText(title=clean_text(title).strip() if title else None, text=text, meta=meta, info_table=info)
