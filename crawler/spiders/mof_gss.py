"""财政部关税司 gss.mof.gov.cn: 政策发布 (tariff policy: the cross-border retail import tax notices,
the positive lists, the yearly tariff schedule).

List ``/gzdt/zhengcefabu/`` (TRS static publishing): rows ``ul.liBox li`` with ``a@title``, a relative
``a@href`` and the date in ``span``; later pages ``index_1.htm``, ``index_2.htm`` … up to the
page count of the paging script, sometimes only the literal ``createPageHTML(50, 1, "index", "htm")``
(:mod:`crawler.parsing.paging`). A 502 that carries the real page is used (judged by its body, in
:mod:`crawler.parsing.status`). Detail pages
``/gzdt/zhengcefabu/YYYYMM/tYYYYMMDD_N.htm``: metas ``ArticleTitle``/``PubDate``, title ``h2.title_con``,
body ``div.my_doccontent`` (wrapping ``.TRS_Editor``), issuing department ``div.zzName``.

Encoding: 2017-era crawlers decoded MOF pages as GB2312; nobody confirmed the current one, so it is
never hard-coded here — header, then meta, then sniffing, GB2312/GBK read as GB18030
(:mod:`crawler.encoding`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import ClassVar

from scrapy.http import Request, TextResponse

from crawler.items import NoticeItem
from crawler.parsing.page import first_text, select
from crawler.parsing.paging import trs_paging
from crawler.spiders.base import NoticeSpider
from crawler.spiders.pages import read_standard_page

LIST_URL = "https://gss.mof.gov.cn/gzdt/zhengcefabu/"
DETAIL_ID = re.compile(r"/(t\d{8}_\d+)\.htm$")


class MofGssSpider(NoticeSpider):
    name = "mof_gss"
    agency = "财政部关税司"
    home = "https://gss.mof.gov.cn/"
    relies_on: ClassVar[tuple[str, ...]] = (
        "list /gzdt/zhengcefabu/ [source: RSSHub gov/mof/gss.ts]",
        "rows ul.liBox li, a@title, relative a@href (./YYYYMM/t….htm), span date [source: RSSHub gss.ts, "
        "bond.ts; confirmed on the MOF template: #71582059322, 2026-09-29; #71359530188, 2026-10-06]",
        "paging index_N.htm, count from var countPage [lead: several projects] or only from the literal "
        "createPageHTML(50, 1, \"index\", \"htm\") [confirmed: #71582059322, 2026-09-29, zhs.mof.gov.cn]; "
        "the 2nd argument is the 0-based page index [lead: TRS page script #24728928686]",
        "detail /gzdt/zhengcefabu/YYYYMM/tYYYYMMDD_N.htm [lead: many quoted URLs; the shape confirmed on "
        "other MOF hosts: #71239061226, #71359530188, 2026-10-06]",
        "metas ArticleTitle/PubDate, body div.my_doccontent, div.zzName [source: RSSHub gss.ts; ArticleTitle, "
        "PubDate, my_doccontent confirmed: #71239061226, #71359530188, 2026-10-06]",
        "title div.box_content > h2.title_con, visible 发布日期：YYYY年MM月DD日 [confirmed: #71239061226, "
        "#71359530188]; a static chrome date sits in div.nav > p, so the visible date is read from "
        "div.box_content only",
        "MOF hosts answer HTTP 502 with the real page on some paths and with a Squid error page on others "
        "[confirmed: #59695641150, yss/gks.mof.gov.cn] — judged by the body (crawler/parsing/status.py)",
        "GB2312 pages [lead: unconfirmed]; charset detected, never hard-coded",
    )

    def list_requests(self) -> Iterable[Request]:
        yield self.list_request(LIST_URL, callback=self.parse_releases, meta={"page": 1})

    def parse_releases(self, response: TextResponse) -> Iterator[Request]:
        entries = self.link_rows(response, select(response, "ul.liBox li"))
        urls = [url for url, _ in entries]
        for url, listing in entries:
            yield from self.follow(url, listing)
        self.list_parsed(response, len(urls), "ul.liBox rows")
        page = response.meta["page"]  # index.htm is page 1, index_1.htm page 2
        paging = trs_paging(response.text)
        if paging and page < paging.pages and self.wants_next_page(urls, page):
            yield self.list_request(LIST_URL + paging.url_of(page + 1), callback=self.parse_releases,
                                    meta={"page": page + 1})

    def read_detail(self, response: TextResponse) -> NoticeItem | None:
        match = DETAIL_ID.search(response.url)
        department = first_text(response, "div.zzName")
        item = read_standard_page(self, response, body=("div.my_doccontent", "div.TRS_Editor"),
                                  title=("h2.title_con", "h1"), date=("div.box_content",),
                                  site_id=match.group(1) if match else None,
                                  extra_meta={"department": department})
        if item is not None and department and department not in item.agencies:
            item.agencies.append(department)
        return item
