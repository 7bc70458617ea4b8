"""国家税务总局 STA www.chinatax.gov.cn: 最新文件 (the newest tax documents and announcements).

List ``/chinatax/n810341/n810755/index.html``. Its rows were ``ul.list.whlist li`` → ``a`` (RSSHub,
which reads the first 10 and takes dates from the detail page); 2025–26 clients read the links of
``div.common_list`` instead, skipping its paging links, and the 2026 column template has
``ul.list > li`` rows dated ``<span>[2026-05-22]</span>``. Both layouts are read. No paging scheme is
known, so only the first page is read — enough for a list that shows the newest.
Detail pages ``/chinatax/n810341/n810755/c<id>/content.html``: ``meta[name=PubDate]``, body
``#fontzoom``, or ``div#zoomcon`` in the 2026 template; ``c<id>`` is the stable id. Like RSSHub, one
broken detail page never sinks the run.
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
#: Row layouts, oldest first: the first one that holds rows is read.
ROWS = ("ul.list.whlist li", "div.common_list li", "div.common_list a[href]")
#: The links of div.common_list that are its heading and paging, not rows (#56154702355).
NOT_ROWS = frozenset({"最新文件", "首页", "上一页", "下一页", "尾页", "末页"})


class ChinataxSpider(NoticeSpider):
    name = "chinatax"
    agency = "国家税务总局"
    home = "http://www.chinatax.gov.cn/"
    relies_on: ClassVar[tuple[str, ...]] = (
        "最新文件 list /chinatax/n810341/n810755/index.html [source: RSSHub gov/chinatax/latest.ts; "
        "confirmed: #56154702355, 2025–26]",
        "rows ul.list.whlist li a [source: RSSHub latest.ts]",
        "rows in div.common_list, its links minus 首页/上一页/下一页/尾页/末页 [confirmed: #56154702355, 2025–26]",
        "2026 template: ul.list > li rows with <span>[YYYY-MM-DD]</span> [confirmed: spztf/chinatax-crawler "
        "parser.py, May 2026, 税案通报 column]",
        "detail …/c<id>/content.html, meta PubDate, body #fontzoom [source: RSSHub latest.ts]",
        "2026 detail template: body div#zoomcon, title div.sv_texth1 [confirmed: spztf/chinatax-crawler "
        "parser.py, May 2026, 税案通报 column; the 最新文件 column is not named there]",
    )

    def list_requests(self) -> Iterable[Request]:
        yield self.list_request(LIST_URL, callback=self.parse_latest)

    def parse_latest(self, response: TextResponse) -> Iterator[Request]:
        rows = next((found for found in (select(response, query) for query in ROWS) if found), [])
        entries = [(url, listing) for url, listing in self.link_rows(response, rows)
                   if listing["title"] not in NOT_ROWS and url.startswith("http")]
        self.list_parsed(response, len(entries), "rows (ul.list.whlist, div.common_list)")
        for url, listing in entries:
            yield from self.follow(url, listing)

    def read_detail(self, response: TextResponse) -> NoticeItem | None:
        match = DETAIL_ID.search(response.url)
        return read_standard_page(self, response, body=("#fontzoom", "div#zoomcon", "div.TRS_Editor"),
                                  title=("h1", "div.sv_texth1", "div.title", "title"),
                                  site_id=match.group(1) if match else None)
