"""Reading the parts every government page shares: meta tags, label/value info tables, body text.

Selectors are parsel (Scrapy's) for structure; a body becomes clean, diffable text by
BeautifulSoup's rules, read straight from parsel's lxml tree (:mod:`crawler.extraction.tree`).
Labels are compared after NFKC and the removal of all whitespace, because the sites pad them with
ordinary and full-width spaces (``发文字号：``, ``标　　题：``).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from cssselect import HTMLTranslator
from parsel import Selector, SelectorList

from crawler.extraction.normalize import label_pairs
from crawler.extraction.tree import DOCUMENT, PageTree, simple_selector

_SPACE = re.compile(r"\s+")
_BLANK_LINES = re.compile(r"\n{2,}")
_DROP_TAGS = ("script", "style", "noscript", "iframe", "object", "embed", "form")
_BLOCK_TAGS = ("p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section")


@cache
def _css_to_xpath(query: str) -> str:
    return HTMLTranslator().css_to_xpath(query, prefix="//")


def select(selector: Selector, query: str) -> SelectorList[Selector]:
    """CSS selection over the whole document.

    Unlike ``Selector.css`` (which searches below the root element), this also finds elements
    that lxml placed outside it: real gov.cn pages carry two ``<html>`` elements, and their body
    sits under the second one.
    """
    return selector.xpath(_css_to_xpath(query))


def _root(selector: Selector) -> Any:
    """The lxml element behind a Selector or a response (whose selector is parsed once and cached)."""
    return selector.root if isinstance(selector, Selector) else selector.selector.root  # type: ignore[attr-defined]


def attribute(element: Selector | SelectorList[Selector], name: str) -> str | None:
    """One attribute of an element, None when absent. Not parsel's ``.attrib``: that copies every
    attribute into a dict, and lxml refuses to hand back one whose *name* holds a control character
    (ValueError "All strings must be XML compatible"), which a page decoded with the wrong charset
    has; asking for the one attribute wanted never meets the others. A list: its first element's,
    as parsel's ``SelectorList.attrib``."""
    if isinstance(element, SelectorList):
        if not element:
            return None
        element = element[0]
    root = element.root
    return root.get(name) if hasattr(root, "get") else None


def read_metas(selector: Selector) -> dict[str, str]:
    """Meta tags by lower-cased name; the first non-empty value wins (some pages repeat them)."""
    metas: dict[str, str] = {}
    # lxml's elements, not one parsel Selector per node (a third of the spider's time on a page)
    for node in _root(selector).xpath("//meta[@name]"):
        name = (node.attrib.get("name") or "").strip().lower()
        content = (node.attrib.get("content") or "").strip()
        if name and content and name not in metas:
            metas[name] = content
    return metas


def read_label_table(selector: Selector, rows_css: str) -> dict[str, str]:
    """A label/value table: the value is the cell after the label, or the text after the colon.

    Works for gov.cn's ``table.bd1`` where one row holds two label/value pairs.
    """
    info: dict[str, str] = {}
    for row in select(selector, rows_css):
        cells = [_SPACE.sub(" ", " ".join(c.xpath("descendant-or-self::text()"))).strip()  # = css("::text")
                 for c in row.root.xpath("./td|./th")]
        for key, value in label_pairs(cells).items():
            info.setdefault(key, value)
    return info


def html_to_text(fragment: str, drop: tuple[str, ...] = ()) -> str:
    """Body HTML to plain text with one paragraph per line; scripts, styles and the elements
    matching the CSS selectors in *drop* (site widgets inside the body) removed."""
    return _tree_text(PageTree.parse(fragment), drop)


def element_text(element: Selector, drop: tuple[str, ...] = ()) -> str:
    """:func:`html_to_text` of ``element.get()``, read from the page's tree instead of re-parsing the
    serialised element: the same text, because the subtree is what that serialisation parses into.
    Selectors in *drop* other than simple ones (``div.a#b``) go the long way, to keep their context."""
    page = PageTree(element.root, with_siblings=False)
    if not all(simple_selector(query) for query in drop) or not _reparses_the_same(page, element.root):
        return html_to_text(element.get(), drop)
    return _tree_text(page, drop)


_RAW_TEXT = frozenset(("iframe", "xmp", "noembed", "noframes", "plaintext"))
_UNIQUE = frozenset(("html", "head", "body"))


def _reparses_the_same(page: PageTree, element: object) -> bool:
    """Whether lxml's serialisation of the subtree parses back into the same tree. Not when it holds
    an empty ``<li>`` (written without its end tag, so what follows moves into it), text in a raw-text
    element (escaped when written, read back literally) or a nested ``html``/``head``/``body`` (merged
    into the document's own); the text then has to come from that re-parse, as it always did."""
    for el in page.elements(names=_RAW_TEXT | _UNIQUE | {"li"}):
        tag = el.tag
        if (tag == "li" and not len(el) and not el.text) or (tag in _RAW_TEXT and (el.text or len(el))) \
                or (tag in _UNIQUE and el is not element):
            return False
    return True


def _tree_text(page: PageTree, drop: tuple[str, ...]) -> str:
    for tag in list(page.elements(names=_DROP_TAGS)):
        page.remove(tag)
    for query in drop:
        simple = simple_selector(query)
        if simple is not None:
            found = list(page.select(simple))
        else:  # a full CSS selector: lxml's matching (bs4 would not see removed siblings; none in use)
            top = next(page.elements(), None)
            found = top.xpath(_css_to_xpath(query)) if top is not None else []
        for tag in found:
            page.remove(tag)
    text = page.block_text(DOCUMENT, _BLOCK_TAGS)
    lines = (_SPACE.sub(" ", line.replace("\u3000", " ")).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n", "\n".join(line for line in lines if line)).strip()


_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef\d]) (?=[\u3000-\u9fff\uff00-\uffef])")


def tidy_inline(value: str) -> str:
    """One line of text: whitespace collapsed, and no stray spaces between Chinese characters
    (titles are broken by ``<br>　`` on gov.cn, which must not leave a gap)."""
    collapsed = _SPACE.sub(" ", value.replace("\u3000", " ")).strip()
    return _CJK_GAP.sub("", collapsed)


def first_text(selector: Selector, *css: str) -> str | None:
    for query in css:
        parts = select(selector, query).xpath(".//text()").getall()
        text = tidy_inline("".join(parts))
        if text:
            return text
    return None


def first_element(selector: Selector, *css: str) -> Selector | None:
    for query in css:
        found = select(selector, query)
        if found:
            return found[0]
    return None


def strip_markup(value: str) -> str:
    """Search-API titles carry ``<em>`` highlights and entities."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", value)).strip()
