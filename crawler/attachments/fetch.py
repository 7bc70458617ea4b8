"""Following a notice's attachment links (附件) with the crawl's own manners.

A detail page's links to ``.pdf .xls .xlsx .doc .docx .wps .et .zip`` files are fetched one after the
other through Scrapy's downloader — so with the same per-host delay, robots.txt, retries and size cap
(``CBECWATCH_MAX_PAGE_BYTES``, Scrapy's ``DOWNLOAD_MAXSIZE``) as pages — and the notice item goes on
to the pipelines only when the last one has answered. Only the source's own hosts are followed
(:func:`crawler.offsite.host_allowed`); a link elsewhere is counted and reported as off-site. An
attachment fetched before is asked for with its validators: a 304 links the stored copy again.
A failed attachment is reported in the source's health and never holds its notice back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from crawler.attachments.readers import EXTENSIONS, extension_of
from crawler.health import describe_failure
from crawler.offsite import host_allowed
from crawler.parsing.page import attribute, tidy_inline
from storage.attachments import FetchedAttachment, KnownAttachment

if TYPE_CHECKING:
    from crawler.items import NoticeItem
    from crawler.spiders.base import NoticeSpider

ATTACHMENT_KIND = "attachment"
_LABEL = re.compile(r"^\s*(附件\s*\d*\s*[:：.、]?)")


@dataclass(frozen=True)
class Link:
    url: str
    text: str


def attachment_links(response: TextResponse) -> list[Link]:
    """Links to attachment files anywhere on the page (sites put them in the body, or in a 相关附件
    box after it), each once, with its text — or its title, or the file name."""
    links: dict[str, Link] = {}
    for anchor in response.css("a[href]"):
        href = (attribute(anchor, "href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = response.urljoin(href)
        if extension_of(url) not in EXTENSIONS or url in links:
            continue
        text = tidy_inline("".join(anchor.xpath(".//text()").getall())) or (attribute(anchor, "title") or "")
        links[url] = Link(url, text or url.rsplit("/", 1)[-1])
    return list(links.values())


class FollowsAttachments:
    """Mixed into :class:`crawler.spiders.base.NoticeSpider`."""

    attachment_memory: dict[str, KnownAttachment]
    #: stored list announcements without attachments: revisited without validators
    attachments_missing: set[str]

    def load_attachment_memory(self: NoticeSpider) -> None:
        from crawler.runstore import database_for
        from storage.attachments import known_attachments, lists_without_attachments

        self.attachment_memory, self.attachments_missing = {}, set()
        if not self.settings.getbool("CBECWATCH_ATTACHMENTS", True):
            return
        with database_for(self.settings).session() as session:
            self.attachment_memory = known_attachments(session, self.name)
            self.attachments_missing = lists_without_attachments(session, self.name)

    def revisit_headers(self: NoticeSpider, url: str, conditional: dict[str, str]) -> dict[str, str]:
        return {} if url in getattr(self, "attachments_missing", ()) else conditional

    def with_attachments(self: NoticeSpider, response: TextResponse, item: NoticeItem) -> Iterator[Any]:
        """The item, or the first request of the chain that fetches its attachments and then yields it."""
        if not self.settings.getbool("CBECWATCH_ATTACHMENTS", True):
            yield item
            return
        links = []
        for link in attachment_links(response):
            if host_allowed(link.url, self.allowed_domains):
                links.append(link)
            else:
                self.health.note_offsite(link.url, f"off-site attachment skipped: {link.url} on {response.url} "
                                         f"(not on {', '.join(self.allowed_domains)})")
        limit = self.settings.getint("CBECWATCH_MAX_ATTACHMENTS", 20)
        if len(links) > limit:
            self.logger.warning("%s: %d attachment links on %s, following the first %d (CBECWATCH_MAX_ATTACHMENTS)",
                                self.name, len(links), response.url, limit)
        yield from self.next_attachment(item, links[:limit])

    def next_attachment(self: NoticeSpider, item: NoticeItem, queue: list[Link]) -> Iterator[Any]:
        if not queue:
            yield item
            return
        link = queue[0]
        known = getattr(self, "attachment_memory", {}).get(link.url)
        meta = {"cbec_kind": ATTACHMENT_KIND, "cbec_item": item, "cbec_queue": queue}
        headers = known.conditional_headers() if known else {}
        if headers:
            meta["handle_httpstatus_list"] = [304]
        # dont_filter: two notices may list the same file; a filtered request would end the chain
        yield Request(link.url, headers=headers, meta=meta, dont_filter=True, callback=self.parse_attachment,
                      errback=self.attachment_failed)

    def parse_attachment(self: NoticeSpider, response: Response) -> Iterator[Any]:
        item: NoticeItem = response.meta["cbec_item"]
        queue: list[Link] = response.meta["cbec_queue"]
        link = queue[0]
        if response.status == 304:
            known = self.attachment_memory.get(link.url)
            item.attachments.append(FetchedAttachment(link.url, link.text, known_id=known.attachment_id if known
                                                      else None, http_etag=known.http_etag if known else None,
                                                      http_last_modified=known.http_last_modified if known else None))
        else:
            etag, modified = response.headers.get(b"ETag"), response.headers.get(b"Last-Modified")
            content_type = response.headers.get(b"Content-Type") or b""
            item.attachments.append(FetchedAttachment(
                link.url, link.text, body=response.body, content_type=content_type.decode("latin-1"),
                http_etag=etag.decode("latin-1") if etag else None,
                http_last_modified=modified.decode("latin-1") if modified else None))
        yield from self.next_attachment(item, queue[1:])

    def attachment_failed(self: NoticeSpider, failure: Failure) -> Iterator[Any]:
        request: Request = failure.request  # type: ignore[attr-defined]
        error_class, message = describe_failure(failure, request)
        self.health.record(error_class, request.url, f"attachment of {request.meta['cbec_item'].url}: {message}")
        yield from self.next_attachment(request.meta["cbec_item"], request.meta["cbec_queue"][1:])
