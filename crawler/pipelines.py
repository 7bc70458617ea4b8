"""Item pipeline stages: extraction (added with the extractor) and storage (batched commits).

Each stage is a thin adapter; the work is done by plain functions that are tested without a crawl.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from sqlalchemy.orm import Session
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from appconfig.settings import get_alert_settings
from crawler.database import database_for
from crawler.health import SourceHealth
from crawler.items import NoticeItem
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
        from crawler.extraction.tree import same_as_parsel
        from crawler.facts import extract_notice, extractor_version

        spider = spider or self.crawler.spider
        try:
            page = item.raw_html.decode(item.raw_encoding or "utf-8", errors="replace") if item.raw_html else None
            # The spider's tree of this very text spares a second parse; reparse, with no tree, gets the
            # same tree by parsing the stored page (same_as_parsel: parsel read the same input).
            parsed, item.parsed = item.parsed, None
            root = parsed.root if parsed is not None and parsed.text == page and same_as_parsel(page) else None
            item.extraction = extract_notice(page or item.text, url=item.url, title=item.title,
                                             publish_date=item.publish_date, is_html=page is not None, root=root)
            item.extractor_version = extractor_version()
        except Exception as exc:
            health: SourceHealth = spider.health  # type: ignore[union-attr]
            health.record(EXTRACTION_ERROR, item.url, f"extraction failed for {item.url}: {exc!r}")
        return item


class StoragePipeline:
    """Stores notices in small batches, one transaction per batch.

    An item is handed on (and counted in the source's health) only once the transaction that holds it
    has committed: nothing the crawl calls done can be lost by a crash, and a notice lost with an
    uncommitted batch is simply not in the database, so the next run does not know it and fetches it
    again. When a batch fails, it is rolled back and its notices are stored one per transaction, so one
    bad page still never loses the others. Batching saves the per-notice commit and session (on SQLite
    about a fifth of storing one).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.batch_size = max(1, crawler.settings.getint("CBECWATCH_STORE_BATCH", 10))
        self.batch_wait = crawler.settings.getfloat("CBECWATCH_STORE_WAIT", 0.05)
        self.pending: list[tuple[NoticeItem, NoticeRecord | Exception, Deferred[NoticeItem]]] = []
        self.timer: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        return cls(crawler)

    def process_item(self, item: NoticeItem, spider: Spider | None = None) -> Deferred[NoticeItem]:
        done: Deferred[NoticeItem] = Deferred()
        try:
            record: NoticeRecord | Exception = record_from_item(item)
        except Exception as exc:  # a bad date from the extractor, say: this notice fails, not the batch
            record = exc
        self.pending.append((item, record, done))
        if len(self.pending) >= self.batch_size:
            self.flush()
        elif self.timer is None:
            self.timer = self.call_later(self.batch_wait, self.flush)
        return done

    @staticmethod
    def call_later(delay: float, fn: Any) -> Any:
        from twisted.internet import reactor

        return reactor.callLater(delay, fn)  # type: ignore[attr-defined]

    def close_spider(self, spider: Spider | None = None) -> None:
        self.flush()

    def flush(self) -> None:
        if self.timer is not None and self.timer.active():
            self.timer.cancel()
        self.timer = None
        batch, self.pending = self.pending, []
        if not batch:
            return
        health: SourceHealth = self.crawler.spider.health  # type: ignore[union-attr]
        for (item, _, done), outcome in zip(batch, self._store([record for _, record, _ in batch]), strict=True):
            if isinstance(outcome, Exception):
                health.record(STORAGE_ERROR, item.url, f"cannot store notice {item.url}: {outcome}")
                try:
                    raise DropItem(f"not stored: {item.url}") from outcome
                except DropItem:
                    done.errback(Failure())
                continue
            health.items += 1
            setattr(health, outcome, getattr(health, outcome) + 1)
            done.callback(item)

    def _store(self, records: list[NoticeRecord | Exception]) -> list[str | Exception]:
        """The outcome (new / revised / unchanged) or the error of each record, all committed."""
        db = database_for(self.crawler.settings)
        silent = get_alert_settings().silent_first_run
        good = [r for r in records if isinstance(r, NoticeRecord)]
        if len(good) > 1:
            try:
                with db.session() as session, session.begin():
                    outcomes = iter([_store_one(session, r, silent) for r in good])
                return [r if isinstance(r, Exception) else next(outcomes) for r in records]
            except Exception:  # rolled back whole: store one by one to find the bad one
                pass
        results: list[str | Exception] = []
        for record in records:
            if isinstance(record, Exception):
                results.append(record)
                continue
            try:
                with db.session() as session, session.begin():
                    results.append(_store_one(session, record, silent))
            except Exception as exc:
                results.append(exc)
        return results


def _store_one(session: Session, record: NoticeRecord, silent_first_run: bool) -> str:
    result = save_notice(session, record)
    # Same transaction: the notice, its events and their outbox rows commit together.
    events = derive_events(session, result, record, silent_first_run=silent_first_run)
    enqueue(session, events, record.text)
    return result.outcome
