"""HTML page -> PageText: the notice's own text without page chrome, plus metas and the info table.

Body selectors come from sources.md (gov.cn, MOFCOM, GACC EasySite, MOF/TRS, STA, Hanweb, NDRC); an unknown
template falls back to the element that directly holds the most non-link text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .normalize import clean_text, label_key, split_lines

BODY_SELECTORS = (
    "#UCAP-CONTENT", ".pages_content", ".TRS_UEDITOR", ".TRS_Editor",  # gov.cn (TRS)
    "div.art-con",  # MOFCOM
    ".easysite-news-peruse", ".easysite-news-text", ".easysite-news-content",  # GACC EasySite
    "div.my_doccontent",  # MOF
    "#fontzoom",  # STA
    "#zoom",  # Hanweb provincial sites
    ".article_con",  # NDRC
)
TITLE_SELECTORS = (".share-title", "div.easysite-news-title", "h2.title_con", "h1")  # the div: its h2
NOISE_TAGS = ("script", "style", "noscript", "select", "iframe", "form", "button", "textarea", "template")
NOISE_SELECTORS = (".shuzi", "#myFlash", ".easysite-news-operation")
BLOCK_TAGS = ("p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article",
              "blockquote", "pre", "ul", "ol", "dd", "dt", "center", "td", "th")
BLOCK_SET = frozenset(BLOCK_TAGS)
CONTAINERS = {"div", "td", "article", "section", "main", "body"}
# Site-name suffixes of <title>: "…的通知_国务院部门文件_中国政府网".
_TITLE_SPLIT = re.compile(r"\s*(?:_|\s-\s|\s\|\s|｜)\s*")
_VISIBLE_DATE = re.compile(
    r"发布(?:日期|时间)\s*[:：]\s*(\d{4}\s*[-年./]\s*\d{1,2}\s*[-月./]\s*\d{1,2}\s*日?)")


@dataclass
class PageText:
    title: str | None
    text: str
    meta: dict[str, str] = field(default_factory=dict)  # lower-cased names; first non-empty value wins
    info_table: dict[str, str] = field(default_factory=dict)  # normalised labels (发文字号, 发布日期 …)


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
        cells = [_text(td) for td in table.find_all(["td", "th"])]
        i = 0
        while i < len(cells):
            cell = cells[i]
            head, sep, rest = cell.replace(":", "：").partition("：")
            if sep and rest.strip():
                info.setdefault(label_key(head), rest.strip())
            elif sep and i + 1 < len(cells):
                info.setdefault(label_key(head), cells[i + 1].strip())
                i += 1
            i += 1
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


def html_to_text(html: str, url: str | None = None) -> PageText:
    from bs4 import BeautifulSoup

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
        m = _VISIBLE_DATE.search(_text(root))
        if m:
            meta["visible_date"] = m.group(1)
    text = _block_text(body)
    if url:
        meta.setdefault("url", url)
    return PageText(title=clean_text(title).strip() if title else None, text=text, meta=meta, info_table=info)
