"""Behaviour every source shares: list → detail requests, failure reporting, challenge detection."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from typing import Any, ClassVar

import scrapy
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from crawler.health import BLOCKED, LAYOUT_DRIFT, PARSE, SourceHealth, describe_failure
from crawler.items import NoticeItem
from crawler.parsing.page import html_to_text

_CHALLENGE_MARKERS = (b"__jsl_clearance", b"document.cookie", b"_$", b"location.reload")


class NoticeSpider(scrapy.Spider):
    """Base class of every source module.

    A subclass sets ``name`` (the stable source id), ``agency``, ``home`` and ``relies_on`` (the
    facts from the source reference it depends on, with their evidence tags, so the first live run
    shows what to re-check), implements :meth:`list_requests`, its list callbacks and
    :meth:`read_detail`.
    """

    agency: ClassVar[str] = ""
    home: ClassVar[str] = ""
    relies_on: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.health = SourceHealth(self.name)

    async def start(self) -> AsyncIterator[Request]:
        for request in self.list_requests():
            yield request

    # -- what a source module provides -------------------------------------------------------
    def list_requests(self) -> Iterable[Request]:
        raise NotImplementedError

    def read_detail(self, response: TextResponse) -> NoticeItem | None:
        raise NotImplementedError

    # -- request helpers --------------------------------------------------------------------
    def list_request(self, url: str, callback: Any, **kwargs: Any) -> Request:
        meta = {"cbec_kind": "list", **kwargs.pop("meta", {})}
        return Request(url, callback=callback, errback=self.on_request_error, meta=meta, **kwargs)

    def detail_request(self, url: str, **kwargs: Any) -> Request:
        meta = {"cbec_kind": "detail", **kwargs.pop("meta", {})}
        return Request(url, callback=self.parse_detail, errback=self.on_request_error, meta=meta, **kwargs)

    def on_request_error(self, failure: Failure) -> None:
        request: Request = failure.request  # type: ignore[attr-defined]
        error_class, message = describe_failure(failure, request)
        self.health.record(error_class, request.url, message, on_list=request.meta.get("cbec_kind") == "list")

    # -- list and detail bookkeeping ---------------------------------------------------------
    def list_parsed(self, response: Response, items: int, what: str) -> None:
        """Every list callback reports how many rows it read; zero rows from a 200 page is drift."""
        if items == 0:
            self.health.record(
                LAYOUT_DRIFT, response.url, f"layout drift: no {what} found on {response.url}", on_list=True
            )
            return
        self.health.list_page_parsed(items)

    def is_challenge(self, response: Response) -> bool:
        """A 200 page that is only a JavaScript cookie challenge (WAF), not content."""
        body = response.body
        if len(body) > 30_000 or b"<script" not in body.lower():
            return False
        hits = sum(marker in body for marker in _CHALLENGE_MARKERS)
        return hits >= 2

    def parse_detail(self, response: Response) -> Iterable[NoticeItem]:
        if not isinstance(response, TextResponse):
            self.health.record(PARSE, response.url, f"not a text page: {response.url}")
            return
        if self.is_challenge(response):
            self.health.record(BLOCKED, response.url, f"blocked: challenge page instead of {response.url}")
            return
        item = self.read_detail(response)
        if item is None:
            return
        if not item.text.strip():
            self.health.record(PARSE, response.url, f"parse error: empty notice body at {response.url}")
            return
        item.raw_html = response.body
        item.raw_encoding = response.encoding
        etag = response.headers.get(b"ETag")
        modified = response.headers.get(b"Last-Modified")
        item.http_etag = etag.decode("latin-1") if etag else None
        item.http_last_modified = modified.decode("latin-1") if modified else None
        yield item

    #: CSS selectors of widgets that sit inside a body and are not part of the notice.
    body_furniture: ClassVar[tuple[str, ...]] = ()

    def body_text(self, fragment: str | None) -> str:
        return html_to_text(fragment, self.body_furniture) if fragment else ""


def clean_title(value: str | None, site_suffix: str = "") -> str:
    title = re.sub(r"\s+", " ", value or "").strip()
    if site_suffix and "_" in title:
        title = title.split("_")[0].strip()
    return title
