"""Behaviour every source shares: list → detail requests, failure reporting, challenge detection."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from parsel import Selector
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from crawler.attachments.fetch import FollowsAttachments
from crawler.extraction.nesting import LIBXML_MAX_DEPTH, MAX_DEPTH, cut_by_depth, flatten
from crawler.health import BLOCKED, LAYOUT_DRIFT, OFFSITE, PARSE, SourceHealth, describe_failure
from crawler.incremental import CrawlMemory, load_memory
from crawler.items import NoticeItem, ParsedPage
from crawler.offsite import host_allowed
from crawler.parsing.page import attribute, element_text, html_to_text, tidy_inline
from crawler.parsing.status import page_behind_error

_CHALLENGE_MARKERS = (b"__jsl_clearance", b"document.cookie", b"_$", b"location.reload", b"$_ts")


class NoticeSpider(FollowsAttachments, scrapy.Spider):
    """Base class of every source module.

    A subclass sets ``name`` (the stable source id), ``agency``, ``home`` and ``relies_on`` (the
    facts from the source reference it depends on, with their evidence tags, so the first live
    run shows what to re-check), implements :meth:`list_requests`, its list callbacks and
    :meth:`read_detail`. List callbacks hand their rows to :meth:`follow` and ask
    :meth:`wants_next_page` before paging: that is where incremental crawling happens.
    """

    agency: ClassVar[str] = ""
    home: ClassVar[str] = ""
    relies_on: ClassVar[tuple[str, ...]] = ()
    #: Force a charset for this source's pages (else: header, meta, then sniffing; see
    #: :mod:`crawler.encoding`).
    encoding: ClassVar[str | None] = None
    #: hosts besides ``home``'s (subdomains included) whose pages this source may store
    allowed_hosts: ClassVar[tuple[str, ...]] = ()
    #: days without a new notice that are normal for this source (else CBECWATCH_QUIET_DAYS applies)
    quiet_days: ClassVar[int | None] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.health = SourceHealth(self.name)
        self.memory = CrawlMemory()
        # Scrapy's OffsiteMiddleware filters every request by this list; see crawler/offsite.py.
        self.allowed_domains = self.own_hosts()

    def own_hosts(self) -> list[str]:
        home = (urlsplit(self.home).hostname or "").lower()
        return sorted({host for host in (home, *self.allowed_hosts) if host})

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NoticeSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        self.memory = load_memory(self.settings, self.name)
        self.load_attachment_memory()
        self.strategies = self.list_strategies()
        self.strategy = 0
        for request in self.strategy_requests(0):
            yield request
        for known in self.memory.due:
            yield self.detail_request(known.url, headers=self.revisit_headers(known.url, known.conditional_headers()),
                                      meta={"listing": known.listing(), "cbec_revisit": True})

    # -- what a source module provides -------------------------------------------------------
    def list_requests(self) -> Iterable[Request]:
        raise NotImplementedError

    def list_strategies(self) -> list[tuple[str, Callable[[], Iterable[Request]]]]:
        """The ways into this source's lists, best first, as ``(name, list requests)``. The next one is
        tried only when no list page of the one before answered (blocked, drift, errors), and the run
        says which one worked. One way by default."""
        return [("site", self.list_requests)]

    # -- list strategies ---------------------------------------------------------------------
    def strategy_requests(self, index: int) -> Iterator[Request]:
        name, make = self.strategies[index]
        for request in make():
            request.meta["cbec_strategy"] = name
            yield self.in_walk(request, request.url)

    def on_idle(self) -> None:
        """The current strategy is done: if none of its list pages answered, try the next."""
        name = self.strategies[self.strategy][0]
        if self.health.strategy_answered[name] or self.strategy + 1 >= len(self.strategies):
            return
        self.health.strategy_failed(name)
        self.strategy += 1
        self.logger.warning("%s: no list page answered by way of %s; trying %s", self.name, name,
                            self.strategies[self.strategy][0])
        for request in self.strategy_requests(self.strategy):
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def read_detail(self, response: TextResponse) -> NoticeItem | None:
        raise NotImplementedError

    # -- request helpers --------------------------------------------------------------------
    def list_request(self, url: str, callback: Callable[[TextResponse], Any], **kwargs: Any) -> Request:
        """A list page (HTML or API). GET requests carry the validators of the last good parse."""
        meta = {"cbec_kind": "list", "cbec_parse": callback.__name__, **kwargs.pop("meta", {})}
        if kwargs.get("method", "GET") == "GET" and not meta.get("attempt"):
            conditional = self.memory.list_headers(url)
            if conditional:
                kwargs["headers"] = {**kwargs.get("headers", {}), **conditional}
                meta["handle_httpstatus_list"] = [304]
        return Request(url, callback=self.parse_list, errback=self.on_request_error, meta=meta, **kwargs)

    def detail_request(self, url: str, **kwargs: Any) -> Request:
        meta = {"cbec_kind": "detail", **kwargs.pop("meta", {})}
        if kwargs.get("headers"):
            meta["handle_httpstatus_list"] = [304]  # a conditional request: 304 means unchanged
        return Request(url, callback=self.parse_detail, errback=self.on_request_error, meta=meta, **kwargs)

    def follow(self, url: str, listing: dict[str, Any] | None = None, **kwargs: Any) -> Iterator[Request]:
        """The detail request of a list row — unless the notice is stored already (revisions are
        caught by the bounded revisit, not by refetching every known page)."""
        if self.memory.is_known(url):
            self.health.known += 1
            return
        if not host_allowed(url, self.allowed_domains):
            hosts = ", ".join(self.allowed_domains)
            self.health.note_offsite(url, f"off-site list row skipped: {url} (not on {hosts})")
            return
        yield self.detail_request(url, meta={"listing": listing or {}}, **kwargs)

    def link_rows(self, response: TextResponse, rows: Iterable[Selector], *, link: str = "a[href]",
                  title_attr: str = "title", date: str | None = "span") -> list[tuple[str, dict[str, str]]]:
        """``(detail URL, listing)`` of each list row that has a link: the link's title attribute
        (else its text) and the row's visible date. The common shape of TRS, EasySite and the
        ministries' own list pages."""
        entries = []
        for row in rows:
            anchor = [row] if row.root.tag == "a" else row.css(link)
            if not anchor or not attribute(anchor[0], "href"):
                continue
            title = attribute(anchor[0], title_attr) or tidy_inline("".join(anchor[0].xpath(".//text()").getall()))
            stamp = tidy_inline("".join(row.css(f"{date} ::text").getall())) if date else ""
            entries.append((response.urljoin(attribute(anchor[0], "href") or ""), {"title": title, "pubtime": stamp}))
        return entries

    def wants_next_page(self, urls: Iterable[str], page: int) -> bool:
        """Page on while the page held something new and the page budget is not spent — or, after
        a run that left a list walk incomplete, page on regardless, to reach what that run missed."""
        urls = list(urls)
        if not self.memory.full_walk and urls and all(self.memory.is_known(url) for url in urls):
            return False
        return page < self.settings.getint("CBECWATCH_MAX_LIST_PAGES", 3)

    def on_request_error(self, failure: Failure) -> Iterable[Any] | None:
        request: Request = failure.request  # type: ignore[attr-defined]
        page = page_behind_error(failure)  # a 502 that carries the real page is the page
        if page is not None and request.callback is not None:
            return request.callback(page)
        error_class, message = describe_failure(failure, request)
        on_list = request.meta.get("cbec_kind") == "list"
        if on_list:
            self.memory.list_page_failed(request.meta.get("cbec_walk", request.url))
        if error_class == OFFSITE:
            self.health.offsite += 1
        self.health.record(error_class, request.url, message, on_list=on_list)

    def in_walk(self, request: Request, walk: str, strategy: str | None = None) -> Request:
        """Tag a list request with the walk (its first list URL) and the strategy it belongs to."""
        if request.meta.get("cbec_kind") == "list" and "cbec_walk" not in request.meta:
            request.meta["cbec_walk"] = walk
            if strategy:
                request.meta.setdefault("cbec_strategy", strategy)
            if walk == request.url:
                self.memory.start_walk(walk)
        return request

    def list_failed(self, response: Response, error_class: str, message: str) -> None:
        self.memory.list_page_failed(response.meta.get("cbec_walk", response.url))
        self.health.record(error_class, response.url, message, on_list=True)

    # -- list and detail bookkeeping ---------------------------------------------------------
    def parse_list(self, response: Response) -> Iterator[Any]:
        """Every list response passes here first: 304, challenge pages and binary answers are
        handled once, then the source's own list callback reads the rows."""
        if response.status == 304:
            self.health.list_page_unchanged(response.meta.get("cbec_strategy", "site"))
            return
        if not isinstance(response, TextResponse):
            self.list_failed(response, PARSE, f"list page is not text: {response.url}")
            return
        if self.is_challenge(response):
            self.list_failed(response, BLOCKED, f"blocked: challenge page instead of list {response.url}")
            return
        walk, strategy = response.meta.get("cbec_walk", response.url), response.meta.get("cbec_strategy")
        try:
            for output in getattr(self, response.meta["cbec_parse"])(response) or ():
                # pages reached from this list page belong to its walk and its strategy
                yield self.in_walk(output, walk, strategy) if isinstance(output, Request) else output
        except (AttributeError, KeyError, TypeError, ValueError, OverflowError) as exc:
            # An answer of a shape the callback does not expect (a JSON row that is no object, a page
            # count that is no number): this list page fails as a parse error naming its URL, like any
            # unreadable list page, not a traceback that leaves the walk looking complete.
            self.list_failed(response, PARSE, f"parse error: unexpected list shape at {response.url}: {exc!r}")

    def list_parsed(self, response: Response, items: int, what: str) -> None:
        """Every list callback reports how many rows it read; zero rows from a 200 page is drift."""
        if items == 0:
            self.list_failed(response, LAYOUT_DRIFT, f"layout drift: no {what} found on {response.url}")
            return
        self.health.list_page_parsed(items, response.meta.get("cbec_strategy", "site"))
        self.memory.remember_list_page(response, response.meta.get("cbec_walk", response.url))

    def is_challenge(self, response: Response) -> bool:
        """A 200 page that is only a JavaScript cookie challenge (WAF), not content."""
        body = response.body
        if len(body) > 30_000 or b"<script" not in body.lower():
            return False
        hits = sum(marker in body for marker in _CHALLENGE_MARKERS)
        return hits >= 2

    def parse_detail(self, response: Response) -> Iterable[NoticeItem]:
        if response.status == 304:
            self.health.not_modified += 1
            self.health.unchanged += 1
            self.memory.touched.add(response.request.url if response.request else response.url)
            return
        if not isinstance(response, TextResponse):
            self.health.record(PARSE, response.url, f"not a text page: {response.url}")
            return
        if self.is_challenge(response):
            self.health.record(BLOCKED, response.url, f"blocked: challenge page instead of {response.url}")
            return
        fetched, response = response, within_depth(response)
        if response is not fetched:
            self.logger.warning("%s: %s is nested deeper than %d levels; read with the markup below %d levels "
                                "removed", self.name, response.url, LIBXML_MAX_DEPTH, MAX_DEPTH)
        item = self.read_detail(response)
        if item is None:
            return
        if not item.text.strip():
            self.health.record(PARSE, response.url, f"parse error: empty notice body at {response.url}")
            return
        cap = self.settings.getint("CBECWATCH_MAX_TEXT_CHARS", 400_000)
        if len(item.text) > cap:
            self.health.note_truncated(response.url, len(item.text), cap)
            item.text = item.text[:cap]
        item.raw_html = fetched.body
        item.raw_encoding = fetched.encoding
        selector = response.selector
        if selector.type == "html":
            item.parsed = ParsedPage(response.text, selector.root)
        etag = response.headers.get(b"ETag")
        modified = response.headers.get(b"Last-Modified")
        item.http_etag = etag.decode("latin-1") if etag else None
        item.http_last_modified = modified.decode("latin-1") if modified else None
        yield from self.with_attachments(response, item)

    #: CSS selectors of widgets that sit inside a body and are not part of the notice.
    body_furniture: ClassVar[tuple[str, ...]] = ()

    def body_text(self, body: str | Selector | None) -> str:
        """The notice text of a body: its HTML, or better the element itself (no re-parse)."""
        if isinstance(body, Selector):
            return element_text(body, self.body_furniture)
        return html_to_text(body, self.body_furniture) if body else ""

    def missing_body(self, response: Response, tried: Iterable[str]) -> None:
        self.health.record(PARSE, response.url,
                           f"parse error: no notice body ({', '.join(tried)}) at {response.url}")


def within_depth(response: TextResponse) -> TextResponse:
    """The response itself, or, when libxml2 stopped at its nesting limit and dropped the rest of the
    page, the same page flattened below :data:`MAX_DEPTH` levels (so no text is lost)."""
    if response.selector.type != "html" or not cut_by_depth(response.selector.root):
        return response
    return response.replace(body=flatten(response.text).encode("utf-8"), encoding="utf-8")


def clean_title(value: str | None, site_suffix: str = "") -> str:
    title = re.sub(r"\s+", " ", value or "").strip()
    if site_suffix and "_" in title:
        title = title.split("_")[0].strip()
    return title
