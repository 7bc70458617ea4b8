"""中国政府网 www.gov.cn (State Council): the policy library search API and the 最新政策 feed.

Lists:
* the policy library search (:mod:`crawler.spiders.policy_library`) of 国务院文件 and 部门文件,
  keywords 跨境电商 / 跨境电子商务, newest first;
* ``www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json``: a top-level array of ``TITLE``/``URL``/
  ``DOCRELPUBTIME`` rows of every new policy; we follow only rows whose title is about trade,
  customs, tax or e-commerce, because the feed carries ~1,000 unrelated documents.

Detail pages are policy-library pages (see there).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from scrapy.http import Request, TextResponse

from crawler.health import PARSE
from crawler.items import NoticeItem
from crawler.parsing.page import strip_markup
from crawler.spiders.base import NoticeSpider
from crawler.spiders.policy_library import DETAIL_URL, LIBRARY_FACTS, PolicyLibraryLists

LATEST_FEED = "https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json"
LIBRARIES = ("zhengcelibrary_gw", "zhengcelibrary_bm")
KEYWORDS = ("跨境电商", "跨境电子商务")
FEED_TITLE_WORDS = re.compile(r"跨境|电子商务|电商|试验区|保税|进口|出口|外贸|贸易|海关|口岸|关税|税收|自由贸易")


class GovcnSpider(PolicyLibraryLists, NoticeSpider):
    name = "govcn"
    agency = "国务院"
    home = "https://www.gov.cn/"
    relies_on: ClassVar[tuple[str, ...]] = (
        *LIBRARY_FACTS,
        "ZUIXINZHENGCE.json: a top-level array of TITLE/SUB_TITLE/URL/DOCRELPUBTIME, absolute URLs, ~1,100 rows "
        "[confirmed: #67361561379, 2026-09-11; #69518355907, 2026-09-22]",
    )
    body_furniture: ClassVar[tuple[str, ...]] = PolicyLibraryLists.library_furniture

    def list_requests(self) -> Iterable[Request]:
        for library in LIBRARIES:
            for keyword in KEYWORDS:
                yield self.search_request(library, keyword, page=1)
        yield self.list_request(LATEST_FEED, callback=self.parse_feed)

    # -- 最新政策 feed ----------------------------------------------------------------------
    def parse_feed(self, response: TextResponse) -> Iterator[Request]:
        try:
            rows = json.loads(response.text)
        except ValueError:
            self.list_failed(response, PARSE, "最新政策 feed is not JSON")
            return
        if not isinstance(rows, list):
            self.list_failed(response, PARSE, "最新政策 feed is not a JSON array")
            return
        self.list_parsed(response, len(rows), "feed rows")
        for row in rows[: self.settings.getint("CBECWATCH_FEED_LIMIT", 200)]:
            title = strip_markup(str(row.get("TITLE") or ""))
            url = response.urljoin(str(row.get("URL") or ""))
            if DETAIL_URL.match(url) and FEED_TITLE_WORDS.search(title):
                listing = {"title": title, "pubtime": row.get("DOCRELPUBTIME") or ""}
                yield from self.follow(url, listing)

    # -- detail page -----------------------------------------------------------------------
    def library_row_wanted(self, row: dict[str, Any]) -> bool:
        """The search matches loosely: a row must be about trade, customs, tax or e-commerce."""
        return bool(FEED_TITLE_WORDS.search(strip_markup(str(row.get("title") or ""))))

    def read_detail(self, response: TextResponse) -> NoticeItem | None:
        return self.read_library_detail(response)
