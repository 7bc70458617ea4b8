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

The site answers plain clients with HTTP 412 and a JavaScript cookie challenge (加速乐 ``__jsl_clearance``
cookies, ``X-Via-JSL``); that is reported as *blocked*, never as "no notices". With
``CBECWATCH_CUSTOMS_BROWSER=1`` the pages are fetched by headless Chromium (scrapy-playwright), which
runs the challenge script; see :mod:`crawler.browser`.
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
from crawler.parsing.page import select, tidy_inline
from crawler.spiders.base import NoticeSpider
from crawler.spiders.pages import read_standard_page

LIST_URL = "http://www.customs.gov.cn/customs/302249/302266/302267/index.html"
EASYSITE_DETAIL = re.compile(r"/customs/302249/(?:[\w/]+/)?(\d+)/index\.html$")
ARTICLE_DETAIL = re.compile(r"/customs/\d{4}-\d{2}/\d{2}/article_(\d+)\.html$")
BODIES = (".easysite-news-peruse", "div.easysite-news-content", "div.easysite-news-text",
          "div.TRS_Editor", "#zoom", "div.article-content", "article")


class CustomsSpider(NoticeSpider):
    name = "customs"
    agency = "海关总署"
    home = "http://www.customs.gov.cn/"
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
        "HTTP 412 + JS cookie challenge (__jsluid_h/__jsl_clearance) [confirmed in substance: RSSHub #5914; "
        "customs_spider]",
    )
    body_furniture: ClassVar[tuple[str, ...]] = (".easysite-news-operation",)

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        from crawler.browser import enable_browser

        enable_browser(settings)

    def list_requests(self) -> Iterable[Request]:
        yield self.list_request(LIST_URL, callback=self.parse_announcements, meta={"page": 1})

    def list_request(self, url: str, callback: Any, **kwargs: Any) -> Request:
        return self._via_browser(super().list_request(url, callback, **kwargs))

    def detail_request(self, url: str, **kwargs: Any) -> Request:
        return self._via_browser(super().detail_request(url, **kwargs))

    def _via_browser(self, request: Request) -> Request:
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
        target = (next_link.attrib.get("tagname") or next_link.attrib.get("href") or "") if next_link else ""
        page = response.meta["page"]
        if target and "[NEXTPAGE]" not in target and self.wants_next_page(urls, page):
            yield self.list_request(response.urljoin(target), callback=self.parse_announcements,
                                    meta={"page": page + 1})

    def read_detail(self, response: TextResponse) -> NoticeItem | None:
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
