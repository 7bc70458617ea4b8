"""What spiders yield: one item per notice detail page, before extraction and storage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass
class NoticeItem:
    source: str
    url: str
    title: str
    body_html: str
    text: str
    site_id: str | None = None
    doc_number: str | None = None
    agencies: list[str] = field(default_factory=list)
    issue_date: dt.date | None = None
    publish_date: dt.date | None = None
    site_published_at: dt.datetime | None = None
    site_modified_at: dt.datetime | None = None
    page_meta: dict[str, Any] = field(default_factory=dict)
    raw_html: bytes | None = None
    raw_encoding: str | None = None
    http_etag: str | None = None
    http_last_modified: str | None = None
    # Filled by the extraction pipeline stage.
    extraction: dict[str, Any] | None = None
    extractor_version: str | None = None
    #: The page as the spider parsed it, for the extractor to read instead of parsing it again;
    #: dropped once extracted (never stored).
    parsed: ParsedPage | None = field(default=None, repr=False, compare=False)
    #: the attachments its page links to, as fetched (storage.attachments.FetchedAttachment)
    attachments: list[Any] = field(default_factory=list, repr=False)
    #: ``(text, its search-index tokens)``, cut by the extraction worker; storage uses the tokens only
    #: while ``text`` is still this item's text (never stored as such)
    indexed_text: tuple[str, str] | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class ParsedPage:
    text: str  # the response's text the tree was parsed from (the extractor checks it is its input)
    root: Any  # parsel's lxml root element of that text
