"""Item pipeline stages: extraction (added with the extractor) and storage (batched commits).

Each stage is a thin adapter; the work is done by plain functions that are tested without a crawl.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, TypeVar

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.defer import maybe_deferred_to_future
from sqlalchemy.orm import Session
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from appconfig.settings import get_alert_settings, get_settings
from crawler.database import database_for
from crawler.encoding import decode_page
from crawler.health import SourceHealth
from crawler.items import NoticeItem
from storage.attachments import save_attachments
from storage.events import derive_events
from storage.notices import NoticeRecord, save_notice
from storage.outbox import enqueue
from storage.positive_list import record_positive_list

log = logging.getLogger(__name__)
STORAGE_ERROR = "storage"
_T = TypeVar("_T")


async def settled(result: _T | Deferred[_T]) -> _T:
    """*result*, once its Deferred (if it is one) has fired.

    Scrapy 2.13+ deprecates pipeline methods that take ``spider`` or return a Deferred: the stages'
    Scrapy-facing methods are coroutines that await the Deferred-based work through this, which
    wraps it for the asyncio reactor (or awaits it as is on another reactor)."""
    if isinstance(result, Deferred):
        return await maybe_deferred_to_future(result)
    return result


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
        attachments=list(item.attachments),
        # only tokens of the very text stored (a stage after extraction could have changed it)
        index_body=item.indexed_text[1] if item.indexed_text and item.indexed_text[0] is item.text else None,
    )


EXTRACTION_ERROR = "extraction"


class ExtractionPipeline:
    """Adds the extractor's facts to each item. A failure is recorded against the source and the
    notice is still stored (without facts), so nothing is lost; ``cbecwatch reparse`` fills it in
    once the extractor is fixed.

    With ``CBECWATCH_EXTRACT_WORKERS`` > 0 the work runs in worker processes, off the reactor thread
    every source shares, and a page over ``CBECWATCH_EXTRACT_TIMEOUT`` seconds fails the same way
    (:mod:`crawler.extract_pool`); with 0 it runs here, reusing the spider's tree of the page."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.workers = crawler.settings.getint("CBECWATCH_EXTRACT_WORKERS", 0)
        self.timeout = crawler.settings.getfloat("CBECWATCH_EXTRACT_TIMEOUT", 30.0)
        self.nice = crawler.settings.getint("CBECWATCH_WORKER_NICE", 0)
        self.pool: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        if self.workers > 0:
            from crawler import extract_pool

            self.pool = extract_pool.acquire(self.workers, self.timeout, self.nice)

    def close_spider(self) -> None:
        if self.pool is not None:
            from crawler import extract_pool

            self.pool = None
            extract_pool.release()

    async def process_item(self, item: NoticeItem) -> NoticeItem:
        return await settled(self.extract(item))

    def extract(self, item: NoticeItem) -> NoticeItem | Deferred[NoticeItem]:
        """The item with its facts: at once here, or a Deferred of it with worker processes."""
        health: SourceHealth = self.crawler.spider.health  # type: ignore[union-attr]
        if self.pool is not None:
            return self._in_worker(item, health)
        from crawler.extraction.tree import same_as_parsel
        from crawler.facts import extract_notice, extractor_version

        try:
            page = decode_page(item.raw_html, item.raw_encoding, item.url) if item.raw_html else None
            # The spider's tree of this very text spares a second parse; reparse, with no tree, gets the
            # same tree by parsing the stored page (same_as_parsel: parsel read the same input).
            parsed, item.parsed = item.parsed, None
            root = parsed.root if parsed is not None and parsed.text == page and same_as_parsel(page) else None
            item.extraction = extract_notice(page or item.text, url=item.url, title=item.title,
                                             publish_date=item.publish_date, is_html=page is not None, root=root)
            item.extractor_version = extractor_version()
        except Exception as exc:
            health.record(EXTRACTION_ERROR, item.url, f"extraction failed for {item.url}: {exc!r}")
        return item

    def _in_worker(self, item: NoticeItem, health: SourceHealth) -> Deferred[NoticeItem]:
        from crawler.facts import extractor_version

        item.parsed = None  # an lxml tree does not cross processes: the worker parses the page itself
        page = decode_page(item.raw_html, item.raw_encoding, item.url) if item.raw_html else None
        text = item.text
        # The worker also cuts the text into search-index tokens: otherwise the one storage worker would.
        done = self.pool.submit_indexed(item.url, page or text, title=item.title, publish_date=item.publish_date,
                                        is_html=page is not None, body=text)

        def extracted(result: tuple[dict[str, Any], str | None]) -> NoticeItem:
            facts, tokens = result
            item.extraction, item.extractor_version = facts, extractor_version()
            item.indexed_text = (text, tokens) if tokens is not None else None
            return item

        def failed(failure: Failure) -> NoticeItem:
            from crawler.extract_pool import PageTimeout

            why = str(failure.value) if failure.check(PageTimeout) else repr(failure.value)
            health.record(EXTRACTION_ERROR, item.url, f"extraction failed for {item.url}: {why}; stored without facts")
            return item

        return done.addCallbacks(extracted, failed)


class AttachmentPipeline:
    """Reads each fetched attachment (text, tables, goods rows) in Twisted's thread pool: a 300-page
    PDF takes seconds to parse and must not stall the reactor, which keeps the other sources' requests
    moving meanwhile. A reader never raises (see :mod:`crawler.attachments.readers`); anything else
    that fails is recorded against the source and the attachment is stored unread."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AttachmentPipeline:
        return cls(crawler)

    async def process_item(self, item: NoticeItem) -> NoticeItem:
        return await settled(self.read(item))

    def read(self, item: NoticeItem) -> NoticeItem | Deferred[NoticeItem]:
        if not any(a.body is not None for a in item.attachments):
            return item
        from twisted.internet.threads import deferToThread

        from crawler.attachments.read import read_fetched

        health: SourceHealth = self.crawler.spider.health  # type: ignore[union-attr]

        def failed(failure: Failure) -> NoticeItem:
            health.record(EXTRACTION_ERROR, item.url, f"attachments of {item.url} not read: {failure.value!r}")
            return item

        return deferToThread(read_fetched, item.attachments).addCallbacks(lambda _: item, failed)


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
        # With extraction in worker processes, the batches are stored by one more worker (one, so they
        # commit one after another as on the reactor thread): the reactor thread only hands them over.
        self.workers = crawler.settings.getint("CBECWATCH_EXTRACT_WORKERS", 0)
        self.store_worker: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        if self.workers > 0:
            from crawler import extract_pool

            self.store_worker = extract_pool.acquire_store_worker(
                self.crawler.settings.getint("CBECWATCH_WORKER_NICE", 0))

    async def process_item(self, item: NoticeItem) -> NoticeItem:
        return await settled(self.enqueue(item))

    def enqueue(self, item: NoticeItem) -> Deferred[NoticeItem]:
        """A Deferred that fires with the item once the batch holding it has committed."""
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

    async def close_spider(self) -> None:
        await settled(self.finish())

    def finish(self) -> Deferred[None] | None:
        """Store what is left; with a store worker, a Deferred that fires once it has run every batch."""
        self.flush()
        if self.store_worker is None:
            return None
        from crawler import extract_pool

        worker, self.store_worker = self.store_worker, None
        # after the batches already handed over: the worker runs them in order
        return worker.after_all().addBoth(lambda _: extract_pool.release_store_worker())

    def flush(self) -> None:
        if self.timer is not None and self.timer.active():
            self.timer.cancel()
        self.timer = None
        batch, self.pending = self.pending, []
        if not batch:
            return
        records = [record for _, record, _ in batch]
        if self.store_worker is None:
            self._settle(batch, store_records(database_for(self.crawler.settings), records,
                                              get_alert_settings().silent_first_run))
            return
        url = self.crawler.settings.get("CBECWATCH_DATABASE_URL") or get_settings().database_url
        stored = self.store_worker.submit(store_in_worker, url, records, get_alert_settings().silent_first_run)
        stored.addCallbacks(lambda outcomes: self._settle(batch, outcomes),
                            lambda failure: self._settle(batch, [failure.value] * len(batch)))

    def _settle(self, batch: list[tuple[NoticeItem, NoticeRecord | Exception, Deferred[NoticeItem]]],
                outcomes: list[str | Exception]) -> None:
        health: SourceHealth = self.crawler.spider.health  # type: ignore[union-attr]
        for (item, _, done), outcome in zip(batch, outcomes, strict=True):
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


def store_records(db: Any, records: list[NoticeRecord | Exception], silent: bool) -> list[str | Exception]:
    """The outcome (new / revised / unchanged) or the error of each record, all committed."""
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


_worker_databases: dict[str, Any] = {}


def store_in_worker(url: str, records: list[NoticeRecord | Exception], silent: bool) -> list[str | Exception]:
    """:func:`store_records` in the storage worker process (the crawl has migrated the database already).
    Errors come back as plain exceptions with their message: a driver's own may not survive pickling."""
    from storage.db import open_database

    if url not in _worker_databases:
        _worker_databases[url] = open_database(url, migrate=False)
    outcomes = store_records(_worker_databases[url], records, silent)
    return [RuntimeError(str(o)) if isinstance(o, Exception) else o for o in outcomes]


def _store_one(session: Session, record: NoticeRecord, silent_first_run: bool) -> str:
    result = save_notice(session, record)
    if record.attachments:
        save_attachments(session, result.version_id, record.attachments)
    # Same transaction: the notice, its attachments, its events and their outbox rows commit together.
    events = derive_events(session, result, record, silent_first_run=silent_first_run)
    if record.attachments:
        events += record_positive_list(session, result.notice_id, result.version_id,
                                       silent_first_run=silent_first_run)
    enqueue(session, events, record.text)
    return result.outcome
