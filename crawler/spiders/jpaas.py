"""Lists on the JPaaS CMS (大汉 JCMS's successor), written once for every source on it: MOFCOM, its
sub-sites, the Zhejiang commission and any declared ``jpaas`` entry.

A JPaaS column page is a shell. Its list is a *unit*: a ``unitbuild.js`` script whose ``url``
attribute names ``/api-gateway/jpaas-publish-server/front/page/build/unit`` and whose ``queryData``
attribute holds the unit's ids as single-quoted JSON (``tagId``, ``pageId``, and on the sub-sites
``webId``/``tplSetId``); the browser sends them as query parameters with ``parseType=bulidstatic``
(sic), ``pageType=column``, ``editType=null`` [confirmed: #71114623176, 2026-10-01; #61866510366]. The
answer is JSON with ``success`` and ``data.html``, the rendered rows; page N adds one parameter
``paramJson={"pageNo":N,"pageSize":rows}``, ``rows``/``count`` coming from the fragment's
``div.pagination`` [confirmed: #71114623176, pages 1 and 2].

Ids rotate with redesigns. A source may pin them (one request less per run), but when pinned ids
get a failed or empty answer, or when none are pinned, the ids are read from the column page
itself, so a rotation heals on the next run instead of silencing the source.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlencode, urljoin

from parsel import Selector
from scrapy.http import Request, TextResponse

from crawler.health import PARSE
from crawler.items import NoticeItem
from crawler.parsing.dates import parse_china_datetime
from crawler.parsing.page import attribute, select
from crawler.spiders.base import NoticeSpider
from crawler.spiders.pages import read_standard_page

UNIT_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"
#: what unitbuild.js adds to queryData [#71114623176]; ``bulidstatic`` is the site's own spelling
UNIT_DEFAULTS = {"parseType": "bulidstatic", "pageType": "column", "editType": "null"}
#: a detail page of any JPaaS site: ``…/art/YYYY/art_<32 hex>.html``; group 1 is the stable id
ART_URL = r"/art/\d{4}/art_([0-9a-f]{32})\.html$"
ID_KEYS = ("webId", "tplSetId", "tagId", "pageId")
ART_BODY = ("div.art-con[ergodic=article]", "div.art-con", "#zoom", "div.article-content")


@dataclass(frozen=True)
class Unit:
    """One list unit: the API URL and the query ids (without paging)."""

    api: str
    ids: tuple[tuple[str, str], ...]

    @property
    def query(self) -> dict[str, str]:
        return dict(self.ids)

    def url(self, page: int, page_size: int) -> str:
        query = {**UNIT_DEFAULTS, **self.query}
        if page > 1:  # page 1 is asked for as the browser does, without paramJson
            query["paramJson"] = json.dumps({"pageNo": page, "pageSize": page_size}, separators=(",", ":"))
        return f"{self.api}?{urlencode(query)}"


def make_unit(base_url: str, ids: Mapping[str, Any], api: str = UNIT_PATH) -> Unit:
    return Unit(urljoin(base_url, api), tuple((str(k), str(v)) for k, v in ids.items()))


def parse_query_data(raw: str | None) -> dict[str, str] | None:
    """``{'tagId':'分页列表','pageId':'…'}`` → a dict (unitbuild.js swaps the quotes and parses JSON)."""
    if not raw:
        return None
    try:
        data = json.loads(raw.replace("'", '"'))
    except ValueError:
        return None
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else None


def units_in(page: Selector, base_url: str) -> list[Unit]:
    """Every unit a column page declares, in page order."""
    units = []
    for script in select(page, "script[url][querydata]"):
        api = attribute(script, "url") or ""
        ids = parse_query_data(attribute(script, "querydata"))
        if "/front/page/build/unit" in api and ids and ids.get("pageId"):
            units.append(make_unit(base_url, ids, api))
    return units


def pick_unit(units: list[Unit], tag: str | None) -> Unit | None:
    """The list unit: the one with the wanted ``tagId``, else the one whose tagId names a list
    (分页列表, 信息列表, 当前栏目列表), else the only one. Not the script's id: that is random."""
    if tag:
        return next((u for u in units if u.query.get("tagId") == tag), None)
    lists = [u for u in units if "列表" in u.query.get("tagId", "")]
    if lists:
        return lists[0]
    return units[0] if len(units) == 1 else None


def read_answer(text: str) -> tuple[str | None, str]:
    """``(fragment, "")`` of a good answer, else ``(None, why)``."""
    try:
        data = json.loads(text)
    except ValueError:
        return None, "answered non-JSON"
    if not isinstance(data, dict):
        return None, "answered JSON that is not an object"
    payload = data.get("data")
    fragment = payload.get("html") if isinstance(payload, dict) else None
    if data.get("success") is False:
        return None, f"answered success=false ({data.get('message') or data.get('code') or 'no message'})"
    if not isinstance(fragment, str) or not fragment.strip():
        return None, "answered without data.html"
    return fragment, ""


def page_count(fragment: Selector) -> tuple[int | None, int | None]:
    """``(rows per page, pages)`` from ``div.pagination`` (``rows``, ``count``); ``None`` without it."""
    found = select(fragment, "div.pagination[count]")
    if not found:
        return None, None
    try:
        rows = int(attribute(found[0], "rows") or 0)
        count = int(attribute(found[0], "count") or 0)
    except ValueError:
        return None, None
    return (rows or None), (math.ceil(count / rows) if rows else None)


class JpaasSpider(NoticeSpider):
    """A source whose lists are JPaaS units. Subclasses (or :mod:`crawler.spiders.declared`) set
    ``columns``; optionally ``unit_ids`` (pinned ids), ``unit_tag``, ``page_size`` and selectors."""

    columns: ClassVar[tuple[str, ...]] = ()
    #: pinned ids per column URL (``webId``, ``tplSetId``, ``tagId``, ``pageId`` …); may be stale
    unit_ids: ClassVar[Mapping[str, Mapping[str, str]]] = {}
    unit_tag: ClassVar[str | None] = None
    page_size: ClassVar[int] = 15
    max_pages: ClassVar[int | None] = None
    row_css: ClassVar[str] = "li"
    link_css: ClassVar[str] = "a[href]"
    title_attr: ClassVar[str] = "title"
    date_css: ClassVar[str] = "span"
    detail_url: ClassVar[str] = ART_URL
    body_css: ClassVar[tuple[str, ...]] = ART_BODY
    title_css: ClassVar[tuple[str, ...]] = ("div.art-title h1", "h1")
    date_visible: ClassVar[tuple[str, ...]] = ()

    def list_requests(self) -> Iterable[Request]:
        for column in self.columns:
            pinned = self.unit_ids.get(column)
            if pinned:
                yield self.unit_request(make_unit(column, pinned), 1, column, pinned=True)
            else:
                yield self.shell_request(column)

    def shell_request(self, column: str) -> Request:
        # Never conditional: a 304 would hide the ids, and the rows change behind an unchanged shell.
        return self.list_request(column, callback=self.parse_shell, meta={"column": column}, dont_filter=True)

    def unit_request(self, unit: Unit, page: int, column: str, *, pinned: bool = False, attempt: int = 0,
                     size: int | None = None, previous: tuple[str, ...] = ()) -> Request:
        size = size or self.page_size
        return self.list_request(
            unit.url(page, size), callback=self.parse_unit,
            headers={"Referer": column, "X-Requested-With": "XMLHttpRequest"},
            meta={"unit": unit, "page": page, "column": column, "pinned": pinned, "attempt": attempt,
                  "size": size, "previous": previous},
            dont_filter=True)  # after pinned ids failed, the page may declare the very same URL again

    def parse_shell(self, response: TextResponse) -> Iterator[Request]:
        column = response.meta["column"]
        unit = pick_unit(units_in(response, response.url), self.unit_tag)
        if unit is None:
            # not remembered (list_parsed with 0 does not store validators): the next run asks again
            self.list_parsed(response, 0, f"JPaaS list unit (script url=…{UNIT_PATH[-22:]} queryData"
                                          f"{' tagId=' + self.unit_tag if self.unit_tag else ''})")
            return
        pinned = self.unit_ids.get(column)
        if pinned and any(pinned.get(key) != unit.query.get(key) for key in ID_KEYS):
            self.logger.warning("%s: the column page declares other unit ids than the pinned ones: %s (pinned %s)",
                                self.name, unit.query, dict(pinned))
        yield self.unit_request(unit, 1, column)

    def parse_unit(self, response: TextResponse) -> Iterator[Request]:
        meta = response.meta
        unit, page, column = meta["unit"], meta["page"], meta["column"]
        fragment_html, why = read_answer(response.text)
        if fragment_html is None:
            yield from self.unit_failed(response, why)
            return
        fragment = Selector(fragment_html)
        detail = re.compile(self.detail_url)
        all_rows = self.link_rows(response, select(fragment, self.row_css), link=self.link_css,
                                  title_attr=self.title_attr, date=self.date_css or None)
        rows = [(url, listing) for url, listing in all_rows if detail.search(url)]  # not navigation
        urls = tuple(url for url, _ in rows)
        if page > 1 and (not urls or urls == meta["previous"]):
            # past the last page (an empty list), or a gateway that answers page 1 for every pageNo
            # [#71407467212, Zhejiang from abroad]: either way nothing more to read
            if urls:
                self.logger.info("%s: page %d of %s repeats page %d; the walk ends", self.name, page, column, page - 1)
            return
        self.list_parsed(response, len(rows), f"rows in the JPaaS unit's data.html ({self.row_css})")
        for url, listing in rows:
            yield from self.follow(url, listing)
        # the page size: the fragment's ``rows``; without a pagination element, what page 1 held
        declared_size, pages = page_count(fragment)
        size = declared_size or (meta["size"] if page > 1 else len(all_rows) or self.page_size)
        more = page < pages if pages is not None else len(all_rows) >= size
        budget = self.max_pages or self.settings.getint("CBECWATCH_MAX_LIST_PAGES", 3)
        if urls and more and page < budget and self.wants_next_page(urls, page):
            yield self.unit_request(unit, page + 1, column, size=size, previous=urls)

    def unit_failed(self, response: TextResponse, why: str) -> Iterator[Request]:
        meta = response.meta
        unit, page, column = meta["unit"], meta["page"], meta["column"]
        if page > 1:
            # page 1 answered: a later page that does not is a failed list page (the walk is partial)
            self.health.record(PARSE, response.url, f"JPaaS list API {why} for page {page} of {column}", on_list=True)
            return
        if meta["pinned"]:
            # the pinned ids may have rotated: read the current ones from the column page
            self.logger.warning("%s: pinned JPaaS ids %s; reading the ids from %s", self.name, why, column)
            yield self.shell_request(column)
            return
        if meta["attempt"] < self.settings.getint("CBECWATCH_EMPTY_RETRIES", 1):
            yield self.unit_request(unit, page, column, attempt=meta["attempt"] + 1)
            return
        message = (f"JPaaS list API {why} for page 1 of {column} with the ids the page declares "
                   f"(pageId={unit.query.get('pageId')})")
        if why.startswith("answered non-JSON"):
            self.health.record(PARSE, response.url, message, on_list=True)
        else:
            self.health.note_empty(response.url, message)

    def read_detail(self, response: TextResponse) -> NoticeItem | None:
        match = re.search(self.detail_url, response.url)
        item = read_standard_page(self, response, body=self.body_css, title=self.title_css, date=self.date_visible,
                                  site_id=match.group(1) if match and match.groups() else None)
        if item is not None:
            # the page's generation time, kept apart from PubDate: it can be days later [#71114623176]
            item.site_modified_at = parse_china_datetime(item.page_meta["meta"].get("maketime"))
        return item
