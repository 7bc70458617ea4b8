"""Reading the parts every government page shares: meta tags, label/value info tables, body text.

Selectors are parsel (Scrapy's) for structure, BeautifulSoup for turning a body into clean,
diffable text. Labels are compared after NFKC and the removal of all whitespace, because the sites
pad them with ordinary and full-width spaces (``发文字号：``, ``标　　题：``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from bs4 import BeautifulSoup
from cssselect import HTMLTranslator
from parsel import Selector, SelectorList

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


def label_key(label: str) -> str:
    """``'发文字号：'`` and ``'发 文 字 号:'`` both become ``'发文字号'``."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", label)).strip(":：【】[]")


def read_metas(selector: Selector) -> dict[str, str]:
    """Meta tags by lower-cased name; the first non-empty value wins (some pages repeat them)."""
    metas: dict[str, str] = {}
    for node in selector.xpath("//meta[@name]"):
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
        cells = [_SPACE.sub(" ", " ".join(c.css("::text").getall())).strip() for c in row.xpath("./td|./th")]
        index = 0
        while index < len(cells):
            cell = cells[index]
            normalized = unicodedata.normalize("NFKC", cell)
            if ":" in normalized:
                label, _, value = normalized.partition(":")
                key = label_key(label)
                if not value.strip() and index + 1 < len(cells):
                    value = cells[index + 1]
                    index += 1
                if key and key not in info:
                    info[key] = value.strip()
            index += 1
    return info


def html_to_text(fragment: str, drop: tuple[str, ...] = ()) -> str:
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


def first_html(selector: Selector, *css: str) -> str | None:
    for query in css:
        found = select(selector, query)
        if found:
            return found[0].get()
    return None


def strip_markup(value: str) -> str:
    """Search-API titles carry ``<em>`` highlights and entities."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", value)).strip()
