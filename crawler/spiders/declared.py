"""The spider classes behind every declarative source (see :mod:`crawler.declared`): one for the
page-list templates (TRS, Hanweb, EasySite), one for JPaaS units.

Importing this module creates one named subclass per ``[[source]]`` entry, so Scrapy's own spider
loader lists them: ``scrapy list``, ``scrapy crawl NAME`` and ``cbecwatch crawl --source NAME`` work
for declared sources exactly as for the hand-written modules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

from parsel import Selector
from scrapy.http import Request, TextResponse

from crawler.declared import DeclaredSource, load_declared_sources
from crawler.items import NoticeItem
from crawler.parsing.page import attribute, select
from crawler.spiders.base import NoticeSpider
from crawler.spiders.jpaas import JpaasSpider
from crawler.spiders.pages import read_standard_page

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)


class DeclaredSpider(NoticeSpider):
    """A source described by configuration: list pages on a CMS template, detail pages with the
    standard government metas and the template's body selectors."""

    source: ClassVar[DeclaredSource]

    def list_requests(self) -> Iterable[Request]:
        for url in self.source.lists:
            yield self.list_request(url, callback=self.parse_rows, meta={"page": 1, "list_url": url})

    def rows_of(self, response: TextResponse) -> tuple[Selector, list[Selector]]:
        template = self.source.template
        if template.datastore:
            records = _RECORD.findall(response.text)
            if records:
                container = Selector("<ul>" + "".join(records) + "</ul>")
                return container, list(select(container, "li") or select(container, "a[href]"))
        return response, list(select(response, template.rows))

    def parse_rows(self, response: TextResponse) -> Iterator[Request]:
        template = self.source.template
        page, list_url = response.meta["page"], response.meta["list_url"]
        _, rows = self.rows_of(response)
        detail = re.compile(template.detail_url)
        urls = []
        for url, listing in self.link_rows(response, rows, link=template.link, title_attr=template.title_attr,
                                           date=template.date or None):
            if not detail.search(url):
                continue  # navigation and other links in the row container
            urls.append(url)
            yield from self.follow(url, listing)
        if page > 1 and not urls:
            return  # past the last page: sites answer that with an empty list, not an error
        self.list_parsed(response, len(urls), f"{self.source.template_name} list rows")
        max_pages = self.source.max_pages or self.settings.getint("CBECWATCH_MAX_LIST_PAGES", 3)
        next_url = self.next_page_url(response, list_url, page)
        if next_url and page < max_pages and self.wants_next_page(urls, page):
            yield self.list_request(next_url, callback=self.parse_rows, meta={"page": page + 1, "list_url": list_url})

    def next_page_url(self, response: TextResponse, list_url: str, page: int) -> str | None:
        template = self.source.template
        if template.pagination == "index_n":
            # TRS: index.htm is page 1, index_1.htm page 2; ``countPage`` in the page script is the total.
            count = re.search(r"countPage\s*=\s*(\d+)", response.text)
            if count and page >= int(count.group(1)):
                return None
            folder, last = list_url.rsplit("/", 1)
            base = folder if last.startswith("index") else list_url.rstrip("/")
            return f"{base}/index_{page}.{template.page_pattern or 'htm'}"
        if template.pagination == "query":
            uid = template.uid or response.xpath("//script[contains(., 'datastore')]/parent::*/@id").get() or ""
            if "{uid}" in template.page_pattern and not uid:
                return None
            return list_url.split("?", 1)[0] + template.page_pattern.format(uid=uid, n=page + 1)
        if template.pagination == "next_link":
            found = select(response, template.page_pattern)
            target = (attribute(found[0], template.page_attr) or "") if found else ""
            return response.urljoin(target) if target and "[NEXTPAGE]" not in target else None
        return None

    def read_detail(self, response: TextResponse) -> NoticeItem | None:
        template = self.source.template
        match = re.search(template.detail_url, response.url)
        site_id = match.group(1) if match and match.groups() else None
        return read_standard_page(self, response, body=template.body, title=template.title,
                                  date=template.detail_date, site_id=site_id)


class DeclaredJpaasSpider(JpaasSpider):
    """A declared ``jpaas`` source: its lists are the column pages' units (:mod:`crawler.spiders.jpaas`)."""

    source: ClassVar[DeclaredSource]


def _jpaas_attributes(source: DeclaredSource) -> dict[str, Any]:
    template = source.template
    return {
        "columns": source.lists, "unit_ids": {source.lists[0]: dict(template.unit)} if template.unit else {},
        "unit_tag": template.unit_tag or None, "page_size": template.page_size, "max_pages": source.max_pages,
        "row_css": template.rows, "link_css": template.link, "title_attr": template.title_attr,
        "date_css": template.date, "detail_url": template.detail_url, "body_css": template.body,
        "title_css": template.title, "date_visible": template.detail_date,
    }


def spider_class(source: DeclaredSource) -> type[NoticeSpider]:
    attributes: dict[str, Any] = {
        "name": source.name, "agency": source.agency, "home": source.home, "source": source,
        "relies_on": source.relies_on, "encoding": source.template.encoding, "__module__": __name__,
        # the hosts of its list pages are the source's own too (a portal whose lists sit on a sub-host)
        "allowed_hosts": tuple(sorted({host for url in source.lists if (host := urlsplit(url).hostname)})),
        "__doc__": f"{source.agency}: declared in {source.origin} on the {source.template_name} template.",
    }
    if source.template.pagination == "unit":
        return type(f"Declared_{source.name}", (DeclaredJpaasSpider,), {**attributes, **_jpaas_attributes(source)})
    return type(f"Declared_{source.name}", (DeclaredSpider,), attributes)


def _declare_all() -> None:
    for source in load_declared_sources():
        cls = spider_class(source)
        globals()[cls.__name__] = cls


_declare_all()
