"""中国政府网 www.gov.cn (State Council): the policy library search API and the 最新政策 feed.

Lists:
* ``sousuo.www.gov.cn/search-gov/data`` with ``t=zhengcelibrary_gw`` (国务院文件) and
  ``t=zhengcelibrary_bm`` (部门文件), keywords 跨境电商 / 跨境电子商务, newest first. Items in
  ``searchVO.listVO[]`` (``title`` with ``<em>``, ``url``, ``pcode``, ``puborg``, ``pubtimeStr``,
  ``ptime``); ``code`` 1001 means no hits, which for these keywords means throttling, not news.
* ``www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json``: a top-level array of ``TITLE``/``URL``/
  ``DOCRELPUBTIME`` rows of every new policy; we follow only rows whose title is about trade,
  customs, tax or e-commerce, because the feed carries ~1,000 unrelated documents.

Detail pages: metas ``firstpublishedtime``/``lastmodifiedtime``/``manuscriptId``; the 政策文件库
info table ``table.bd1`` (索引号, 发文机关, 成文日期, 发文字号, 发布日期 — labels padded with full-width
spaces); the body ``#UCAP-CONTENT``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar
from urllib.parse import urlencode

from scrapy.http import Request, TextResponse

from crawler.health import PARSE
from crawler.items import NoticeItem
from crawler.parsing.dates import from_epoch_ms, parse_china_date, parse_china_datetime
from crawler.parsing.page import first_element, first_text, read_label_table, read_metas, strip_markup
from crawler.spiders.base import NoticeSpider, clean_title

SEARCH_API = "https://sousuo.www.gov.cn/search-gov/data"
LATEST_FEED = "https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json"
LIBRARIES = ("zhengcelibrary_gw", "zhengcelibrary_bm")
KEYWORDS = ("跨境电商", "跨境电子商务")
DETAIL_URL = re.compile(r"^https?://www\.gov\.cn/(?:zhengce|gongbao)/.*content_(\d+)\.htm$")
FEED_TITLE_WORDS = re.compile(r"跨境|电子商务|电商|试验区|保税|进口|出口|外贸|贸易|海关|口岸|关税|税收|自由贸易")
AGENCY_SPLIT = re.compile(r"[\s、，,；;]+")


class GovcnSpider(NoticeSpider):
    name = "govcn"
    agency = "国务院"
    home = "https://www.gov.cn/"
    relies_on: ClassVar[tuple[str, ...]] = (
        "search-gov/data endpoint, t/p/n parameters and item fields [confirmed: holiday-cn; China-Central-Policy-MCP]",
        "searchVO.listVO and totalpage for the _gw/_bm libraries [source: holiday-cn]",
        "code 1001 = no hits [source: holiday-cn]",
        "p starts at 1 [lead: unconfirmed; holiday-cn starts at 0]",
        "searchfield=title:content [lead: unconfirmed]",
        "ZUIXINZHENGCE.json array with TITLE/URL/DOCRELPUBTIME [lead: unconfirmed, several projects]",
        "metas firstpublishedtime/lastmodifiedtime/manuscriptId, body #UCAP-CONTENT [confirmed: saved page; RSSHub]",
        "table.bd1 info-table labels [confirmed: RSSHub; imio001/gov-policy-crawler]",
    )
    # RSSHub drops the digit widget and the flash player from gov.cn bodies; so do we.
    body_furniture: ClassVar[tuple[str, ...]] = (".shuzi", "#myFlash")

    def list_requests(self) -> Iterable[Request]:
        for library in LIBRARIES:
            for keyword in KEYWORDS:
                yield self.search_request(library, keyword, page=1)
        yield self.list_request(LATEST_FEED, callback=self.parse_feed)

    # -- search API ------------------------------------------------------------------------
    def search_request(self, library: str, keyword: str, page: int, attempt: int = 0) -> Request:
        query = {
            "t": library, "q": keyword, "timetype": "timeqb", "mintime": "", "maxtime": "",
            "sort": "pubtime", "sortType": "1", "searchfield": "title:content",
            "p": str(page), "n": str(self.settings.getint("CBECWATCH_PAGE_SIZE", 20)), "type": "gwyzcwjk",
        }
        return self.list_request(
            f"{SEARCH_API}?{urlencode(query)}",
            callback=self.parse_search,
            headers={"Referer": "https://sousuo.www.gov.cn/zcwjk/policyDocumentLibrary"},
            meta={"library": library, "keyword": keyword, "page": page, "attempt": attempt},
            dont_filter=attempt > 0,
        )

    def parse_search(self, response: TextResponse) -> Iterator[Request]:
        meta = response.meta
        try:
            data = json.loads(response.text)
        except ValueError:
            self.health.record(PARSE, response.url, f"search API answered non-JSON at {response.url}", on_list=True)
            return
        if not isinstance(data, dict):
            self.health.record(PARSE, response.url, "search API answered an unexpected JSON shape", on_list=True)
            return
        search = data.get("searchVO") or {}
        rows = search.get("listVO") if isinstance(search, dict) else None
        if data.get("code") not in (200, "200") or not rows:
            # The API answers throttling with an empty result rather than an HTTP error: retry
            # before believing "nothing found", and say so loudly when it stays empty.
            if meta["attempt"] < self.settings.getint("CBECWATCH_EMPTY_RETRIES", 1):
                yield self.search_request(meta["library"], meta["keyword"], meta["page"], meta["attempt"] + 1)
                return
            self.health.note_empty(
                response.url,
                f"search API gave an empty answer (code {data.get('code')!r}, "
                f"{strip_markup(str(data.get('msg') or ''))!r}) for {meta['library']} {meta['keyword']}",
            )
            return
        self.list_parsed(response, len(rows), "search results")
        urls = []
        for row in rows:
            url = str(row.get("url") or "").strip()
            if not DETAIL_URL.match(url):
                continue
            listing = {
                "title": strip_markup(str(row.get("title") or "")),
                "pcode": str(row.get("pcode") or "").strip(),
                "puborg": str(row.get("puborg") or "").strip(),
                "pubtime": row.get("pubtimeStr") or "",
                "ptime": row.get("ptime") or row.get("pubtime"),
            }
            urls.append(url)
            yield from self.follow(url, listing)
        total_pages = int(search.get("totalpage") or 1)
        page = meta["page"]
        if page < total_pages and self.wants_next_page(urls, page):
            yield self.search_request(meta["library"], meta["keyword"], page + 1)

    # -- 最新政策 feed ----------------------------------------------------------------------
    def parse_feed(self, response: TextResponse) -> Iterator[Request]:
        try:
            rows = json.loads(response.text)
        except ValueError:
            self.health.record(PARSE, response.url, "最新政策 feed is not JSON", on_list=True)
            return
        if not isinstance(rows, list):
            self.health.record(PARSE, response.url, "最新政策 feed is not a JSON array", on_list=True)
            return
        self.list_parsed(response, len(rows), "feed rows")
        for row in rows[: self.settings.getint("CBECWATCH_FEED_LIMIT", 200)]:
            title = strip_markup(str(row.get("TITLE") or ""))
            url = response.urljoin(str(row.get("URL") or ""))
            if DETAIL_URL.match(url) and FEED_TITLE_WORDS.search(title):
                listing = {"title": title, "pubtime": row.get("DOCRELPUBTIME") or ""}
                yield from self.follow(url, listing)

    # -- detail page -----------------------------------------------------------------------
    def read_detail(self, response: TextResponse) -> NoticeItem | None:
        listing: dict[str, Any] = response.meta.get("listing", {})
        metas = read_metas(response)
        info = read_label_table(response, "table.bd1 tr")
        element = first_element(response, "#UCAP-CONTENT", "div.pages_content", "div.TRS_UEDITOR", "div.TRS_Editor")
        if element is None:
            self.health.record(PARSE, response.url, f"parse error: no #UCAP-CONTENT body at {response.url}")
            return None
        title = (info.get("标题") or first_text(response, "div.share-title", "h1")
                 or listing.get("title") or clean_title(response.css("title::text").get(), "_"))
        match = DETAIL_URL.match(response.url)
        agencies_text = info.get("发文机关") or listing.get("puborg") or ""
        listed_at = from_epoch_ms(listing.get("ptime"))
        # The info table's 发布日期 is the original publication; firstpublishedtime can be a later repost.
        publish = (parse_china_date(info.get("发布日期")) or parse_china_date(listing.get("pubtime"))
                   or (listed_at.date() if listed_at else None) or parse_china_date(metas.get("firstpublishedtime")))
        return NoticeItem(
            source=self.name,
            url=response.url,
            title=title or "",
            body_html=element.get(),
            text=self.body_text(element),
            site_id=metas.get("manuscriptid") or (match.group(1) if match else None),
            doc_number=info.get("发文字号") or listing.get("pcode") or None,
            agencies=[a for a in AGENCY_SPLIT.split(agencies_text) if a],
            issue_date=parse_china_date(info.get("成文日期")),
            publish_date=publish,
            site_published_at=parse_china_datetime(metas.get("firstpublishedtime")),
            site_modified_at=parse_china_datetime(metas.get("lastmodifiedtime")),
            page_meta={"meta": metas, "info": info, "listing": listing},
        )
