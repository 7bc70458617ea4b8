"""商务部 MOFCOM www.mofcom.gov.cn: 政务公开 › 政策发布, through the list API its JPaaS pages call.

Lists: ``GET /api-gateway/jpaas-publish-server/front/page/build/unit`` with the column's ids
(``webId``, ``tplSetId``, ``pageId`` of the zcfb column, ``tagId=分页列表``, ``parseType=bulidstatic``
— misspelt on the site), page N via ``paramJson={"pageNo":N,"pageSize":15}``, ``Referer`` the column.
The answer is JSON whose ``data.html`` is the rendered list fragment: ``<a href title>`` +
``<span>[YYYY-MM-DD]</span>`` rows, the total in a ``count="N"`` attribute. An empty fragment looks like
success, so it is an *empty answer* here, retried once before it counts.

Detail pages ``/zwgk/zcfb/art/YYYY/art_<32 hex>.html``: metas ``ArticleTitle``/``PubDate``/
``ContentSource``, body ``div.art-con``, the visible ``发文日期：`` line inside it; the 32-hex id is
the stable id. The column ids are per redesign: when they rotate, this source reports drift or an
empty answer by name.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from typing import ClassVar
from urllib.parse import urlencode, urljoin

from parsel import Selector
from scrapy.http import Request, TextResponse

from crawler.health import PARSE
from crawler.items import NoticeItem
from crawler.parsing.page import select, tidy_inline
from crawler.spiders.base import NoticeSpider
from crawler.spiders.pages import read_standard_page

LIST_API = "https://www.mofcom.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit"
API_IDS = {
    "parseType": "bulidstatic", "webId": "8f43c7ad3afc411fb56f281724b73708",
    "tplSetId": "52551ea0e2c14bca8c84792f7aa37ead", "pageType": "column", "tagId": "分页列表",
    "editType": "null", "pageId": "fc8bdff48fa345a48b651c1285b70b8f",
}
PAGE_SIZE = 15
ART_ID = re.compile(r"/art_([0-9a-f]{32})\.html$")
CATEGORY_TAG = re.compile(r"^【[^】]*】")


def list_rows(page: Selector, base_url: str, rows_css: str = "ul.policy-list > li") -> list[tuple[str, dict[str, str]]]:
    """``(url, listing)`` of each row of a MOFCOM list: ``ul.policy-list`` rows on a page; in the
    API's fragment any ``li``, or bare ``<a title>`` + ``<span>`` pairs."""
    rows = []
    elements = select(page, rows_css)
    links = [(li.css("a[href]"), li.css("span::text").get()) for li in elements]
    for link, stamp in links:
        if not link:
            continue
        text = tidy_inline("".join(link[0].xpath(".//text()").getall()))
        title = CATEGORY_TAG.sub("", link[0].attrib.get("title") or text).strip()
        url = urljoin(base_url, link[0].attrib.get("href", ""))
        rows.append((url, {"title": title, "pubtime": (stamp or "").strip()}))
    return rows


def fragment_rows(fragment: Selector, base_url: str) -> list[tuple[str, dict[str, str]]]:
    if select(fragment, "li"):
        return list_rows(fragment, base_url, "li")
    rows = []
    for link in fragment.xpath("//a[@href][@title]"):
        stamp = link.xpath("following-sibling::span[1]/text()").get() or ""
        title = CATEGORY_TAG.sub("", link.attrib["title"]).strip()
        rows.append((urljoin(base_url, link.attrib["href"]), {"title": title, "pubtime": stamp.strip()}))
    return rows


class MofcomSpider(NoticeSpider):
    name = "mofcom"
    agency = "商务部"
    home = "https://www.mofcom.gov.cn/zwgk/zcfb/"
    relies_on: ClassVar[tuple[str, ...]] = (
        "list API /api-gateway/jpaas-publish-server/front/page/build/unit, its ids and data.html "
        "[lead: unconfirmed, two unnamed projects agree]",
        "paramJson={pageNo,pageSize} paging and count=\"N\" total [lead: unconfirmed]",
        "rows <a title>…</a><span>[YYYY-MM-DD]</span>, 【category】 tag in titles [lead: unconfirmed, three projects]",
        "detail /zwgk/zcfb/art/YYYY/art_<32hex>.html [lead: unconfirmed, many quoted URLs]",
        "meta PubDate [source: RSSHub gov/mofcom/article.ts]; ArticleTitle, ContentSource [lead: unconfirmed]",
        "body div.art-con with 发文日期： line [lead: unconfirmed]",
    )
    list_referer = "https://www.mofcom.gov.cn/zwgk/zcfb/"

    def list_requests(self) -> Iterable[Request]:
        yield self.api_request(1)

    def api_request(self, page: int, attempt: int = 0) -> Request:
        query = dict(API_IDS)
        if page > 1:
            query["paramJson"] = json.dumps({"pageNo": page, "pageSize": PAGE_SIZE}, separators=(",", ":"))
        return self.list_request(f"{LIST_API}?{urlencode(query)}", callback=self.parse_api,
                                 headers={"Referer": self.list_referer},
                                 meta={"page": page, "attempt": attempt}, dont_filter=attempt > 0)

    def parse_api(self, response: TextResponse) -> Iterator[Request]:
        page, attempt = response.meta["page"], response.meta["attempt"]
        try:
            data = json.loads(response.text)
        except ValueError:
            self.health.record(PARSE, response.url, f"MOFCOM list API answered non-JSON (page {page})", on_list=True)
            return
        fragment = (data.get("data") or {}).get("html") if isinstance(data, dict) else None
        if not isinstance(fragment, str) or not fragment.strip():
            if attempt < self.settings.getint("CBECWATCH_EMPTY_RETRIES", 1):
                yield self.api_request(page, attempt + 1)
                return
            self.health.note_empty(response.url, f"MOFCOM list API gave an empty answer for page {page} "
                                                 f"(no data.html; the column ids may have changed)")
            return
        selector = Selector(fragment)
        rows = fragment_rows(selector, "https://www.mofcom.gov.cn/")
        self.list_parsed(response, len(rows), "rows in the list API's data.html")
        for url, listing in rows:
            yield from self.follow(url, listing)
        total = int(selector.xpath("//@count").get() or 0)
        if page < math.ceil(total / PAGE_SIZE) and self.wants_next_page((url for url, _ in rows), page):
            yield self.api_request(page + 1)

    def read_detail(self, response: TextResponse) -> NoticeItem | None:
        match = ART_ID.search(response.url)
        return read_standard_page(self, response, body=("div.art-con", "div.art-con-bottonmLine", "div.artCon"),
                                  title=("div.art-title h1", "h1", "div.art-title"), date=("div.art-con",),
                                  site_id=match.group(1) if match else None)
