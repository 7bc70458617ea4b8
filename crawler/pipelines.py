"""Item pipeline stages: extraction (added with the extractor) and storage.

Each stage is a thin adapter; the work is done by plain functions that are tested without a crawl.
"""

from __future__ import annotations

import datetime as dt
import logging

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from cbecwatch.config import get_alert_settings
from crawler.health import SourceHealth
from crawler.items import NoticeItem
from crawler.runstore import database_for
from storage.events import derive_events
from storage.notices import NoticeRecord, save_notice
from storage.outbox import enqueue

log = logging.getLogger(__name__)
STORAGE_ERROR = "storage"


def record_from_item(item: NoticeItem) -> NoticeRecord:
    extraction = item.extraction or {}

    def as_date(value: object) -> dt.date | None:
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str) and value:
            return dt.date.fromisoformat(value)
        return None

    return NoticeRecord(
        source=item.source,
        url=item.url,
        title=item.title or str(extraction.get("title") or ""),
        text=item.text,
        site_id=item.site_id,
        # The extractor normalises (brackets, agency aliases) and weighs the page's metadata against
        # the text; the spider's raw metadata is the fallback when it found nothing.
        doc_number=extraction.get("doc_number") or item.doc_number,
        agencies=list(extraction.get("agencies") or item.agencies or []),
        issue_date=as_date(extraction.get("issue_date")) or item.issue_date,
        publish_date=as_date(extraction.get("publish_date")) or item.publish_date,
        effective_date=as_date(extraction.get("effective_date")),
        kind=extraction.get("kind"),
        relevance=extraction.get("relevance"),
        relevant=extraction.get("relevant"),
        site_published_at=item.site_published_at,
        site_modified_at=item.site_modified_at,
        raw_html=item.raw_html,
        raw_encoding=item.raw_encoding,
        page_meta=item.page_meta,
        http_etag=item.http_etag,
        http_last_modified=item.http_last_modified,
        extraction=item.extraction,
        extractor_version=item.extractor_version,
    )


EXTRACTION_ERROR = "extraction"


class ExtractionPipeline:
    """Adds the extractor's facts to each item. A failure is recorded against the source and the
    notice is still stored (without facts), so nothing is lost; ``cbecwatch reparse`` fills it in
    once the extractor is fixed."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionPipeline:
        return cls(crawler)

    def process_item(self, item: NoticeItem, spider: Spider | None = None) -> NoticeItem:
        from crawler.facts import extract_notice, extractor_version

        spider = spider or self.crawler.spider
        try:
            page = item.raw_html.decode(item.raw_encoding or "utf-8", errors="replace") if item.raw_html else None
            item.extraction = extract_notice(page or item.text, url=item.url, title=item.title,
                                             publish_date=item.publish_date, is_html=page is not None)
            item.extractor_version = extractor_version()
        except Exception as exc:
            health: SourceHealth = spider.health  # type: ignore[union-attr]
            health.record(EXTRACTION_ERROR, item.url, f"extraction failed for {item.url}: {exc!r}")
        return item


class StoragePipeline:
    """Writes each notice in its own transaction, so one bad page never loses the others."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        return cls(crawler)

    def process_item(self, item: NoticeItem, spider: Spider | None = None) -> NoticeItem:
        spider = spider or self.crawler.spider
        health: SourceHealth = spider.health  # type: ignore[union-attr]
        db = database_for(self.crawler.settings)
        alerts = get_alert_settings()
        try:
            record = record_from_item(item)
            with db.session() as session, session.begin():
                result = save_notice(session, record)
                # Same transaction: the notice, its events and their outbox rows commit together.
                events = derive_events(session, result, record, silent_first_run=alerts.silent_first_run)
                enqueue(session, events, record.text)
        except Exception as exc:
            health.record(STORAGE_ERROR, item.url, f"cannot store notice {item.url}: {exc}")
            raise DropItem(f"not stored: {item.url}") from exc
        health.items += 1
        setattr(health, result.outcome, getattr(health, result.outcome) + 1)
        return item
