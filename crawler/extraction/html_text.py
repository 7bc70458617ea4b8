"""HTML page -> PageText: the notice's own text without page chrome, plus metas and the info table.

Body selectors come from sources.md (gov.cn, MOFCOM, GACC EasySite, MOF/TRS, STA, Hanweb, NDRC); an unknown
template falls back to the element that directly holds the most non-link text. The page is read through
:class:`crawler.extraction.tree.PageTree` (BeautifulSoup's text rules on an lxml tree), from the crawler's
own parse of it when it has one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .dates import OWN_POST
from .normalize import clean_text, label_key, label_pairs, split_lines
from .tree import DOCUMENT, PageTree, SimpleSelector, parse_html, simple_selector, was_flattened

BODY_SELECTORS = (
    "#UCAP-CONTENT", ".pages_content", ".TRS_UEDITOR", ".TRS_Editor",  # gov.cn (TRS)
    "div.art-con",  # MOFCOM
    ".easysite-news-peruse", ".easysite-news-text", ".easysite-news-content",  # GACC EasySite
    "div.my_doccontent",  # MOF
    "#fontzoom",  # STA
    "#zoom",  # Hanweb provincial sites
    "#zoomcon",  # STA's 2026 template and many provincial sites (crawler/spiders/chinatax.py)
    "div.arc_cont",  # STA's policy library and other gov CMSs (crawler/spiders/chinatax_fgk.py)
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
    flattened: bool = False  # nested deeper than libxml2 goes: read with the deepest markup removed


def _first_matches(page: PageTree, selectors: tuple[str, ...]) -> list[Any]:
    """For each simple selector, the first element in document order that matches."""
    return [page.first(_simple(s)) for s in selectors]


def _simple(query: str) -> SimpleSelector:
    selector = simple_selector(query)
    if selector is None:  # the selector tuples above are simple: a new one that is not fails loudly
        raise ValueError(f"not a simple selector: {query!r}")
    return selector


def _metas(page: PageTree) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in page.elements(names=("meta",)):
        key = m.get("name") or m.get("property") or m.get("http-equiv")
        val = (m.get("content") or "").strip()
        if isinstance(key, str) and val:
            out.setdefault(key.strip().lower(), val)
    return out


def _info_table(page: PageTree) -> dict[str, str]:
    info: dict[str, str] = {}
    # gov.cn 政策文件库: label cell then value cell, or "label：value" in one cell.
    for table in page.select(_simple("table.bd1")):
        for key, value in label_pairs([page.words(td) for td in page.elements(table, ("td", "th"))]).items():
            info.setdefault(key, value)
    # GACC 法规 block: <div class="hgfg_list"><span>【文　　号】</span>value</div>.
    for div in list(page.select(_simple("div.hgfg_list"))):
        span = page.find("span", div)
        if span is None:
            continue
        label = label_key(page.words(span))
        page.remove(span)
        info.setdefault(label, page.words(div))
    return {k: v for k, v in info.items() if k}


def _title(page: PageTree, meta: dict[str, str], info: dict[str, str]) -> str | None:
    if info.get("标题"):
        return info["标题"]
    if meta.get("articletitle"):
        return meta["articletitle"]
    for el in _first_matches(page, TITLE_SELECTORS):
        h2 = page.find("h2", el) if el is not None and el.tag == "div" else el
        t = page.words(h2) if h2 is not None else ""
        if t:
            return t
    title = page.find("title")
    raw = page.words(title) if title is not None else ""
    return _TITLE_SPLIT.split(raw)[0] or None if raw else None


def _largest_block(page: PageTree, body: Any) -> Any:
    """The container that directly holds the most text (link text counts against it: menus, lists)."""
    score: dict[Any, float] = {}
    # The container and weight of each string's parent, remembered: walking up from every string was
    # strings x depth, quadratic on a page nested a thousand levels deep.
    holder: dict[Any, tuple[Any, float]] = {}
    for s, parent in page.strings(body):  # every string, comments included, as bs4's find_all(string=True)
        n = len(s.strip())
        if not n:
            continue
        node, weight = _container_of(parent, holder)
        if node is not None:
            score[node] = score.get(node, 0.0) + n * weight
    if not score:
        return body
    return max(score, key=score.__getitem__)


def _container_of(el: Any, holder: dict[Any, tuple[Any, float]]) -> tuple[Any, float]:
    """The nearest container at or above ``el``, and -0.5 when a link lies on the way (else 1.0)."""
    path = []
    node = el
    found: tuple[Any, float] = (None, 1.0)
    while node is not None:
        if node in holder:
            found = holder[node]
            break
        if node.tag in CONTAINERS:
            found = (node, 1.0)
            break
        path.append(node)
        node = node.getparent()
    container, weight = found
    for below in reversed(path):  # from the top down: a link above makes the strings under it link text
        if below.tag == "a":
            weight = -0.5
        holder[below] = (container, weight)
    return holder.get(el, found)


def html_to_text(html: str, url: str | None = None, *, root: Any = None) -> PageText:
    """``root``: the page already parsed by :func:`crawler.extraction.tree.parse_html` (the spider's
    ``response.selector.root``) — it is only read, never changed."""
    if root is None:
        root = parse_html(html)
    page = PageTree(root)
    meta = _metas(page)
    info = _info_table(page)
    title = _title(page, meta, info)
    describe = _first_matches(page, (".easysite-news-describe",))[0]
    for el in list(page.elements(names=NOISE_TAGS)):
        page.remove(el)
    for el in _first_matches(page, NOISE_SELECTORS):
        if el is not None:
            page.remove(el)
    if describe is not None and page.alive(describe) and page.words(describe):
        meta.setdefault("visible_date", page.words(describe))
    candidates = _first_matches(page, BODY_SELECTORS)
    body = next((el for el in candidates if el is not None and len(page.words(el)) >= 20), None)
    root_el = page.find("body")
    if root_el is None:  # not ``or``: an lxml element without children is falsy
        root_el = DOCUMENT
    if body is None:
        body = _largest_block(page, root_el)
    if "visible_date" not in meta:
        words = page.words(root_el)
        m = _VISIBLE_DATE.search(words)
        if m and not OWN_POST.search(words, m.end(), m.end() + 40):  # a reprint site's own post: not the notice's
            meta["visible_date"] = m.group(1)
    text = "\n".join(split_lines(clean_text(page.block_text(body, BLOCK_SET))))
    if url:
        meta.setdefault("url", url)
    return PageText(title=clean_text(title).strip() if title else None, text=text, meta=meta, info_table=info,
                    flattened=was_flattened(root))
