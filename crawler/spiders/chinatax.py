"""国家税务总局 STA www.chinatax.gov.cn: 最新文件 (the newest tax documents and announcements).

List ``/chinatax/n810341/n810755/index.html``: rows ``ul.list.whlist li`` → ``a`` (RSSHub reads the
first 10 and takes dates from the detail page; a ``span`` date is used when the row has one). No
paging scheme is known, so only the first page is read — enough for a list that shows the newest.
Detail pages ``/chinatax/n810341/n810755/c<id>/content.html``: ``meta[name=PubDate]``, body
``#fontzoom``; ``c<id>`` is the stable id. Like RSSHub, one broken detail page never sinks the run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import ClassVar

from scrapy.http import Request, TextResponse

from crawler.items import NoticeItem
from crawler.parsing.page import select
from crawler.spiders.base import NoticeSpider
from crawler.spiders.pages import read_standard_page

LIST_URL = "http://www.chinatax.gov.cn/chinatax/n810341/n810755/index.html"
DETAIL_ID = re.compile(r"/(c\d+)/content\.html$")


class ChinataxSpider(NoticeSpider):
    name = "chinatax"
    agency = "国家税务总局"
    home = "http://www.chinatax.gov.cn/"
    relies_on: ClassVar[tuple[str, ...]] = (
        "最新文件 list /chinatax/n810341/n810755/index.html [source: RSSHub gov/chinatax/latest.ts]",
        "rows ul.list.whlist li a [source: RSSHub latest.ts]; span date in the row [guess]",
        "detail …/c<id>/content.html, meta PubDate, body #fontzoom [source: RSSHub latest.ts]",
    )

    def list_requests(self) -> Iterable[Request]:
        yield self.list_request(LIST_URL, callback=self.parse_latest)

    def parse_latest(self, response: TextResponse) -> Iterator[Request]:
        entries = self.link_rows(response, select(response, "ul.list.whlist li"))
        self.list_parsed(response, len(entries), "ul.list.whlist rows")
        for url, listing in entries:
            yield from self.follow(url, listing)

    def read_detail(self, response: TextResponse) -> NoticeItem | None:
        match = DETAIL_ID.search(response.url)
        return read_standard_page(self, response, body=("#fontzoom", "div.TRS_Editor"),
                                  title=("h1", "div.title", "title"), site_id=match.group(1) if match else None)
