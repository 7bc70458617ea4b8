"""国家税务总局 税收政策法规库 fgk.chinatax.gov.cn: the policy library, by column.

Lists ``/zcfgk/<column>/list.html``, then ``list_2.html`` …; rows ``div.list ul li a`` with ``p.bt``
(title), ``p.fwzh`` (document number), ``p.cwrq`` (date) and validity ``span.xg`` (全文有效). Detail
example ``/zcfgk/c102416/c5211343/content.html``; its markup is not described publicly, so the reader
takes the standard metas and the STA body ``#fontzoom`` with common fallbacks.

Column codes conflict between public projects (one: c100004 财税文件, c100005 规范性文件; another:
c100010 财税文件, c100012 规范性文件). The codes are configured below with the column name each must
show: a list page whose title does not name its column is reported as drift, naming the code, so a
wrong code is loud instead of silently crawling another column. The POST list API
(``getFileListByCodeId``) is a further lead, not used: it needs a ``channelId`` scraped from page JS.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import ClassVar

from scrapy.http import Request, TextResponse

from crawler.health import LAYOUT_DRIFT
from crawler.items import NoticeItem
from crawler.parsing.page import first_text, select, tidy_inline
from crawler.spiders.base import NoticeSpider
from crawler.spiders.pages import read_standard_page

LIBRARY = "https://fgk.chinatax.gov.cn/zcfgk"
#: column code → the name its list page must show (codes of the unnamed Scrapy spider).
COLUMNS = {"c100012": "规范性文件", "c100010": "财税文件"}
DETAIL_ID = re.compile(r"/(c\d+)/content\.html$")


class ChinataxFgkSpider(NoticeSpider):
    name = "chinatax_fgk"
    agency = "国家税务总局"
    home = "https://fgk.chinatax.gov.cn/"
    relies_on: ClassVar[tuple[str, ...]] = (
        "lists /zcfgk/<column>/list.html, list_N.html [lead: unconfirmed]",
        "rows div.list ul li a with p.bt/p.fwzh/p.cwrq, span.xg validity [lead: unconfirmed]",
        "column codes c100012 规范性文件, c100010 财税文件 [lead: unconfirmed, unnamed Scrapy spider; "
        "another project disagrees] — checked against the page title on every run",
        "detail /zcfgk/c…/c…/content.html [lead: unconfirmed]; body #fontzoom as on www.chinatax.gov.cn [guess]",
    )

    def list_requests(self) -> Iterable[Request]:
        for code in COLUMNS:
            yield self.column_request(code, 1)

    def column_request(self, code: str, page: int) -> Request:
        name = "list.html" if page == 1 else f"list_{page}.html"
        return self.list_request(f"{LIBRARY}/{code}/{name}", callback=self.parse_column,
                                 meta={"column": code, "page": page})

    def parse_column(self, response: TextResponse) -> Iterator[Request]:
        code, page = response.meta["column"], response.meta["page"]
        heading = " ".join(filter(None, (response.xpath("//title/text()").get(),
                                         first_text(response, ".position", ".crumb", "h2"))))
        if COLUMNS[code] not in heading:
            self.health.record(LAYOUT_DRIFT, response.url,
                               f"layout drift: column {code} does not show {COLUMNS[code]} "
                               f"(title {tidy_inline(heading)[:40]!r}); the column codes may have changed",
                               on_list=True)
            return
        urls = []
        for link in select(response, "div.list ul li a[href]"):
            url = response.urljoin(link.attrib["href"])
            urls.append(url)
            listing = {
                "title": tidy_inline("".join(link.css("p.bt ::text").getall())) or link.attrib.get("title", ""),
                "doc_number": tidy_inline("".join(link.css("p.fwzh ::text").getall())),
                "pubtime": tidy_inline("".join(link.css("p.cwrq ::text").getall())),
                "validity": tidy_inline("".join(link.css("span.xg ::text").getall())),
            }
            yield from self.follow(url, listing)
        self.list_parsed(response, len(urls), f"rows of column {code}")
        has_next = select(response, f"a[href$='list_{page + 1}.html']")
        if has_next and self.wants_next_page(urls, page):
            yield self.column_request(code, page + 1)

    def read_detail(self, response: TextResponse) -> NoticeItem | None:
        match = DETAIL_ID.search(response.url)
        return read_standard_page(self, response, body=("#fontzoom", "div.TRS_Editor", "div.arc_cont", "#zoom"),
                                  title=("h1", "div.title"), site_id=match.group(1) if match else None)
