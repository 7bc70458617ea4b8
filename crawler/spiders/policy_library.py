"""The gov.cn policy library (政策文件库) as a list any source can use: its search API and its pages.

``sousuo.www.gov.cn/search-gov/data`` searches 国务院文件 (``t=zhengcelibrary_gw``) and 部门文件
(``t=zhengcelibrary_bm``); rows sit in ``searchVO.listVO[]`` (``title`` with ``<em>``, ``url``,
``pcode``, ``puborg``, ``pubtimeStr``, ``ptime``) and ``code`` 1001 means no hits, which for our
keywords means throttling, not news. The search matches loosely (evidence: #67361561379), so each
source says which rows it wants before any is followed. ``govcn`` reads it for the State Council;
``customs`` reads its 部门文件 filtered to 海关总署 as the way in when www.customs.gov.cn blocks us.

Detail pages: metas ``firstpublishedtime``/``lastmodifiedtime``/``manuscriptId``; the info table
``table.bd1`` (索引号, 发文机关, 成文日期, 发文字号, 发布日期 — labels padded with full-width spaces);
the body ``#UCAP-CONTENT``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urlencode

from scrapy.http import Request, TextResponse

from crawler.health import PARSE
from crawler.items import NoticeItem
from crawler.parsing.dates import from_epoch_ms, parse_china_date, parse_china_datetime
from crawler.parsing.page import first_element, first_text, read_label_table, read_metas, strip_markup
from crawler.spiders.base import NoticeSpider, clean_title

SEARCH_API = "https://sousuo.www.gov.cn/search-gov/data"
SEARCH_REFERER = "https://sousuo.www.gov.cn/zcwjk/policyDocumentLibrary"
DETAIL_URL = re.compile(r"^https?://www\.gov\.cn/(?:zhengce|gongbao)/.*content_(\d+)\.htm$")
AGENCY_SPLIT = re.compile(r"[\s、，,；;]+")

LIBRARY_FACTS = (
    "search-gov/data endpoint, t/q/p/n parameters, searchVO.listVO rows and totalpage [confirmed: "
    "NateScarlet/holiday-cn scripts/fetch.py; #68986543920, 2026-09-18]",
    "code 1001 = no hits [confirmed: holiday-cn]",
    "p starts at 1 [confirmed: tigertall/chinese-calendar scripts/check_holidays.js, p=1 copied from a browser]",
    "searchfield=title (every 2025–26 client; q is ignored without it) [confirmed: live-evidence.md, #59695641150]",
    "the search matches loosely, so rows are checked before they are followed [source: #67361561379, 2026-09-11]",
    "detail metas firstpublishedtime/manuscriptId, body #UCAP-CONTENT (div.trs_editor_view inside) "
    "[confirmed: RSSHub zhengce/index.ts; #70988766670]",
    "table.bd1 info-table labels [confirmed: RSSHub; imio001/gov-policy-crawler]",
)


class PolicyLibraryLists:
    """Mixin for a :class:`NoticeSpider` that lists through the gov.cn policy library search."""

    #: RSSHub drops the digit widget and the flash player from gov.cn bodies; so do we.
    library_furniture: ClassVar[tuple[str, ...]] = (".shuzi", "#myFlash")

    def library_row_wanted(self: Any, row: dict[str, Any]) -> bool:
        """Whether a search row is this source's: the search matches loosely."""
        return True

    def search_request(self: Any, library: str, keyword: str, page: int, attempt: int = 0,
                       filters: dict[str, str] | None = None) -> Request:
        query = {
            "t": library, "q": keyword, "timetype": "timeqb", "mintime": "", "maxtime": "",
            "sort": "pubtime", "sortType": "1", "searchfield": "title", **(filters or {}),
            "p": str(page), "n": str(self.settings.getint("CBECWATCH_PAGE_SIZE", 20)), "type": "gwyzcwjk",
        }
        return self.list_request(
            f"{SEARCH_API}?{urlencode(query)}", callback=self.parse_search, headers={"Referer": SEARCH_REFERER},
            meta={"library": library, "keyword": keyword, "page": page, "attempt": attempt, "filters": filters},
            dont_filter=attempt > 0,
        )

    def parse_search(self: Any, response: TextResponse) -> Iterator[Request]:
        meta = response.meta
        try:
            data = json.loads(response.text)
        except ValueError:
            self.list_failed(response, PARSE, f"search API answered non-JSON at {response.url}")
            return
        if not isinstance(data, dict):
            self.list_failed(response, PARSE, f"search API answered an unexpected JSON shape at {response.url}")
            return
        search = data.get("searchVO") or {}
        rows = search.get("listVO") if isinstance(search, dict) else None
        if data.get("code") not in (200, "200") or not rows:
            # The API answers throttling with an empty result rather than an HTTP error: retry
            # before believing "nothing found", and say so loudly when it stays empty.
            if meta["attempt"] < self.settings.getint("CBECWATCH_EMPTY_RETRIES", 1):
                yield self.search_request(meta["library"], meta["keyword"], meta["page"], meta["attempt"] + 1,
                                          meta.get("filters"))
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
            if not DETAIL_URL.match(url) or not self.library_row_wanted(row):
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
            yield self.search_request(meta["library"], meta["keyword"], page + 1, filters=meta.get("filters"))

    def read_library_detail(self: NoticeSpider, response: TextResponse) -> NoticeItem | None:
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
