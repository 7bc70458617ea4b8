"""Reading a detail page of the standard government-site template (政府网站 specification).

MOFCOM, MOF, the tax administration, customs since 2025 and most provincial CMSs (TRS, Hanweb,
EasySite) print the same meta set — ``ArticleTitle``, ``PubDate``, ``ContentSource`` … — with the
spelling varying (``contentSource``), so metas are read case-insensitively and the first non-empty
value wins [confirmed: the two saved provincial pages; RSSHub routes]. A source says only where its
title, body and date sit; this module does the rest once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from scrapy.http import TextResponse

from crawler.items import NoticeItem
from crawler.parsing.dates import parse_china_date, parse_china_datetime
from crawler.parsing.page import first_element, first_text, read_metas, select, tidy_inline

if TYPE_CHECKING:
    from crawler.spiders.base import NoticeSpider

_VISIBLE_DATE = re.compile(r"(?:发布|发文|成文)日期[:：]\s*((?:19|20)\d{2}\s*[-年./]\s*\d{1,2}\s*[-月./]\s*\d{1,2}日?)")


def visible_date(response: TextResponse, css: Sequence[str]) -> str | None:
    """A ``发布日期：2016-11-22`` style line, from the given elements or else the whole page."""
    for query in css:
        text = " ".join(select(response, query).xpath(".//text()").getall())
        match = _VISIBLE_DATE.search(text) or re.search(r"(?:19|20)\d{2}-\d{1,2}-\d{1,2}", text)
        if match:
            return match.group(match.lastindex or 0)
    match = _VISIBLE_DATE.search(" ".join(select(response, "body").xpath(".//text()").getall()))
    return match.group(1) if match else None


def read_standard_page(
    spider: NoticeSpider,
    response: TextResponse,
    *,
    body: Sequence[str],
    title: Sequence[str] = ("h1",),
    date: Sequence[str] = (),
    site_id: str | None = None,
    doc_number: str | None = None,
    extra_meta: dict[str, Any] | None = None,
) -> NoticeItem | None:
    """A notice from a standard-template page; ``None`` (and a parse error) without a body."""
    listing: dict[str, Any] = response.meta.get("listing", {})
    metas = read_metas(response)
    element = first_element(response, *body)
    if element is None:
        spider.missing_body(response, body)
        return None
    # A meta title keeps its single spaces ("财政部 海关总署 税务总局关于…"); element text is tidied,
    # because there a space between Chinese characters is a line break of the markup.
    page_title = (" ".join(metas.get("articletitle", "").split()) or first_text(response, *title)
                  or listing.get("title") or tidy_inline(response.xpath("//title/text()").get() or ""))
    stamp = metas.get("pubdate") or visible_date(response, date) or listing.get("pubtime") or ""
    agency = metas.get("contentsource") or ""
    return NoticeItem(
        source=spider.name,
        url=response.url,
        title=page_title or "",
        body_html=element.get(),
        text=spider.body_text(element),
        site_id=site_id,
        doc_number=doc_number or listing.get("doc_number") or None,
        agencies=[agency] if agency else [],
        publish_date=parse_china_date(stamp) or parse_china_date(listing.get("pubtime")),
        site_published_at=parse_china_datetime(metas.get("pubdate")),
        page_meta={"meta": metas, "listing": listing, **(extra_meta or {})},
    )
