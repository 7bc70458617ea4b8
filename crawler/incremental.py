"""What a source already knows from earlier runs, so that a run fetches only what may have changed.

Loaded once when a spider opens (one query), consulted by every list callback:

* a list row whose URL is stored is not fetched again (``known``), and a list page whose rows are
  all known ends the paging;
* list pages that parsed fine are asked for again with their ETag / Last-Modified; a 304 means the
  list is unchanged. Validators are kept only for *walks* (a list URL and the pages reached from it)
  that completed: when any page of a walk failed, the walk's validators are dropped and it is marked
  incomplete, and the next run walks every list in full (no 304 shortcut, no "all rows known" stop)
  up to the page budget — otherwise page 1's 304 would hide the notices of the page that failed;
* a bounded number of recently published notices (published within ``revisit_days``, last seen
  more than ``revisit_after_hours`` ago, at most ``revisit_max`` per run, least recently seen
  first) are revisited with a conditional request, to catch revisions such as a new gov.cn
  ``lastmodifiedtime``. Spacing revisits by hours keeps a run right after another list-only;
* besides, a *rotation* revisits every stored notice, however old: those not fetched for
  ``rotation_days`` (default 30), at most ``rotation_max`` per run, least recently seen first — so a
  2016 notice revised today is seen within one rotation period, and an unchanged cycle costs a
  bounded number of 304s.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from scrapy.http import Response
from scrapy.settings import BaseSettings
from sqlalchemy import select, update

from crawler.database import database_for
from storage.models import Notice, Source
from storage.types import utcnow


def url_key(url: str) -> str:
    """The sites serve the same page over http and https: compare URLs without the scheme."""
    return url.split("://", 1)[-1].rstrip("/")


@dataclass(frozen=True)
class KnownNotice:
    url: str
    title: str
    doc_number: str | None
    publish_date: dt.date | None
    etag: str | None
    last_modified: str | None
    last_seen_at: dt.datetime | None

    def conditional_headers(self) -> dict[str, str]:
        return validator_headers(self.etag, self.last_modified)

    def listing(self) -> dict[str, Any]:
        """What a list row would have said: detail readers fall back on it during a revisit."""
        return {"title": self.title, "doc_number": self.doc_number or "",
                "pubtime": self.publish_date.isoformat() if self.publish_date else ""}


#: the marker a walk that did not complete leaves in ``Source.list_validators`` under its first URL
INCOMPLETE = "incomplete"


def validator_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


@dataclass
class CrawlMemory:
    known: dict[str, KnownNotice] = field(default_factory=dict)
    list_validators: dict[str, dict[str, str]] = field(default_factory=dict)
    due: list[KnownNotice] = field(default_factory=list)
    #: URLs answered 304 during this run: their ``last_seen_at`` is moved on when the run ends.
    touched: set[str] = field(default_factory=set)
    #: validators of list pages that parsed fine in this run, stored when the run ends.
    fresh_validators: dict[str, dict[str, str]] = field(default_factory=dict)
    #: the walk (its first list URL) of each list page seen in this run, and the walks that failed
    walk_of_page: dict[str, str] = field(default_factory=dict)
    walks: set[str] = field(default_factory=set)
    failed_walks: set[str] = field(default_factory=set)
    #: an earlier run left a walk incomplete: page through every list this run
    full_walk: bool = False

    def is_known(self, url: str) -> bool:
        return url_key(url) in self.known

    def list_headers(self, url: str) -> dict[str, str]:
        stored = self.list_validators.get(url) or {}
        return validator_headers(stored.get("etag"), stored.get("last_modified"))

    def start_walk(self, url: str) -> None:
        self.walks.add(url)

    def list_page_failed(self, walk: str) -> None:
        self.failed_walks.add(walk)

    def remember_list_page(self, response: Response, walk: str) -> None:
        if response.request is not None:
            self.walk_of_page[response.request.url] = walk
        etag = response.headers.get(b"ETag")
        modified = response.headers.get(b"Last-Modified")
        if response.request is None or response.request.method != "GET" or not (etag or modified):
            return
        self.fresh_validators[response.request.url] = {
            key: value.decode("latin-1") for key, value in (("etag", etag), ("last_modified", modified)) if value}


def load_memory(settings: BaseSettings, source: str, *, now: dt.datetime | None = None) -> CrawlMemory:
    now = now or utcnow()
    db = database_for(settings)
    with db.session() as session:
        rows = session.execute(select(
            Notice.url, Notice.title, Notice.doc_number, Notice.publish_date, Notice.http_etag,
            Notice.http_last_modified, Notice.last_seen_at).where(Notice.source == source)).all()
        stored = session.get(Source, source)
        validators = dict(stored.list_validators or {}) if stored is not None else {}
    memory = CrawlMemory(list_validators=validators,
                         full_walk=any(entry.get(INCOMPLETE) for entry in validators.values()))
    for row in rows:
        memory.known[url_key(row.url)] = KnownNotice(*row)
    memory.due = due_for_revisit(list(memory.known.values()), settings, now)
    return memory


def due_for_revisit(notices: list[KnownNotice], settings: BaseSettings, now: dt.datetime) -> list[KnownNotice]:
    """The recent notices due (bounded by CBECWATCH_REVISIT_MAX), then the rotation's share."""
    oldest = dt.datetime.min.replace(tzinfo=dt.UTC)
    limit = settings.getint("CBECWATCH_REVISIT_MAX", 10)
    due: list[KnownNotice] = []
    if limit > 0:
        published_after = (now - dt.timedelta(days=settings.getint("CBECWATCH_REVISIT_DAYS", 30))).date()
        seen_before = now - dt.timedelta(hours=settings.getfloat("CBECWATCH_REVISIT_AFTER_HOURS", 24.0))
        due = [n for n in notices
               if n.publish_date is not None and n.publish_date >= published_after
               and (n.last_seen_at is None or n.last_seen_at <= seen_before)]
        due.sort(key=lambda n: n.last_seen_at or oldest)
        due = due[:limit]
    rotation_max = settings.getint("CBECWATCH_ROTATION_MAX", 10)
    if rotation_max > 0:
        stale = now - dt.timedelta(days=settings.getfloat("CBECWATCH_ROTATION_DAYS", 30))
        chosen = {n.url for n in due}
        rotation = [n for n in notices if n.url not in chosen and (n.last_seen_at is None or n.last_seen_at <= stale)]
        rotation.sort(key=lambda n: n.last_seen_at or oldest)
        due += rotation[:rotation_max]
    return due


def rotation_progress(session: Any, source: str, rotation_days: float, now: dt.datetime | None = None
                      ) -> tuple[int, int]:
    """``(notices fetched within the rotation period, notices stored)`` of one source."""
    from sqlalchemy import func

    now = now or utcnow()
    fresh = now - dt.timedelta(days=rotation_days)
    total = session.scalar(select(func.count()).select_from(Notice).where(Notice.source == source)) or 0
    seen = session.scalar(select(func.count()).select_from(Notice).where(
        Notice.source == source, Notice.last_seen_at >= fresh)) or 0
    return seen, total


def save_memory(session: Any, source: Source, memory: CrawlMemory) -> None:
    """Called inside the transaction that finishes the source run."""
    merged = dict(source.list_validators or {})
    for url, validators in memory.fresh_validators.items():
        if memory.walk_of_page.get(url, url) not in memory.failed_walks:
            merged[url] = validators
    for walk in memory.walks - memory.failed_walks:
        if merged.get(walk, {}).get(INCOMPLETE):
            del merged[walk]
    for walk in memory.failed_walks:
        for url in [u for u, w in memory.walk_of_page.items() if w == walk]:
            merged.pop(url, None)
        merged[walk] = {INCOMPLETE: "1"}
    if merged != (source.list_validators or {}):
        source.list_validators = merged
    if memory.touched:
        session.execute(update(Notice).where(Notice.source == source.name, Notice.url.in_(sorted(memory.touched)))
                        .values(last_seen_at=utcnow()))
