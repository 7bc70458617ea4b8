"""海关总署 GACC www.customs.gov.cn: the 海关总署公告 list and its detail pages, in both URL schemes.

List ``/customs/302249/302266/302267/index.html`` (EasySite): rows ``ul.conList_ul li`` (also
``[class^=conList_ul] li``) with ``a@title``, a relative ``a@href`` and the date in ``span``. Next page:
``div.easysite-page-wrap a[title='下一页']``, its target in ``tagname`` (``[NEXTPAGE]`` on the last page).

Detail pages come in two schemes, and the list links to both:

* EasySite ``/customs/302249/302266/302267/<id>/index.html``: title ``div.easysite-news-title h2``,
  date ``.easysite-news-describe``, body ``.easysite-news-peruse`` / ``div.easysite-news-content`` /
  ``div.easysite-news-text``, the 法规 labels ``div.hgfg_list span`` (【文　　号】, 【发布日期】 …).
* Since the 2025 redesign ``/customs/YYYY-MM/DD/article_<digits>.html``, whose markup is not known
  publicly: the reader takes the standard metas and tries the EasySite bodies, then common CMS bodies.

The live site answers plain clients with the 瑞数 (Ruishu) challenge — HTTP 412 and a ``$_ts`` script —
and headless browsers with HTTP 400 and an empty body (live-evidence.md, #58115790249, 2026-08-19); older
reports saw a 加速乐 cookie challenge (``__jsl_clearance``). Either is reported as *blocked*, never as "no
notices". ``CBECWATCH_CUSTOMS_BROWSER=1`` fetches with headless Chromium (scrapy-playwright), which gets
through a cookie challenge but, by that evidence, not through 瑞数; see :mod:`crawler.browser`.

So the source has a second way in: many GACC announcements are reprinted in the gov.cn policy library's
部门文件. When no customs list page answers, the spider searches that library for documents whose issuing
agency (``puborg``) includes 海关总署 and reports itself ``covered`` — "blocked (covered via govcn)" —
with the reason, not as silence and not as fine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from scrapy.http import Request, TextResponse
from scrapy.settings import BaseSettings

from crawler.extraction.normalize import label_key
from crawler.items import NoticeItem
from crawler.parsing.dates import parse_china_date
from crawler.parsing.page import attribute, select, tidy_inline
from crawler.spiders.base import NoticeSpider
from crawler.spiders.pages import read_standard_page
from crawler.spiders.policy_library import DETAIL_URL as LIBRARY_DETAIL
from crawler.spiders.policy_library import LIBRARY_FACTS, PolicyLibraryLists

LIST_URL = "http://www.customs.gov.cn/customs/302249/302266/302267/index.html"
EASYSITE_DETAIL = re.compile(r"/customs/302249/(?:[\w/]+/)?(\d+)/index\.html$")
ARTICLE_DETAIL = re.compile(r"/customs/\d{4}-\d{2}/\d{2}/article_(\d+)\.html$")
BODIES = (".easysite-news-peruse", "div.easysite-news-content", "div.easysite-news-text",
          "div.TRS_Editor", "#zoom", "div.article-content", "article")


#: the 部门文件 search of the second way in: GACC's own documents on cross-border e-commerce
LIBRARY_KEYWORDS = ("跨境电子商务", "跨境电商")
LIBRARY_AGENCY = "海关总署"


class CustomsSpider(PolicyLibraryLists, NoticeSpider):
    name = "customs"
    agency = "海关总署"
    home = "http://www.customs.gov.cn/"
    #: the second way in reads reprints on www.gov.cn (sousuo.www.gov.cn is its subdomain)
    allowed_hosts: ClassVar[tuple[str, ...]] = ("www.gov.cn",)
    #: GACC announcements on cross-border e-commerce come every few weeks, not daily
    quiet_days: ClassVar[int | None] = 45
    relies_on: ClassVar[tuple[str, ...]] = (
        "公告 list /customs/302249/302266/302267/index.html [lead: unconfirmed, many monitors]",
        "rows ul.conList_ul li, a@title, a@href, span date [confirmed: RSSHub gov/customs/list.ts; mr-data-factory]",
        "next link div.easysite-page-wrap a[title=下一页]@tagname, [NEXTPAGE] on the last page "
        "[source: mr-data-factory-phase3]",
        "EasySite detail /302267/<id>/index.html [confirmed: customs_spider; several projects]",
        "detail selectors easysite-news-title/-describe/-peruse/-content/-text [confirmed: RSSHub; customs_spider]",
        "hgfg_list labels 【文　　号】【发布日期】… [source: customs_spider]",
        "article scheme /customs/YYYY-MM/DD/article_<digits>.html [lead: unconfirmed; redesign confirmed RSSHub "
        "#18484]; its markup is unknown: standard metas + body fallbacks [guess]",
        "HTTP 412 + JS cookie challenge (__jsluid_h/__jsl_clearance) [superseded: RSSHub #5914; customs_spider, "
        "older reports]",
        "the challenge is 瑞数: HTTP 412 with a $_ts script; headless Chrome gets HTTP 400 with an empty body "
        "[confirmed: #58115790249, 2026-08-19]",
        "second way in: GACC documents reprinted in the gov.cn 部门文件 library, t=zhengcelibrary_bm, rows' puborg "
        "[lead: live-evidence.md 'many are reprinted'; bmfl=<agency> filter seen in #61968581880; co-issued "
        "商财发〔2018〕486号 at zhengceku/2018-12/31/content_5437823.htm, #69552343450, verified 2026-09-09]",
        *LIBRARY_FACTS,
    )
    body_furniture: ClassVar[tuple[str, ...]] = (".easysite-news-operation",)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        from crawler.browser import enable_browser

        enable_browser(settings)

    def list_requests(self) -> Iterable[Request]:
        yield self.list_request(LIST_URL, callback=self.parse_announcements, meta={"page": 1})

    def list_strategies(self) -> list[tuple[str, Any]]:
        return [("customs.gov.cn", self.list_requests), ("govcn", self.library_requests)]

    def library_requests(self) -> Iterable[Request]:
        for keyword in LIBRARY_KEYWORDS:
            yield self.search_request("zhengcelibrary_bm", keyword, page=1, filters={"bmfl": LIBRARY_AGENCY})

    def library_row_wanted(self, row: dict[str, Any]) -> bool:
        """Only documents GACC issued or co-issued: the library's search matches loosely."""
        return LIBRARY_AGENCY in str(row.get("puborg") or "")

    def list_request(self, url: str, callback: Any, **kwargs: Any) -> Request:
        return self._via_browser(super().list_request(url, callback, **kwargs))

    def detail_request(self, url: str, **kwargs: Any) -> Request:
        return self._via_browser(super().detail_request(url, **kwargs))

    def _via_browser(self, request: Request) -> Request:
        if not request.url.split("://", 1)[-1].startswith("www.customs.gov.cn"):
            return request  # the gov.cn way in needs neither the browser nor the customs Referer
        if self.settings.getbool("CBECWATCH_CUSTOMS_BROWSER"):
            from crawler.browser import browser_meta

            request.meta.update(browser_meta())
        # RSSHub sends the home page as Referer; a bare request looks more like a bot to the WAF.
        request.headers.setdefault("Referer", "http://www.customs.gov.cn")
        return request

    def parse_announcements(self, response: TextResponse) -> Iterator[Request]:
        rows = select(response, "ul.conList_ul li") or select(response, "[class^='conList_ul'] li")
        entries = self.link_rows(response, rows)
        urls = [url for url, _ in entries]
        for url, listing in entries:
            yield from self.follow(url, listing)
        self.list_parsed(response, len(urls), "ul.conList_ul rows")
        next_link = select(response, "div.easysite-page-wrap a[title='下一页']")
        target = (attribute(next_link, "tagname") or attribute(next_link, "href") or "") if next_link else ""
        page = response.meta["page"]
        if target and "[NEXTPAGE]" not in target and self.wants_next_page(urls, page):
            yield self.list_request(response.urljoin(target), callback=self.parse_announcements,
                                    meta={"page": page + 1})

    def read_detail(self, response: TextResponse) -> NoticeItem | None:
        if LIBRARY_DETAIL.match(response.url):
            return self.read_library_detail(response)
        labels = {label_key(row.css("span::text").get() or ""): tidy_inline(
            "".join(row.xpath("./text()|./*[not(self::span)]//text()").getall()))
            for row in select(response, "div.hgfg_list")}
        easysite = EASYSITE_DETAIL.search(response.url)
        article = ARTICLE_DETAIL.search(response.url)
        item = read_standard_page(
            self, response, body=BODIES, title=("div.easysite-news-title h2", "h1", "h2"),
            date=(".easysite-news-describe",),
            site_id=(article.group(1) if article else easysite.group(1) if easysite else None),
            doc_number=labels.get("文号") or None, extra_meta={"labels": labels},
        )
        if item is not None and labels.get("发布日期"):
            item.publish_date = parse_china_date(labels["发布日期"]) or item.publish_date
        return item
